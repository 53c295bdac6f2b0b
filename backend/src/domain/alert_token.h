/* alert_token: the unsubscribe token of an alert e-mail, "ID.SIGNATURE": the id of the saved
 * search and the HMAC-SHA-256 of "unsubscribe:ID" under the site's secret key (SC_SECRET_KEY),
 * base64url. It needs no session and no storage, and cannot be forged or moved to another saved
 * search. Apart from domain/alert.h so that it builds without PostgreSQL (fuzz target). */
#ifndef SC_ALERT_TOKEN_H
#define SC_ALERT_TOKEN_H

#include <stdint.h>

#include "core/crypto.h"

/* "ID.SIGNATURE": at most 19 digits, a dot, 43 characters, the NUL. */
#define ALERT_TOKEN_LEN CRYPTO_ID_TOKEN_LEN

/* The unsubscribe token of saved search id under key (keylen bytes, not empty). */
bool alert_token_make(const void *key, size_t keylen, int64_t id,
                      char out[ALERT_TOKEN_LEN]) MUST_CHECK;

/* Checks token (untrusted text) in time independent of the signature's content. On true, *id is
 * the saved search it names. */
bool alert_token_check(const void *key, size_t keylen, const char *token, int64_t *id) MUST_CHECK;

#endif
