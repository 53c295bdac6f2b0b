/* params: reading and validating request parameters.
 *
 * Each function either stores a valid value and returns true, or writes the 400 answer naming the
 * parameter into resp and returns false; the handler then just returns. */
#ifndef SC_PARAMS_H
#define SC_PARAMS_H

#include <stdint.h>

#include "core/common.h"
#include "domain/cursor.h"
#include "domain/territory.h"
#include "server/request.h"
#include "server/response.h"
#include "storage/db.h"

/* limit: an integer in [1, max]; def when absent. */
bool param_limit(const req_t *req, resp_t *resp, int def, int max, int *out) MUST_CHECK;

/* cursor: absent (has = false) or a cursor this API produced. */
bool param_cursor(const req_t *req, resp_t *resp, cursor_t *out, bool *has) MUST_CHECK;

/* lang: "fr" (default) or "en". Points to a static string. */
bool param_lang(const req_t *req, resp_t *resp, const char **out) MUST_CHECK;

/* A free-text parameter: valid UTF-8, no control characters but tab and newline, at most max
 * bytes. *out is NULL when absent, trimmed of surrounding spaces otherwise; points into req or
 * into buf (which must hold max + 1 bytes). */
bool param_text(const req_t *req, resp_t *resp, const char *name, size_t max, char *buf,
                const char **out) MUST_CHECK;

/* An integer parameter in [min, max]; def when absent. */
bool param_int(const req_t *req, resp_t *resp, const char *name, int def, int min, int max,
               int *out) MUST_CHECK;

/* Parses a plain decimal ("45.76", "-1.5": optional minus, digits, at most one dot; no exponent,
 * no hex, no spaces, at most 32 characters). False for anything else. */
bool param_decimal(const char *s, double *out) MUST_CHECK;

/* A decimal number in [min, max] written plainly ("45.76", "-1.5"; no exponent, no hex, no
 * spaces). *has is false when the parameter is absent. */
bool param_double(const req_t *req, resp_t *resp, const char *name, double min, double max,
                  double *out, bool *has) MUST_CHECK;

/* The path capture name as a positive 63-bit integer written in plain decimal. */
bool param_path_id(const req_t *req, resp_t *resp, const char *name, int64_t *out) MUST_CHECK;

/* A source slug in the path (name): ^[a-z0-9][a-z0-9_-]{0,62}$, else 400. out holds 64 bytes. */
bool param_path_slug(const req_t *req, resp_t *resp, const char *name, char out[64]) MUST_CHECK;

/* A territory reference in the path (name): malformed → 400, unknown → 404. Resolves bare codes.
 * With db NULL, only the form is checked (nothing is resolved): a handler does that before its
 * cache lookup, and calls again with its db on a miss, so that a cached answer needs no query. */
bool param_path_territory(const req_t *req, resp_t *resp, db_t *db, const char *name,
                          territory_ref_t *out) MUST_CHECK;

/* territory=REF[,REF…]: at most max references, each existing (400 naming the first that is not).
 * *n is 0 when the parameter is absent. With db NULL, only their form is checked (as above). */
bool param_territories(const req_t *req, resp_t *resp, db_t *db, territory_ref_t *out, size_t max,
                       size_t *n) MUST_CHECK;

#endif
