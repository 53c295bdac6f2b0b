/* The unsubscribe tokens of alert e-mails (domain/alert.h), apart from the rest of the module
 * so that they build without PostgreSQL (fuzz target fuzz_mail). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "domain/alert_token.h"

bool alert_token_make(const void *key, size_t keylen, int64_t id, char out[ALERT_TOKEN_LEN]) {
    char msg[48], sig[CRYPTO_TOKEN_LEN];
    if (id <= 0)
        return false;
    snprintf(msg, sizeof msg, "unsubscribe:%" PRId64, id);
    if (!crypto_hmac_b64(key, keylen, msg, sig))
        return false;
    snprintf(out, ALERT_TOKEN_LEN, "%" PRId64 ".%s", id, sig);
    return true;
}

bool alert_token_check(const void *key, size_t keylen, const char *token, int64_t *id) {
    char want[ALERT_TOKEN_LEN];
    int64_t n = 0;
    size_t i = 0;
    *id = 0;
    /* The id: 1 to 18 digits without a leading zero, so that one id has one token only. */
    for (; token[i] >= '0' && token[i] <= '9'; i++) {
        if (i == 18 || (i == 0 && token[i] == '0'))
            return false;
        n = n * 10 + (token[i] - '0');
    }
    if (i == 0 || token[i] != '.' || strlen(token + i + 1) != CRYPTO_TOKEN_LEN - 1)
        return false;
    if (!alert_token_make(key, keylen, n, want))
        return false;
    if (!crypto_equal(token, want))
        return false;
    *id = n;
    return true;
}
