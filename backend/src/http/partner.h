/* partner: what the public GETs of /api/v1 offer partner sites (docs/api.md, "API keys and
 * quotas", "CORS", "Conditional requests") — API keys, quotas, CORS and 304 answers — as the two
 * hooks the worker runs around every routed request (server/router.h), so that no handler has to
 * remember them.
 *
 * Public GETs are those of partner_public_patterns: answers that do not depend on who asks. Only
 * they take a key, count against a quota and answer other origins; every personal endpoint and
 * every write answers as if this module did not exist (no CORS header at all). */
#ifndef SC_PARTNER_H
#define SC_PARTNER_H

#include "http/app.h"
#include "server/request.h"
#include "server/response.h"
#include "server/router.h"

/* A key's secret: "sck_" and 43 characters of base64url (256 random bits). */
#define PARTNER_SECRET_LEN (4 + 43 + 1)
#define PARTNER_PREFIX_LEN (4 + 8 + 1) /* "sck_" and the first 8 characters, shown in lists */

/* gate (route_gate_fn; ctx is the app_t): answers preflights of public GETs (204), refuses a bad
 * key (401) or a request over its quota (429); otherwise adds the CORS and RateLimit headers of a
 * public GET and lets the handler run. */
bool partner_gate(const struct req *req, struct resp *resp, void *ctx, router_result found);

/* finish (route_finish_fn): sends the ETag of a public cached 200 (resp->etag) and turns it into
 * a 304 without a body when the request's If-None-Match names it. Never on a private answer. */
void partner_finish(const struct req *req, struct resp *resp, void *ctx);

/* A fresh secret, its prefix and the hex SHA-256 that PostgreSQL keeps. False only when the
 * kernel gives no random bytes. */
bool partner_new_secret(char secret[PARTNER_SECRET_LEN], char prefix[PARTNER_PREFIX_LEN],
                        char hash_hex[65]) MUST_CHECK;

/* Tells Redis at once that the key of hash_hex is revoked, for every worker (best effort: when
 * Redis cannot be reached, workers check keys in PostgreSQL meanwhile). */
void partner_key_revoked(app_t *app, const char *hash_hex);

#endif
