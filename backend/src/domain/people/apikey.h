/* apikey: a member's API keys (docs/api.md, "API keys and quotas") and their use per day.
 *
 * PostgreSQL keeps only the SHA-256 of a secret (as 64 hex characters here). The HTTP layer checks
 * keys through Redis and asks apikey_lookup only when Redis does not know a key yet or cannot be
 * reached (http/partner.c). The caller asks the policy (POLICY_API_KEY_MANAGE) before the writes;
 * they are scoped to the owner all the same. */
#ifndef SC_APIKEY_H
#define SC_APIKEY_H

#include <jansson.h>
#include <stdint.h>

#include "domain/people/policy.h"
#include "domain/status.h"
#include "storage/db.h"

extern const db_stmt_t apikey_stmts[];

#define APIKEY_MAX        10 /* live (not revoked) keys per person */
#define APIKEY_NAME_MAX   80
#define APIKEY_USE_DAYS   14 /* days of use listed per key */
#define APIKEY_HEX_LEN    64 /* SHA-256 as hex */
#define APIKEY_PREFIX_MAX 16

typedef enum apikey_result {
    APIKEY_DONE = 0,
    APIKEY_GONE,  /* not there, or not the owner's */
    APIKEY_LIMIT, /* APIKEY_MAX live keys already */
} apikey_result;

/* The owner of key id, for the policy. DOM_NOT_FOUND when there is none. */
dom_status apikey_find(db_t *db, int64_t id, policy_object_t *obj) MUST_CHECK;

/* {"items": [KEY]} newest first, each with its use of the last APIKEY_USE_DAYS days (caller
 * owns). */
dom_status apikey_list(db_t *db, int64_t owner_id, json_t **out) MUST_CHECK;

/* Records a key: hash_hex is the SHA-256 of the secret, prefix its first characters. On
 * APIKEY_DONE *out is the KEY (caller owns). */
dom_status apikey_create(db_t *db, int64_t owner_id, const char *name, const char *prefix,
                         const char *hash_hex, apikey_result *res, json_t **out) MUST_CHECK;

/* Revokes key id of owner (already revoked: done again). On APIKEY_DONE hash_hex receives the
 * key's hash, so that the caller can tell Redis at once. */
dom_status apikey_revoke(db_t *db, int64_t id, int64_t owner_id, apikey_result *res,
                         char hash_hex[APIKEY_HEX_LEN + 1]) MUST_CHECK;

/* The hashes (hex) of owner's live keys, as a JSON array of strings (caller owns): an account
 * being deleted tells Redis they are revoked. */
dom_status apikey_live_hashes(db_t *db, int64_t owner_id, json_t **out) MUST_CHECK;

/* What the API needs to check a key: its id, its own quotas (0: the defaults) and whether it is
 * revoked. DOM_NOT_FOUND for an unknown hash. */
typedef struct apikey_info {
    int64_t id;
    int quota_minute;
    int quota_day;
    bool revoked;
} apikey_info_t;
dom_status apikey_lookup(db_t *db, const char *hash_hex, apikey_info_t *info) MUST_CHECK;

/* Adds counted uses: uses_json is [[key_id, "YYYY-MM-DD", requests], …] and last_json
 * [[key_id, unix_seconds], …] (both written by the job runner from Redis's counters). Keys deleted
 * meanwhile are skipped. */
dom_status apikey_use_add(db_t *db, const char *uses_json, const char *last_json) MUST_CHECK;

#endif
