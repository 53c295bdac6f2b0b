#include "domain/community/invitation_token.h"

bool invitation_token_make(const void *key, size_t keylen, int64_t id,
                           char out[INVITATION_TOKEN_LEN]) {
    return crypto_id_token_make(key, keylen, "community-invitation", id, out);
}

bool invitation_token_check(const void *key, size_t keylen, const char *token, int64_t *id) {
    return crypto_id_token_check(key, keylen, "community-invitation", token, id);
}
