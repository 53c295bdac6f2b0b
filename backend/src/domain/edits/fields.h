/* fields: the initiative fields that people propose, correct and edit — checked once, the same
 * way for proposals, corrections, carrier edits and moderators (docs/api.md, "Contributions").
 *
 * A "fields" object holds any subset of: title, summary, description, actor_name, actor_type,
 * themes, subthemes, publics, scale, stage, start_year, website, place. Values are checked for
 * type, length and control characters here; vocabulary codes and the place against the database
 * (the place's point must lie in a French commune, whose code, postcode and precision are added).
 * The result is in the shape of the SQL function initiative_fields(), ready for
 * initiative_revise. */
#ifndef SC_EDIT_FIELDS_H
#define SC_EDIT_FIELDS_H

#include <jansson.h>

#include "domain/status.h"
#include "storage/db.h"

#define FIELDS_MESSAGE_MAX 300

/* Why a fields object was refused: the field it names ("fields.title", "fields.place.lon"…,
 * static) and a French sentence for the person. */
typedef struct fields_error {
    const char *field;
    char message[FIELDS_MESSAGE_MAX];
} fields_error_t;

extern const db_stmt_t fields_stmts[];

/* Checks in (borrowed; must be an object). On DOM_OK either *out is a new object (caller owns)
 * holding the canonical values, or *out is NULL and err says what is wrong. Other statuses: the
 * database could not be asked. */
dom_status fields_check(db_t *db, const json_t *in, json_t **out, fields_error_t *err) MUST_CHECK;

#endif
