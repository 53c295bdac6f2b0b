/* reply: the answers shared by every handler — domain failures as API errors, and the response
 * cache. */
#ifndef SC_REPLY_H
#define SC_REPLY_H

#include <jansson.h>
#include <stdint.h>

#include "domain/status.h"
#include "http/app.h"
#include "server/request.h"
#include "server/response.h"

/* A 204 without a body (a write that has nothing to return). */
void reply_no_content(resp_t *resp);

/* Writes the error matching a failed domain status (404 with the not_found message, 503 or 500). */
void reply_failure(resp_t *resp, dom_status st, const char *not_found);

/* Looks the request up in the cache. names is the NULL-terminated list of the query parameters
 * that shape the answer; the handler has validated them already. On a hit, resp holds the cached
 * answer and true is returned. Otherwise key receives the cache key to store the answer under (""
 * when the answer must not be cached: Redis or PostgreSQL unavailable). key must hold REPLY_KEY_MAX
 * bytes. The key's data version comes without a query (catalog_watch_version); while PostgreSQL
 * is unreachable, hits are still served, marked X-Cache: STALE with X-Stale-Seconds. */
#define REPLY_KEY_MAX 4600
bool reply_cached(app_t *app, const req_t *req, const char *const *names, resp_t *resp,
                  char *key) MUST_CHECK;

/* As reply_cached, for an answer that also depends on data outside the catalogue: version is the
 * data version the caller read (negative: do not cache), scope a short text naming the other
 * versions it depends on (e.g. ":c12" for the twelfth version of a thread of comments), so that
 * every write of that data leaves the entries of the old version behind. */
bool reply_cached_scoped(app_t *app, const req_t *req, const char *const *names, int64_t version,
                         const char *scope, resp_t *resp, char *key) MUST_CHECK;

/* Writes a 200 JSON answer (taking ownership of body) and stores it under key when key is set. */
void reply_ok_cached(app_t *app, resp_t *resp, json_t *body, const char *key);

/* Lets browsers and proxies keep a 200 answer for max_age_s seconds (Cache-Control: public) and
 * tags it with a strong ETag derived from its bytes (FNV-1a 64 and length), so that an unchanged
 * answer always has the same tag. When the request's If-None-Match names that tag, the answer
 * becomes a 304 without a body. Call after the body is set; other statuses are left alone. */
#define REPLY_CONTOUR_MAX_AGE 86400
void reply_public_cache(const req_t *req, resp_t *resp, int max_age_s);

#endif
