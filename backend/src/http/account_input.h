/* account_input: the checks of account fields that body_parse cannot make alone — an e-mail
 * address's shape, a new password's rules — and the answers of password failures. Each writes
 * the error answer and returns false on refusal. */
#ifndef SC_ACCOUNT_INPUT_H
#define SC_ACCOUNT_INPUT_H

#include "domain/people/password.h"
#include "http/app.h"
#include "server/response.h"

/* One '@', a non-empty local part, a domain with a dot inside, no white space: 400 naming field. */
bool input_email(resp_t *resp, const char *email, const char *field) MUST_CHECK;

/* At least PASSWORD_MIN_CHARS characters and not a common password: 422 weak_password. */
bool input_new_password(app_t *app, resp_t *resp, const char *password,
                        const char *field) MUST_CHECK;

/* Hashes password into hash; on failure answers 503 (busy) or 500. */
bool input_hash(resp_t *resp, const char *password, char hash[PASSWORD_HASH_MAX]) MUST_CHECK;

/* Answers a password check that could not be made (busy: 503 with Retry-After; error: 500). */
void input_password_failure(resp_t *resp, password_status ps);

#endif
