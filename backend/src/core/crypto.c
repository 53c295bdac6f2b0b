#include "core/crypto.h"

#include <errno.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "core/b64url.h"

bool crypto_random(void *out, size_t n) {
    unsigned char *p = out;
    while (n > 0) {
        ssize_t got = getrandom(p, n, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        p += got;
        n -= (size_t)got;
    }
    return true;
}

bool crypto_token(char out[CRYPTO_TOKEN_LEN]) {
    unsigned char raw[CRYPTO_TOKEN_BYTES];
    return crypto_random(raw, sizeof raw) && b64url_encode(raw, sizeof raw, out, CRYPTO_TOKEN_LEN);
}

void crypto_sha256(const void *in, size_t n, uint8_t out[CRYPTO_SHA256_LEN]) {
    SHA256(in, n, out);
}

void crypto_sha256_bytea(const char *text, char out[CRYPTO_HEX_LEN + 2]) {
    static const char hex[] = "0123456789abcdef";
    uint8_t d[CRYPTO_SHA256_LEN];
    crypto_sha256(text, strlen(text), d);
    out[0] = '\\';
    out[1] = 'x';
    for (size_t i = 0; i < sizeof d; i++) {
        out[2 + 2 * i] = hex[d[i] >> 4];
        out[3 + 2 * i] = hex[d[i] & 15];
    }
    out[2 + 2 * sizeof d] = '\0';
}

bool crypto_hmac_b64(const void *key, size_t keylen, const char *msg, char out[CRYPTO_TOKEN_LEN]) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    if (keylen == 0 || keylen > (size_t)INT32_MAX)
        return false;
    if (HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)msg, strlen(msg), mac,
             &maclen) == NULL ||
        maclen != CRYPTO_SHA256_LEN)
        return false;
    return b64url_encode(mac, maclen, out, CRYPTO_TOKEN_LEN);
}

bool crypto_equal(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    unsigned char diff = 0;
    if (la != lb)
        return false;
    for (size_t i = 0; i < la; i++)
        diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

bool crypto_id_token_make(const void *key, size_t keylen, const char *purpose, int64_t id,
                          char out[CRYPTO_ID_TOKEN_LEN]) {
    char msg[96], sig[CRYPTO_TOKEN_LEN];
    if (id <= 0 || snprintf(msg, sizeof msg, "%s:%" PRId64, purpose, id) >= (int)sizeof msg)
        return false;
    if (!crypto_hmac_b64(key, keylen, msg, sig))
        return false;
    snprintf(out, CRYPTO_ID_TOKEN_LEN, "%" PRId64 ".%s", id, sig);
    return true;
}

bool crypto_id_token_check(const void *key, size_t keylen, const char *purpose, const char *token,
                           int64_t *id) {
    char want[CRYPTO_ID_TOKEN_LEN];
    int64_t n = 0;
    size_t i = 0;
    *id = 0;
    for (; token[i] >= '0' && token[i] <= '9'; i++) {
        if (i == 18 || (i == 0 && token[i] == '0'))
            return false;
        n = n * 10 + (token[i] - '0');
    }
    if (i == 0 || token[i] != '.' || strlen(token + i + 1) != CRYPTO_TOKEN_LEN - 1)
        return false;
    if (!crypto_id_token_make(key, keylen, purpose, n, want) || !crypto_equal(token, want))
        return false;
    *id = n;
    return true;
}
