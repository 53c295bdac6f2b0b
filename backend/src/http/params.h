/* params: reading and validating request parameters.
 *
 * Each function either stores a valid value and returns true, or writes the 400 answer naming the
 * parameter into resp and returns false; the handler then just returns. */
#ifndef SC_PARAMS_H
#define SC_PARAMS_H

#include <stdint.h>

#include "core/common.h"
#include "domain/cursor.h"
#include "server/request.h"
#include "server/response.h"

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

/* The path capture name as a positive 63-bit integer written in plain decimal. */
bool param_path_id(const req_t *req, resp_t *resp, const char *name, int64_t *out) MUST_CHECK;

#endif
