/* community_access: what every community endpoint shares — the actor and their standing in the
 * community of the path, looked up once and handed to the one policy (people/policy.h), and the
 * answers of the domain's refusals ({"error": CODE} objects of domain/community/community.h).
 *
 * Every answer of these endpoints depends on who asks: all are Cache-Control: private, no-store
 * and none goes through the shared response cache. */
#ifndef SC_COMMUNITY_ACCESS_H
#define SC_COMMUNITY_ACCESS_H

#include <jansson.h>
#include <stdint.h>

#include "domain/people/actor.h"
#include "domain/people/policy.h"
#include "domain/status.h"
#include "http/app.h"
#include "server/request.h"
#include "server/response.h"

/* Identifies the actor (a write: auth_require, session + CSRF; a read: anonymous allowed), reads
 * the community of the path's "id" and the actor's membership, and asks the policy for action.
 * On false the answer is written (404 for a community the actor may not see, exactly as for one
 * that does not exist). */
bool caccess_open(app_t *app, const req_t *req, resp_t *resp, bool write, policy_action action,
                  actor_t *actor, int64_t *id, policy_object_t *obj) MUST_CHECK;

/* Asks the policy again for another action on the same community (obj from caccess_open), with
 * owner_id the author of the thing acted on (0 for none). */
bool caccess_allow(resp_t *resp, const actor_t *actor, policy_action action, policy_object_t *obj,
                   int64_t owner_id) MUST_CHECK;

/* Answers a domain call: a failure (404 on DOM_NOT_FOUND), a refusal {"error": …}, or status with
 * out (204: no body, out only read for a refusal). Takes ownership of out. */
void caccess_reply(resp_t *resp, dom_status st, json_t *out, int status);

/* Reads a JSON array of positive ids (at most max, checked by body_parse) into a PostgreSQL array
 * literal in buf ("{7,9}"); NULL when the member is absent. False with the 400 written. */
bool caccess_ids(resp_t *resp, const json_t *body, const char *field, char *buf, size_t len,
                 const char **out) MUST_CHECK;

/* The keyset position of the request's cursor (0, 0 without one); false with the 400 written. */
bool caccess_cursor(const req_t *req, resp_t *resp, int64_t *key, int64_t *id) MUST_CHECK;

#endif
