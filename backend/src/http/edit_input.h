/* edit_input: what the handlers of contributions, claims and edits share — the "fields" object
 * checked and refused the same way everywhere, their rate limit, and the reason a refusal needs.
 * Each function either succeeds, or writes the error answer and returns false. */
#ifndef SC_EDIT_INPUT_H
#define SC_EDIT_INPUT_H

#include <jansson.h>

#include "domain/people/actor.h"
#include "http/app.h"
#include "server/response.h"

/* Checks raw (the body's "fields", borrowed) with fields_check; non_empty refuses {} (a
 * correction or an edit changes at least one field). On success *out is new (caller owns). */
bool edit_fields(app_t *app, resp_t *resp, const json_t *raw, bool non_empty,
                 json_t **out) MUST_CHECK;

/* At most 60 contributions, claims or edits of kind per member and hour (429 beyond). */
bool edit_rate_limit(app_t *app, resp_t *resp, const actor_t *actor, const char *kind) MUST_CHECK;

/* A decision other than "approve", "keep" or "take_source" needs a reason (400 naming it). */
bool edit_reason_given(resp_t *resp, const json_t *body) MUST_CHECK;

#endif
