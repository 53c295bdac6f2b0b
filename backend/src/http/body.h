/* body: the JSON body of a write, parsed with jansson and checked against the endpoint's fields.
 *
 * Every write reads its body through body_parse, so every write refuses the same things the same
 * way (docs/api.md, "Writes"): another Content-Type (415), a body over the cap (413), invalid JSON
 * or UTF-8 (400 invalid_json), anything but an object, an unknown field, a missing required field,
 * a wrong type, a string empty, too long or holding control characters (400 invalid_field naming
 * the field). */
#ifndef SC_BODY_H
#define SC_BODY_H

#include <jansson.h>

#include "core/common.h"
#include "server/request.h"
#include "server/response.h"

#define BODY_MAX_DEFAULT (64 * 1024) /* the cap of account and personal bodies */

typedef enum body_kind {
    BODY_STR,    /* one line of text: trimmed, 1..max characters, no control character */
    BODY_TEXT,   /* text that may hold line breaks and tabs: trimmed, 0..max characters */
    BODY_SECRET, /* a password or token: kept as sent (not trimmed), 1..max characters */
    BODY_INT,    /* an integer in [min, max] */
    BODY_ENUM,   /* one of choices */
    BODY_OBJECT, /* any JSON object (the endpoint checks its members) */
    BODY_BOOL,   /* true or false */
    BODY_ARRAY,  /* a JSON array of at most max members (the endpoint checks its members) */
} body_kind;

typedef struct body_field {
    const char *name; /* NULL ends the list */
    body_kind kind;
    bool required;
    long long min; /* BODY_INT: smallest value */
    long long max; /* BODY_INT: largest value; string kinds: most characters (code points) */
    const char *const *choices; /* BODY_ENUM: NULL-terminated allowed values */
} body_field_t;

/* Parses and validates the request's body against fields (a static array ended by a NULL name),
 * at most max_bytes long. On success *out is a new object (the caller owns it and json_decrefs
 * it) holding only listed fields, strings trimmed as their kind says. On failure the error is
 * written to resp, *out is NULL and false is returned: the handler just returns. An empty body
 * is read as {} (for writes without fields). */
bool body_parse(const req_t *req, resp_t *resp, const body_field_t *fields, size_t max_bytes,
                json_t **out) MUST_CHECK;

/* The string member name of a parsed body, or NULL when absent. Borrowed from body. */
const char *body_str(const json_t *body, const char *name);

/* The integer member name, or def when absent. */
long long body_int(const json_t *body, const char *name, long long def);

/* Checks one string the way body_parse checks a field of kind (for values inside BODY_OBJECT
 * members): false when it breaks the rules. *trimmed_start/len describe the trimmed value. */
bool body_check_text(const char *s, body_kind kind, long long max, size_t *trimmed_start,
                     size_t *trimmed_len) MUST_CHECK;

#endif
