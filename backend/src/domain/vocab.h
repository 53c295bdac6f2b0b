/* vocab: the controlled vocabularies (themes and sub-themes, actor types, publics, scales,
 * stages, methods) with their labels in one language. */
#ifndef SC_VOCAB_H
#define SC_VOCAB_H

#include <jansson.h>

#include "domain/status.h"
#include "storage/db.h"

extern const db_stmt_t vocab_stmts[];

/* *out is {"lang":…, "vocabularies":{"themes":[{code,label,children:[…]}], "actor_types":[…],…}}
 * on DOM_OK. lang is "fr" or "en"; English falls back to French where a label is missing. */
dom_status vocab_all(db_t *db, const char *lang, json_t **out) MUST_CHECK;

#endif
