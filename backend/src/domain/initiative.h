/* initiative: reading initiatives — one full record, or pages of short items.
 *
 * Records are returned as jansson objects in the shapes of docs/api.md. Labels are in `lang`
 * ("fr" or "en"). */
#ifndef SC_INITIATIVE_H
#define SC_INITIATIVE_H

#include <jansson.h>
#include <stdint.h>

#include "domain/cursor.h"
#include "domain/status.h"
#include "storage/db.h"

#define INITIATIVE_PAGE_MAX 100

extern const db_stmt_t initiative_stmts[];

/* The published initiative with this id, in full. *out is a new reference on DOM_OK. */
dom_status initiative_get(db_t *db, int64_t id, const char *lang, json_t **out) MUST_CHECK;

/* The published initiatives with these ids (n at most INITIATIVE_MANY_MAX), in full, read in one
 * round trip: out[i] is a new reference, or NULL when ids[i] is not published. On failure none is
 * set. */
#define INITIATIVE_MANY_MAX 500
dom_status initiative_get_many(db_t *db, const int64_t *ids, size_t n, const char *lang,
                               json_t **out) MUST_CHECK;

/* A page of published initiatives, newest first, after cursor (NULL for the first page).
 * *out is {"items":[…], "next_cursor": …} on DOM_OK. */
dom_status initiative_list(db_t *db, const cursor_t *after, int limit, const char *lang,
                           json_t **out) MUST_CHECK;

/* Shared with search: the SQL of the short form, and its conversion to JSON. ITEM_COLUMNS take
 * the language as $1 and read `i` (initiative) joined with ITEM_JOINS(ids), where ids completes a
 * condition on an initiative id that holds for the ids of the page (" = ANY ($2::bigint[])").
 * The themes, demo flag and sources of the page's initiatives are read by one statement each,
 * grouped by initiative, rather than by a subquery per initiative: 0.70 instead of 0.97 ms for a
 * page of 20, the same bytes. */
#define INITIATIVE_LABEL_OF(v)                                                        \
    "CASE WHEN $1::text = 'en' THEN coalesce(" v ".label_en, " v ".label_fr) ELSE " v \
    ".label_fr END"
#define INITIATIVE_ITEM_COLUMNS                                                                    \
    "i.id, i.slug, i.title, i.summary, i.actor_name, i.actor_type, " INITIATIVE_LABEL_OF(          \
            "va") ", coalesce(th.themes, '[]'::json),"                                             \
                  " i.commune_code, tc.name, i.departement_code, td.name, i.region_code, tr.name," \
                  " ST_X(i.geom), ST_Y(i.geom), i.geo_precision, coalesce(dm.demo, false),"        \
                  " to_char(i.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"   \
                  " (extract(epoch FROM i.created_at) * 1000000)::bigint, coalesce(so.sources, "   \
                  "'[]'::json)"
#define INITIATIVE_ITEM_NCOLS 21
#define INITIATIVE_ITEM_JOINS(ids)                                                                 \
    " LEFT JOIN territory tc ON tc.level = 'commune' AND tc.code = i.commune_code"                 \
    " LEFT JOIN territory td ON td.level = 'departement' AND td.code = i.departement_code"         \
    " LEFT JOIN territory tr ON tr.level = 'region' AND tr.code = i.region_code"                   \
    " LEFT JOIN vocabulary va ON va.kind = 'actor_type' AND va.code = i.actor_type"                \
    " LEFT JOIN (SELECT t.id, json_agg(CASE WHEN v.parent IS NULL"                                 \
    "     THEN json_build_object('code', v.code, 'label', " INITIATIVE_LABEL_OF(                   \
            "v") ")"                                                                               \
                 "     ELSE json_build_object('code', v.code, 'label', " INITIATIVE_LABEL_OF(      \
                         "v") ","                                                                  \
                              "                            'parent', v.parent) END ORDER BY "      \
                              "t.ord) AS themes"                                                   \
                              "   FROM (SELECT i2.id, c.code, c.ord FROM initiative i2,"           \
                              "           unnest(i2.themes) WITH ORDINALITY AS c(code, ord) "      \
                              "WHERE i2.id" ids ") t"                                              \
                              "   JOIN vocabulary v ON v.kind = 'theme' AND v.code = t.code "      \
                              "GROUP BY t.id) th"                                                  \
                              " ON th.id = i.id"                                                   \
                              " LEFT JOIN (SELECT sr.initiative_id AS id, bool_and(s.is_demo) AS " \
                              "demo"                                                               \
                              "   FROM source_record sr JOIN source s ON s.id = sr.source_id"      \
                              "  WHERE sr.initiative_id" ids " GROUP BY 1) dm ON dm.id = i.id"     \
                              " LEFT JOIN (SELECT x.id, json_agg(json_build_object('code', "       \
                              "x.code, 'name', x.name)"                                            \
                              "                    ORDER BY x.name, x.code) AS sources"            \
                              "   FROM (SELECT DISTINCT sr.initiative_id AS id, s.code, s.name "   \
                              "FROM source_record sr"                                              \
                              "           JOIN source s ON s.id = sr.source_id"                    \
                              "          WHERE sr.initiative_id" ids                               \
                              " AND sr.gone_at IS NULL) x GROUP BY x.id) so"                       \
                              " ON so.id = i.id"

#endif
