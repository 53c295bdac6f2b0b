/* invitation_token: the link of a community invitation, "ID.SIGNATURE": the invitation's id and
 * the HMAC-SHA-256 of "community-invitation:ID" under the site's secret key (SC_SECRET_KEY),
 * base64url — signed like the alert tokens (domain/alert_token.h). Its expiry and whether it was
 * used are the invitation row's (table community_invitation). */
#ifndef SC_INVITATION_TOKEN_H
#define SC_INVITATION_TOKEN_H

#include <stdint.h>

#include "core/crypto.h"

#define INVITATION_TOKEN_LEN CRYPTO_ID_TOKEN_LEN

/* The token of invitation id under key (keylen bytes, not empty). */
bool invitation_token_make(const void *key, size_t keylen, int64_t id,
                           char out[INVITATION_TOKEN_LEN]) MUST_CHECK;

/* Checks token (untrusted text) in time independent of the signature's content; *id on true. */
bool invitation_token_check(const void *key, size_t keylen, const char *token,
                            int64_t *id) MUST_CHECK;

#endif
