/* The unsubscribe tokens of alert e-mails (domain/alert.h), apart from the rest of the module
 * so that they build without PostgreSQL (fuzz target fuzz_mail). */
#include "domain/alert_token.h"

bool alert_token_make(const void *key, size_t keylen, int64_t id, char out[ALERT_TOKEN_LEN]) {
    return crypto_id_token_make(key, keylen, "unsubscribe", id, out);
}

bool alert_token_check(const void *key, size_t keylen, const char *token, int64_t *id) {
    return crypto_id_token_check(key, keylen, "unsubscribe", token, id);
}
