/* suggest: what to propose while people type in the search box — initiative titles,
 * territories and themes, each group best first. docs/api.md (GET /api/v1/suggest) gives the
 * shapes. */
#ifndef SC_SUGGEST_H
#define SC_SUGGEST_H

#include <jansson.h>

#include "domain/status.h"
#include "storage/db.h"

#define SUGGEST_Q_MAX     100 /* bytes */
#define SUGGEST_LIMIT_MAX 10  /* entries per group */

extern const db_stmt_t suggest_stmts[];

/* *out is a new {"initiatives":[{id,title,slug}], "territories":[TERRITORY],
 * "themes":[{code,label,kind}]} on DOM_OK, each list at most limit (1..SUGGEST_LIMIT_MAX) long.
 * q is valid UTF-8 of 1..SUGGEST_Q_MAX bytes, compared without case, accents or punctuation;
 * lang is "fr" or "en" (theme labels are matched and returned in it). */
dom_status suggest_all(db_t *db, const char *q, int limit, const char *lang,
                       json_t **out) MUST_CHECK;

#endif
