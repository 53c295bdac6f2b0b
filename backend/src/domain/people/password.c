#include "domain/people/password.h"

#include <argon2.h>
#include <errno.h>
#include <semaphore.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "core/crypto.h"
#include "core/log.h"
#include "domain/status.h"

#define PW_T_COST   2
#define PW_M_COST   19456 /* KiB: 19 MiB */
#define PW_LANES    1
#define PW_SALT_LEN 16
#define PW_HASH_LEN 32

/* Shared by the workers: mapped before the fork, so every process sees the same semaphores.
 * pw_sem[0] counts the hashes that may run at once; pw_sem[1] the workers that may be inside the
 * password code at all (hashing or waiting for a turn), so that log-ins never hold more than that
 * many workers and the others keep serving searches. */
static sem_t *pw_sem;

const db_stmt_t password_stmts[] = {
        {"pw_common", "SELECT EXISTS (SELECT 1 FROM common_password WHERE password = lower($1))", 1,
         true},
        {NULL, NULL, 0, false},
};

bool password_limit_init(int concurrency, int workers) {
    sem_t *p = mmap(NULL, 2 * sizeof(sem_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
                    0);
    if (p == MAP_FAILED)
        return false;
    if (workers < concurrency)
        workers = concurrency;
    if (sem_init(&p[0], 1, (unsigned)concurrency) != 0 ||
        sem_init(&p[1], 1, (unsigned)workers) != 0) {
        munmap(p, 2 * sizeof(sem_t));
        return false;
    }
    pw_sem = p;
    return true;
}

static bool pw_acquire(void) {
    struct timespec until;
    if (pw_sem == NULL)
        return true;
    /* No worker waits behind others once the allowed number are in: refused at once. */
    while (sem_trywait(&pw_sem[1]) != 0)
        if (errno != EINTR)
            return false;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += PASSWORD_WAIT_MS / 1000;
    until.tv_nsec += (PASSWORD_WAIT_MS % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    while (sem_timedwait(&pw_sem[0], &until) != 0)
        if (errno != EINTR) {
            sem_post(&pw_sem[1]);
            return false;
        }
    return true;
}

static void pw_release(void) {
    if (pw_sem != NULL) {
        sem_post(&pw_sem[0]);
        sem_post(&pw_sem[1]);
    }
}

typedef struct pw_job {
    const char *password;
    const unsigned char *salt; /* NULL: verify against hash */
    const char *hash;          /* verify: the encoded hash */
    char *out;                 /* hash: PASSWORD_HASH_MAX bytes */
} pw_job_t;

/* One Argon2id computation. (Running it in a thread at a lower priority was measured: under a
 * saturating search load the hashes then took 150 ms instead of 90 and more log-ins were refused,
 * for no gain on the searches; the bound on workers is what protects them.) */
static int pw_run(const pw_job_t *j) {
    if (j->salt)
        return argon2id_hash_encoded(PW_T_COST, PW_M_COST, PW_LANES, j->password,
                                     strlen(j->password), j->salt, PW_SALT_LEN, PW_HASH_LEN, j->out,
                                     PASSWORD_HASH_MAX);
    return argon2id_verify(j->hash, j->password, strlen(j->password));
}

password_status password_hash(const char *password, char out[PASSWORD_HASH_MAX]) {
    unsigned char salt[PW_SALT_LEN];
    if (!crypto_random(salt, sizeof salt))
        return PASSWORD_ERROR;
    if (!pw_acquire())
        return PASSWORD_BUSY;
    pw_job_t job = {.password = password, .salt = salt, .out = out};
    int rc = pw_run(&job);
    pw_release();
    if (rc != ARGON2_OK) {
        log_msg(LOG_ERROR, "argon2id_hash_encoded: %s", argon2_error_message(rc));
        return PASSWORD_ERROR;
    }
    return PASSWORD_OK;
}

/* A hash of a random password with the current parameters: checking against it costs what a real
 * check costs. */
static const char pw_dummy[] = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$"
                               "qLml5cbqFAO6YxVHhrSBHP0UWdxrIxkNcM8aMX3blzU";

password_status password_verify(const char *password, const char *hash) {
    if (!pw_acquire())
        return PASSWORD_BUSY;
    pw_job_t job = {.password = password, .hash = hash ? hash : pw_dummy};
    int rc = pw_run(&job);
    pw_release();
    if (hash == NULL || rc == ARGON2_VERIFY_MISMATCH)
        return PASSWORD_MISMATCH;
    if (rc != ARGON2_OK) {
        log_msg(LOG_ERROR, "argon2id_verify: %s", argon2_error_message(rc));
        return rc == ARGON2_DECODING_FAIL ? PASSWORD_MISMATCH : PASSWORD_ERROR;
    }
    return PASSWORD_OK;
}

dom_status password_is_common(db_t *db, const char *password, bool *weak) {
    PGresult *r = NULL;
    const char *params[] = {password};
    dom_status st = dom_from_db(db_exec(db, "pw_common", 1, params, &r));
    *weak = false;
    if (st == DOM_OK)
        *weak = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    return st;
}
