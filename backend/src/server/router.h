/* router: matches a method and a path against a table of routes.
 *
 * The server core knows nothing of the handlers: the table is built by the HTTP layer and handed
 * to the worker at start-up. Patterns are literal segments or "{name}" segments, which capture one
 * non-empty path segment: "/api/v1/initiatives/{id}". */
#ifndef SC_ROUTER_H
#define SC_ROUTER_H

#include "core/common.h"

#define ROUTER_MAX_PARAMS 4
#define ROUTER_ALLOW_LEN  64

struct req;
struct resp;

/* A handler answers one request. It must leave resp with a status and a body; it must not keep
 * pointers into req after it returns. ctx is the per-worker application context. */
typedef void (*route_fn)(const struct req *req, struct resp *resp, void *ctx);

typedef struct route {
    const char *method;  /* "GET", "POST"…; HEAD is answered by the GET route */
    const char *pattern; /* static string */
    route_fn fn;
} route_t;

typedef struct route_param {
    const char *name; /* points into the pattern (not NUL-terminated at name_len) */
    size_t name_len;
    const char *value; /* points into the matched path (not NUL-terminated at value_len) */
    size_t value_len;
} route_param_t;

typedef struct route_match {
    const route_t *route;
    route_param_t params[ROUTER_MAX_PARAMS];
    size_t nparams;
    char allow[ROUTER_ALLOW_LEN]; /* on METHOD_NOT_ALLOWED: "GET, POST" */
} route_match_t;

typedef enum router_result {
    ROUTER_FOUND,
    ROUTER_NOT_FOUND,
    ROUTER_METHOD_NOT_ALLOWED,
} router_result;

/* Hooks of the HTTP layer around every routed request (http/partner.c): gate runs after the route
 * is matched (whatever the result) and before the handler; returning false means it wrote the
 * answer itself, and no handler runs. finish runs after the answer is made, to add headers or turn
 * it into a 304. Either may be NULL. */
typedef bool (*route_gate_fn)(const struct req *req, struct resp *resp, void *ctx,
                              router_result found);
typedef void (*route_finish_fn)(const struct req *req, struct resp *resp, void *ctx);

/* Finds the route for method + path. The match points into routes and path, which must outlive
 * it. */
router_result router_match(const route_t *routes, size_t nroutes, const char *method,
                           const char *path, route_match_t *m);

/* Copies the captured segment called name into out (NUL-terminated). False when there is no such
 * capture or it does not fit. */
bool router_param(const route_match_t *m, const char *name, char *out, size_t outlen) MUST_CHECK;

#endif
