/* password: Argon2id hashes of passwords (libargon2), their rules, and a bound on how many are
 * computed at once.
 *
 * Parameters (docs/api.md, "Accounts"): Argon2id, 19 MiB of memory, 2 passes, 1 lane, a 16-byte
 * random salt, a 32-byte hash, stored in the PHC string format
 * ("$argon2id$v=19$m=19456,t=2,p=1$…"), so that stronger parameters can come later without
 * invalidating stored hashes. A hash takes about 30-50 ms of one core: the number computed at once
 * across all the API's workers is bounded (SC_HASH_CONCURRENCY, one by default) so that a flood of
 * log-ins cannot take the cores that searches need; a request that cannot get a turn within
 * PASSWORD_WAIT_MS is refused (503). */
#ifndef SC_PASSWORD_H
#define SC_PASSWORD_H

#include "core/common.h"
#include "domain/status.h"
#include "storage/db.h"

#define PASSWORD_MIN_CHARS 12
#define PASSWORD_MAX_CHARS 1000
#define PASSWORD_HASH_MAX  128 /* longest encoded hash, with its NUL */
#define PASSWORD_WAIT_MS   3000

typedef enum password_status {
    PASSWORD_OK = 0,
    PASSWORD_MISMATCH, /* password_verify: not the password */
    PASSWORD_BUSY,     /* no turn to hash within PASSWORD_WAIT_MS */
    PASSWORD_ERROR,    /* the library failed (out of memory…): logged */
} password_status;

/* Sets up the bounds shared by the processes forked after this call (the API's master calls it
 * before forking its workers): at most concurrency hashes at once, and at most workers processes
 * inside the password code (hashing or waiting for a turn; one more is refused at once, BUSY), so
 * that a flood of log-ins cannot hold every worker. Without it, hashing is unbounded (programs
 * that hash once). */
bool password_limit_init(int concurrency, int workers) MUST_CHECK;

/* Hashes password into out (PASSWORD_HASH_MAX bytes). */
password_status password_hash(const char *password, char out[PASSWORD_HASH_MAX]) MUST_CHECK;

/* Checks password against an encoded hash. hash NULL: the work of a check is done against a fixed
 * hash all the same (an unknown address costs the time of a known one) and MISMATCH returned. */
password_status password_verify(const char *password, const char *hash) MUST_CHECK;

/* The rules beyond length, which body validation checks: not in the list of common passwords
 * (table common_password, compared in lower case). *weak is set when it is. */
dom_status password_is_common(db_t *db, const char *password, bool *weak) MUST_CHECK;

extern const db_stmt_t password_stmts[];

#endif
