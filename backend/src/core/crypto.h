/* crypto: random tokens, SHA-256 and HMAC-SHA-256 (OpenSSL's libcrypto), for sessions, e-mailed
 * links and signed unsubscribe links. Passwords are not hashed here (domain/people/password.h). */
#ifndef SC_CRYPTO_H
#define SC_CRYPTO_H

#include <stdint.h>

#include "core/common.h"

#define CRYPTO_TOKEN_BYTES 32 /* 256 bits of entropy per token */
/* A token as text: unpadded base64url of CRYPTO_TOKEN_BYTES bytes, plus the NUL. */
#define CRYPTO_TOKEN_LEN  44
#define CRYPTO_SHA256_LEN 32
/* A digest as lower-case hex, plus the NUL. */
#define CRYPTO_HEX_LEN (2 * CRYPTO_SHA256_LEN + 1)

/* Fills out with n bytes from the kernel's CSPRNG (getrandom). False only if the kernel refuses. */
bool crypto_random(void *out, size_t n) MUST_CHECK;

/* A fresh random token as base64url text (43 characters) in out[CRYPTO_TOKEN_LEN]. */
bool crypto_token(char out[CRYPTO_TOKEN_LEN]) MUST_CHECK;

/* SHA-256 of n bytes. */
void crypto_sha256(const void *in, size_t n, uint8_t out[CRYPTO_SHA256_LEN]);

/* SHA-256 of a NUL-terminated string, as "\\x" followed by 64 hex digits: the text form of a
 * PostgreSQL bytea, to be bound as a statement parameter. out holds CRYPTO_HEX_LEN + 2 bytes. */
void crypto_sha256_bytea(const char *text, char out[CRYPTO_HEX_LEN + 2]);

/* HMAC-SHA-256 of msg under key, as unpadded base64url (43 characters) in out[CRYPTO_TOKEN_LEN].
 * False when the key is empty or the library fails. */
bool crypto_hmac_b64(const void *key, size_t keylen, const char *msg,
                     char out[CRYPTO_TOKEN_LEN]) MUST_CHECK;

/* Compares two NUL-terminated strings in time independent of where they differ (for tokens and
 * signatures). False when the lengths differ. */
bool crypto_equal(const char *a, const char *b);

/* A signed id, "ID.SIGNATURE": the HMAC-SHA-256 of "PURPOSE:ID" under key, base64url, so that a
 * token of one purpose (an unsubscribe link, an invitation…) is worthless for another. Needs no
 * storage; expiry and use are the named row's. */
#define CRYPTO_ID_TOKEN_LEN (20 + CRYPTO_TOKEN_LEN) /* 19 digits at most, a dot, 43, the NUL */

bool crypto_id_token_make(const void *key, size_t keylen, const char *purpose, int64_t id,
                          char out[CRYPTO_ID_TOKEN_LEN]) MUST_CHECK;

/* Checks token (untrusted text) in time independent of the signature's content. The id is 1 to 18
 * digits without a leading zero, so that one id has one token only. *id on true. */
bool crypto_id_token_check(const void *key, size_t keylen, const char *purpose, const char *token,
                           int64_t *id) MUST_CHECK;

#endif
