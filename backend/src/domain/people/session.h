/* session: server-side sessions (table user_session).
 *
 * The browser holds a random 256-bit token in a cookie; PostgreSQL keeps only its SHA-256, so a
 * copy of the table signs nobody in. A session ends SESSION_IDLE_DAYS after its last use or
 * SESSION_ABSOLUTE_DAYS after the log-in, whichever comes first; its last use is written at most
 * once a minute (a read of a page does not become a write each time). Times come from sc_now(). */
#ifndef SC_SESSION_H
#define SC_SESSION_H

#include <jansson.h>
#include <stdint.h>

#include "core/crypto.h"
#include "domain/people/actor.h"
#include "domain/status.h"
#include "storage/db.h"

#define SESSION_IDLE_DAYS     30
#define SESSION_ABSOLUTE_DAYS 180

/* The actor of the session whose cookie token is token. DOM_NOT_FOUND when there is no such live
 * session (unknown, expired, account deleted); actor is then anonymous. */
dom_status session_lookup(db_t *db, const char *token, actor_t *actor) MUST_CHECK;

/* Opens a new session for user_id; token receives the cookie's value, actor the signed-in actor.
 * device is the User-Agent, shown to the person in their list of sessions. */
dom_status session_open(db_t *db, int64_t user_id, const char *device, char token[CRYPTO_TOKEN_LEN],
                        actor_t *actor) MUST_CHECK;

/* Closes session_id of user_id. DOM_NOT_FOUND when it is not one of theirs. */
dom_status session_close(db_t *db, int64_t user_id, int64_t session_id) MUST_CHECK;

/* The live sessions of user_id, last used first, as the JSON of GET /me/sessions (a new array in
 * *out, owned by the caller). current marks the session of the request. */
dom_status session_list(db_t *db, int64_t user_id, int64_t current, json_t **out) MUST_CHECK;

extern const db_stmt_t session_stmts[];

#endif
