/* b64url: unpadded base64url (RFC 4648 §5), used for opaque cursors. */
#ifndef SC_B64URL_H
#define SC_B64URL_H

#include "core/common.h"

/* Encodes n bytes into out (NUL-terminated). Returns false when outlen is too small:
 * it needs 4 * ceil(n / 3) + 1 bytes at most. */
bool b64url_encode(const void *in, size_t n, char *out, size_t outlen) MUST_CHECK;

/* Decodes a NUL-terminated base64url string (no padding) into out. Returns false on any
 * character outside the alphabet, an impossible length, non-zero trailing bits, or when the
 * result would not fit in outlen bytes. *outn receives the decoded length. */
bool b64url_decode(const char *in, void *out, size_t outlen, size_t *outn) MUST_CHECK;

#endif
