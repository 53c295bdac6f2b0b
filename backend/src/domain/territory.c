#include "domain/territory.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "domain/rows.h"
#include "domain/status.h"

/* The TERRITORY columns: t is the territory; its parents are looked up by level, since codes are
 * unique within a level only. A territory's own level is never its parent. */
#define TERRITORY_COLUMNS                                                                          \
    "t.level, t.code, t.name, t.population, to_json(t.postcodes),"                                 \
    " t.commune_code, (SELECT name FROM territory c WHERE c.level = 'commune'"                     \
    "                    AND c.code = t.commune_code),"                                            \
    " CASE WHEN t.level IN ('commune', 'arrondissement') THEN t.departement_code END,"             \
    " (SELECT name FROM territory d WHERE d.level = 'departement' AND d.code = t.departement_code" \
    "    AND t.level IN ('commune', 'arrondissement')),"                                           \
    " CASE WHEN t.level <> 'region' THEN t.region_code END,"                                       \
    " (SELECT name FROM territory r WHERE r.level = 'region' AND r.code = t.region_code"           \
    "    AND t.level <> 'region'),"                                                                \
    " ST_X(t.point), ST_Y(t.point)"
#define TERRITORY_NCOLS 13

/* Among the candidate sets, a lower tier is a better match: a postcode (an arrondissement before
 * its city: people type the postcode of where they live), the code itself, the exact name key, a
 * name starting with the text, a similar name. Within a tier, the most populous first. */
/* Each tier keeps only its best $3 rows before they are merged: a short text such as "saint"
 * starts thousands of names, and sorting them all would cost more than the answer is worth. The
 * names starting with the text are a range of territory_name_key_prefix_idx, read from the index
 * alone (sql/migrations/014); similar names are looked for only when fewer than $3 names start
 * with the text, since they would all come after those (comparing "saint" with the thousands of
 * names sharing its trigrams cost 50 ms), and only above a similarity of 0.4
 * (sc_territory_similar, sql/migrations/024). A code is looked for only in a text shaped like
 * one, by level and code: the primary key leads with the level, and a code alone made PostgreSQL
 * read the whole index (1.3 to 2.2 ms for any text). */
/* clang-format off */
#define SUGGEST_TIER(tier, sim, where, order)                                                      \
    " (SELECT t.level, t.code, " tier " AS tier, " sim "::real AS sim, t.population"               \
    "    FROM territory t, k WHERE " where " AND ($2 = '' OR t.level = $2)"                        \
    "   ORDER BY " order " LIMIT $3::int)"
#define SUGGEST_SQL                                                                                \
    "WITH k AS (SELECT sc_geo_key($1) AS key, upper($1) AS raw), prefix AS "                       \
    SUGGEST_TIER("4", "1", "length(k.key) >= 2 AND t.name_key ~>=~ k.key"                          \
                 " AND t.name_key ~<~ (k.key || '~')",                                             \
                 "t.population DESC NULLS LAST")                                                   \
    ", cand AS ("                                                                                  \
    SUGGEST_TIER("CASE WHEN t.level = 'arrondissement' THEN 0 ELSE 1 END", "1",                    \
                 "k.raw ~ '^[0-9]{5}$' AND t.postcodes @> ARRAY[k.raw]",                           \
                 "3, t.population DESC NULLS LAST")                                                \
    " UNION ALL"                                                                                   \
    SUGGEST_TIER("2", "1", "k.raw ~ '^[0-9][0-9AB][0-9]{0,3}$'"                                    \
                 " AND t.level IN ('region', 'departement', 'commune', 'arrondissement')"          \
                 " AND t.code = k.raw", "t.population DESC NULLS LAST")                            \
    " UNION ALL"                                                                                   \
    SUGGEST_TIER("3", "1", "k.key <> '' AND t.name_key = k.key", "t.population DESC NULLS LAST")   \
    " UNION ALL SELECT * FROM prefix"                                                              \
    " UNION ALL SELECT s.level, s.code, 5 AS tier, s.sim, s.population"                            \
    "  FROM k, sc_territory_similar(k.key, $2, $3::int) s"                                         \
    " WHERE (SELECT count(*) FROM prefix) < $3::int AND length(k.key) >= 3"                        \
    "), best AS (SELECT DISTINCT ON (level, code) level, code, tier, sim FROM cand"                \
    "            ORDER BY level, code, tier, sim DESC)"                                            \
    " SELECT " TERRITORY_COLUMNS " FROM best b JOIN territory t USING (level, code)"               \
    " ORDER BY b.tier, b.sim DESC, t.population DESC NULLS LAST, t.name LIMIT $3"
/* clang-format on */

const db_stmt_t territory_stmts[] = {
        {"territory_get",
         "SELECT " TERRITORY_COLUMNS " FROM territory t WHERE t.level = $1 AND t.code = $2", 2,
         true},
        {"territory_detail",
         "SELECT (SELECT count(*) FROM territory c WHERE c.level = 'departement' AND $1 = 'region'"
         "          AND c.region_code = $2),"
         "       (SELECT count(*) FROM territory c WHERE c.level = 'commune'"
         "          AND (($1 = 'region' AND c.region_code = $2)"
         "            OR ($1 = 'departement' AND c.departement_code = $2))),"
         "       (SELECT count(*) FROM territory c WHERE c.level = 'arrondissement'"
         "          AND (($1 = 'region' AND c.region_code = $2)"
         "            OR ($1 = 'departement' AND c.departement_code = $2)"
         "            OR ($1 = 'commune' AND c.commune_code = $2))),"
         "       ST_XMin(t.contour), ST_YMin(t.contour), ST_XMax(t.contour), ST_YMax(t.contour)"
         "  FROM territory t WHERE t.level = $1 AND t.code = $2",
         2, true},
        {"territory_resolve",
         "SELECT level, CASE WHEN level <> 'region' THEN region_code END FROM territory"
         " WHERE code = $1"
         " ORDER BY array_position(ARRAY['commune', 'arrondissement', 'departement', 'region'], "
         "level)"
         " LIMIT 1",
         1, true},
        {"territory_suggest", SUGGEST_SQL, 3, true},
        /* The tolerance is about one pixel of a 256-pixel tile at that zoom, in degrees. */
        {"territory_contour",
         "SELECT json_build_object('type', 'Feature',"
         "         'properties', json_build_object('ref', level || ':' || code, 'code', code,"
         "                                         'level', level, 'name', name),"
         "         'geometry', ST_AsGeoJSON(ST_SimplifyPreserveTopology(contour,"
         "                                  360.0 / (256 * 2 ^ $3::int)), 5)::json)"
         "  FROM territory WHERE level = $1 AND code = $2 AND contour IS NOT NULL",
         3, true},
        {"territory_at_point",
         "SELECT level, code FROM territory, ST_SetSRID(ST_MakePoint($1::float8, $2::float8), "
         "4326) p"
         " WHERE level = 'commune' AND contour && p AND ST_Contains(contour, p) LIMIT 1",
         2, true},
        {NULL, NULL, 0, false},
};

static const char *const levels[] = {"region", "departement", "commune", "arrondissement"};

/* Régions: 2 digits; départements: 2 digits, 2A/2B or 97x; communes and arrondissements: 5
 * characters, digits or 2A/2B followed by 3 digits. */
static bool code_fits(const char *level, const char *code) {
    size_t n = strlen(code);
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)code[i]) &&
            !(i == 1 && code[0] == '2' && (code[1] == 'A' || code[1] == 'B')))
            return false;
    if (strcmp(level, "region") == 0)
        return n == 2 && isdigit((unsigned char)code[1]);
    if (strcmp(level, "departement") == 0)
        return n == 2 || (n == 3 && code[0] == '9' && code[1] == '7');
    if (strcmp(level, "commune") == 0 || strcmp(level, "arrondissement") == 0)
        return n == 5;
    return n == 2 || n == 3 || n == 5; /* bare */
}

bool territory_ref_parse(const char *text, territory_ref_t *out) {
    const char *colon = strchr(text, ':');
    const char *code = colon ? colon + 1 : text;
    size_t llen = colon ? (size_t)(colon - text) : 0;
    size_t clen = strlen(code);
    memset(out, 0, sizeof *out);
    if (colon) {
        bool known = false;
        for (size_t i = 0; i < ARRAY_LEN(levels); i++)
            if (strlen(levels[i]) == llen && memcmp(levels[i], text, llen) == 0)
                known = true;
        if (!known)
            return false;
        memcpy(out->level, text, llen);
    }
    if (clen == 0 || clen >= sizeof out->code)
        return false;
    for (size_t i = 0; i < clen; i++)
        out->code[i] = (char)toupper((unsigned char)code[i]);
    return code_fits(out->level, out->code);
}

void territory_ref_format(const territory_ref_t *ref, char *out, size_t outlen) {
    snprintf(out, outlen, "%s:%s", ref->level, ref->code);
}

dom_status territory_resolve(db_t *db, territory_ref_t *ref) {
    PGresult *r;
    dom_status st;
    if (ref->level[0] != '\0') {
        const char *params[] = {ref->level, ref->code};
        st = dom_from_db(db_exec(db, "territory_get", 2, params, &r));
        if (st == DOM_OK) {
            st = PQntuples(r) == 1 ? DOM_OK : DOM_NOT_FOUND;
            if (st == DOM_OK) /* TERRITORY_COLUMNS: the parent région is the tenth */
                snprintf(ref->region, sizeof ref->region, "%s", PQgetvalue(r, 0, 9));
            PQclear(r);
        }
        return st;
    }
    const char *params[] = {ref->code};
    st = dom_from_db(db_exec(db, "territory_resolve", 1, params, &r));
    if (st != DOM_OK)
        return st;
    if (PQntuples(r) == 1) {
        snprintf(ref->level, sizeof ref->level, "%s", PQgetvalue(r, 0, 0));
        snprintf(ref->region, sizeof ref->region, "%s", PQgetvalue(r, 0, 1));
    } else
        st = DOM_NOT_FOUND;
    PQclear(r);
    return st;
}

static json_t *str_or_null(const PGresult *r, int row, int col) {
    if (PQgetisnull(r, row, col))
        return json_null();
    return json_string(PQgetvalue(r, row, col));
}

static json_t *named(const PGresult *r, int row, int col) {
    if (PQgetisnull(r, row, col))
        return json_null();
    return json_pack("{s:s, s:o}", "code", PQgetvalue(r, row, col), "name",
                     str_or_null(r, row, col + 1));
}

/* Builds TERRITORY from row `row` of a result whose first columns are TERRITORY_COLUMNS. */
static json_t *territory_row_json(const PGresult *r, int row) {
    char ref[40];
    json_error_t err;
    json_t *postcodes = json_loads(PQgetvalue(r, row, 4), 0, &err);
    json_t *population = PQgetisnull(r, row, 3)
                                 ? json_null()
                                 : json_integer(strtoll(PQgetvalue(r, row, 3), NULL, 10));
    json_t *point = json_null();
    if (!PQgetisnull(r, row, 11)) {
        json_decref(point);
        point = json_pack("{s:f, s:f}", "lon", strtod(PQgetvalue(r, row, 11), NULL), "lat",
                          strtod(PQgetvalue(r, row, 12), NULL));
    }
    snprintf(ref, sizeof ref, "%s:%s", PQgetvalue(r, row, 0), PQgetvalue(r, row, 1));
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "ref", ref, "code",
                     PQgetvalue(r, row, 1), "level", PQgetvalue(r, row, 0), "name",
                     PQgetvalue(r, row, 2), "population", population, "postcodes",
                     postcodes ? postcodes : json_array(), "commune", named(r, row, 5),
                     "departement", named(r, row, 7), "region", named(r, row, 9), "point", point);
}

static bool add_detail(db_t *db, const territory_ref_t *ref, json_t *o, dom_status *st) {
    const char *params[] = {ref->level, ref->code};
    PGresult *r;
    *st = dom_from_db(db_exec(db, "territory_detail", 2, params, &r));
    if (*st != DOM_OK)
        return false;
    bool has_contour = !PQgetisnull(r, 0, 3);
    json_t *bbox = json_null();
    if (has_contour) {
        json_decref(bbox);
        bbox = json_pack("[f, f, f, f]", strtod(PQgetvalue(r, 0, 3), NULL),
                         strtod(PQgetvalue(r, 0, 4), NULL), strtod(PQgetvalue(r, 0, 5), NULL),
                         strtod(PQgetvalue(r, 0, 6), NULL));
    }
    bool ok =
            json_object_set_new(
                    o, "children",
                    json_pack("{s:I, s:I, s:I}", "departement",
                              (json_int_t)strtoll(PQgetvalue(r, 0, 0), NULL, 10), "commune",
                              (json_int_t)strtoll(PQgetvalue(r, 0, 1), NULL, 10), "arrondissement",
                              (json_int_t)strtoll(PQgetvalue(r, 0, 2), NULL, 10))) == 0 &&
            json_object_set_new(o, "bbox", bbox) == 0 &&
            json_object_set_new(o, "has_contour", json_boolean(has_contour)) == 0;
    PQclear(r);
    if (!ok)
        *st = DOM_INTERNAL;
    return ok;
}

dom_status territory_get(db_t *db, const territory_ref_t *ref, bool detail, json_t **out) {
    const char *params[] = {ref->level, ref->code};
    PGresult *r;
    dom_status st = dom_exec_one(db, "territory_get", 2, params, &r);
    *out = NULL;
    if (st != DOM_OK)
        goto done;
    *out = territory_row_json(r, 0);
    if (*out == NULL) {
        st = DOM_INTERNAL;
        goto done;
    }
    if (detail && !add_detail(db, ref, *out, &st)) {
        json_decref(*out);
        *out = NULL;
    }
done:
    PQclear(r);
    return st;
}

dom_status territory_suggest_items(const PGresult *r, json_t **out) {
    json_t *items = json_array();
    *out = NULL;
    if (items == NULL)
        return DOM_INTERNAL;
    for (int i = 0; i < PQntuples(r); i++)
        if (json_array_append_new(items, territory_row_json(r, i)) != 0) {
            json_decref(items);
            return DOM_INTERNAL;
        }
    *out = items;
    return DOM_OK;
}

dom_status territory_suggest(db_t *db, const char *q, const char *level, int limit, json_t **out) {
    char lim[16];
    snprintf(lim, sizeof lim, "%d", limit);
    const char *params[] = {q, level ? level : "", lim};
    PGresult *r;
    json_t *items;
    dom_status st = dom_from_db(db_exec(db, "territory_suggest", 3, params, &r));
    *out = NULL;
    if (st != DOM_OK)
        return st;
    st = territory_suggest_items(r, &items);
    PQclear(r);
    if (st != DOM_OK)
        return st;
    *out = json_pack("{s:o}", "items", items);
    return *out ? DOM_OK : DOM_INTERNAL;
}

dom_status territory_contour(db_t *db, const territory_ref_t *ref, int zoom, json_t **out) {
    char z[8];
    snprintf(z, sizeof z, "%d", zoom);
    const char *params[] = {ref->level, ref->code, z};
    PGresult *r;
    json_error_t err;
    dom_status st = dom_exec_one(db, "territory_contour", 3, params, &r);
    *out = NULL;
    if (st != DOM_OK)
        goto done;
    *out = json_loadb(PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0), 0, &err);
    if (*out == NULL) {
        log_msg(LOG_ERROR, "contour of %s:%s: %s", ref->level, ref->code, err.text);
        st = DOM_INTERNAL;
    }
done:
    PQclear(r);
    return st;
}

dom_status territory_at_point(db_t *db, double lon, double lat, json_t **out) {
    char x[32], y[32];
    territory_ref_t ref;
    snprintf(x, sizeof x, "%.7f", lon);
    snprintf(y, sizeof y, "%.7f", lat);
    const char *params[] = {x, y};
    PGresult *r;
    dom_status st = dom_from_db(db_exec(db, "territory_at_point", 2, params, &r));
    *out = NULL;
    if (st != DOM_OK)
        return st;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return DOM_NOT_FOUND;
    }
    snprintf(ref.level, sizeof ref.level, "%s", PQgetvalue(r, 0, 0));
    snprintf(ref.code, sizeof ref.code, "%s", PQgetvalue(r, 0, 1));
    PQclear(r);
    return territory_get(db, &ref, false, out);
}
