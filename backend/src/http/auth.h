/* auth: who is asking, and the checks every personal read and every write share (docs/api.md,
 * "Writes"): the session cookie, CSRF, the origin of a write, private answers, rate limits, and
 * the answers of the one policy's verdicts.
 *
 * Each function that takes resp either returns true, or writes the error answer and returns false:
 * the handler then just returns. */
#ifndef SC_AUTH_H
#define SC_AUTH_H

#include "domain/people/actor.h"
#include "domain/people/policy.h"
#include "http/app.h"
#include "server/request.h"
#include "server/response.h"

/* The cookie's name: __Host-sc_session when cookies are Secure, sc_session otherwise (the
 * __Host- prefix requires Secure). */
const char *auth_cookie_name(const app_t *app);

/* Identifies the actor from the session cookie: anonymous without a cookie or with a dead one.
 * False (503/500 written) only when the session store cannot be read. */
bool auth_identify(app_t *app, const req_t *req, resp_t *resp, actor_t *actor) MUST_CHECK;

/* For a personal endpoint: marks the answer private (auth_private), identifies the actor and
 * requires a session (401 unauthenticated); for POST, PUT, PATCH and DELETE also the same-site
 * origin and the session's CSRF token (403 csrf_failed). */
bool auth_require(app_t *app, const req_t *req, resp_t *resp, actor_t *actor) MUST_CHECK;

/* For writes without a session (sign-up, log-in, reset…): the same-site origin check only. */
bool auth_same_origin(app_t *app, const req_t *req, resp_t *resp) MUST_CHECK;

/* Cache-Control: private, no-store — on every personal answer, errors included. */
void auth_private(resp_t *resp);

/* Asks the policy; on a refusal writes its answer (auth_refuse) and returns false. */
bool auth_allow(resp_t *resp, const actor_t *actor, policy_action action,
                const policy_object_t *obj) MUST_CHECK;

/* Answers a refusal of the policy (401, 403 forbidden/unverified, 404). */
void auth_refuse(resp_t *resp, policy_verdict v);

/* Counts one attempt of kind (e.g. "login-ip") by subject (an IP, an address) against max per
 * window_s seconds; over it, 429 rate_limited with Retry-After and false. Redis down: allowed,
 * logged. subject is hashed into the key, so no address is stored in Redis. */
bool auth_rate_limit(app_t *app, resp_t *resp, const char *kind, const char *subject, int max,
                     int window_s) MUST_CHECK;

/* Sets the session cookie (token "" clears it). */
void auth_set_cookie(app_t *app, resp_t *resp, const char *token);

#endif
