#include "domain/community/invitation_token.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

bool invitation_token_make(const void *key, size_t keylen, int64_t id,
                           char out[INVITATION_TOKEN_LEN]) {
    char msg[64], sig[CRYPTO_TOKEN_LEN];
    if (id <= 0)
        return false;
    snprintf(msg, sizeof msg, "community-invitation:%" PRId64, id);
    if (!crypto_hmac_b64(key, keylen, msg, sig))
        return false;
    snprintf(out, INVITATION_TOKEN_LEN, "%" PRId64 ".%s", id, sig);
    return true;
}

bool invitation_token_check(const void *key, size_t keylen, const char *token, int64_t *id) {
    char want[INVITATION_TOKEN_LEN];
    int64_t n = 0;
    size_t i = 0;
    *id = 0;
    /* 1 to 18 digits without a leading zero: one invitation, one token. */
    for (; token[i] >= '0' && token[i] <= '9'; i++) {
        if (i == 18 || (i == 0 && token[i] == '0'))
            return false;
        n = n * 10 + (token[i] - '0');
    }
    if (i == 0 || token[i] != '.' || strlen(token + i + 1) != CRYPTO_TOKEN_LEN - 1)
        return false;
    if (!invitation_token_make(key, keylen, n, want) || !crypto_equal(token, want))
        return false;
    *id = n;
    return true;
}
