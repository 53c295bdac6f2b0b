#include "domain/suggest.h"

#include <stdio.h>
#include <stdlib.h>

#include "domain/rows.h"
#include "domain/status.h"
#include "domain/territory.h"

/* The typed text as titles and labels are compared: lower case, no accents, words separated by
 * single spaces (sc_normalize). Empty when the text holds no letter or digit: nothing matches. */
#define NQ "sc_normalize($1)"

/* One LIKE pattern per typed word, '% word%': a word of the text (padded with spaces) starts with
 * it. Every typed word counts as a beginning, since people abbreviate ("jard part"). The words
 * hold only [a-z0-9], so they cannot carry LIKE wildcards. */
#define WORD_PATTERNS "ARRAY(SELECT '% ' || w || '%' FROM unnest(string_to_array(" NQ ", ' ')) w)"

/* The indexed form of a title (sql/migrations/006_suggest.sql): spaces mark where words begin. */
#define PADDED "(' ' || i.title_norm || ' ')"

/* The same patterns, longest words first, and the trigram index condition built from them: the
 * index takes patterns one by one (not an array), so it gets the four longest words, the rarest,
 * which narrow its search best (a missing word is '%', which matches anything); every word is
 * checked again with WORD_PATTERNS. */
#define SORTED_PATTERNS                                                          \
    "(ARRAY(SELECT '% ' || w || '%' FROM unnest(string_to_array(" NQ ", ' ')) w" \
    " ORDER BY length(w) DESC, w))"
#define WORDS_INDEXED                                                              \
    "(' ' || i.title_norm || ' ') LIKE coalesce(" SORTED_PATTERNS "[1], '%')"      \
    " AND (' ' || i.title_norm || ' ') LIKE coalesce(" SORTED_PATTERNS "[2], '%')" \
    " AND (' ' || i.title_norm || ' ') LIKE coalesce(" SORTED_PATTERNS "[3], '%')" \
    " AND (' ' || i.title_norm || ' ') LIKE coalesce(" SORTED_PATTERNS "[4], '%')"

/* Initiatives, in tiers: 0, the title starts with the text; 1, every typed word starts a word of
 * the title; 2, the title resembles the text (a typo: trigram word similarity). Within a tier
 * the most recent first (the most similar first in tier 2).
 *
 * The work is bounded whatever the text, because a short or common text matches a large part of
 * a million titles and ordering all of them by date costs hundreds of milliseconds:
 * - recent, w: the newest RECENT_WINDOW published initiatives, checked one by one. When the text
 *   is common, its newest matches are among them, and they are exactly the newest of all.
 * - p: at most PREFIX_CAP titles starting with the text, read from the prefix index alone
 *   (5,000 before: the same first 8 for 38 common prefixes, and 1.4 ms less for "rec"); only
 *   when the window holds fewer than the limit of them, since then it holds the newest of all
 *   (skipping it saves 0.7 ms for "rec").
 * - wordmatch, g: titles matching by words, through the trigram index, only when neither p nor
 *   the window filled the list (then the text is rare, and so are its matches); at most
 *   WORDS_CAP of them. MATERIALIZED: planned on its own it reads the index as a bitmap, and it is
 *   still read only as far as the LIMIT above asks. Inlined, that LIMIT tempts the planner into
 *   walking a whole index in the hope of meeting matches early, which takes seconds when there
 *   are none.
 * - stem, alike, s: only when the tiers above found fewer than the limit. Comparing the text with
 *   every title sharing trigrams with it costs about 10 µs a title, and a misspelt common word
 *   shares trigrams with tens of thousands of titles; so the candidates are the titles starting
 *   with the longest beginning of the text (3 characters at least) that some title starts with,
 *   at most SIMILAR_SCAN rows and SIMILAR_CAP distinct titles. Tier 2 thus forgives a slip
 *   made after the first three characters of a title typed from its beginning.
 * The order is exact unless a text matches more titles than a cap while fewer than the limit of
 * them are among the newest rows; then the newest among the capped candidates are given. */
#define RECENT_WINDOW "1000"
#define PREFIX_CAP    "1000"
#define WORDS_CAP     "1000"
#define SIMILAR_SCAN  "5000"
#define SIMILAR_CAP   "200"
/* Below pg_trgm's default of 0.6, which misses "epicrie" for "épicerie" (0.55): the candidates
 * already share the beginning of the text. */
#define SIMILAR_MIN "0.5"

#define INITIATIVES_SQL                                                                         \
    "WITH recent AS ("                                                                          \
    "  SELECT i.id, i.created_at, i.title_norm FROM initiative i WHERE i.status = 'published'"  \
    "   ORDER BY i.created_at DESC, i.id DESC LIMIT " RECENT_WINDOW "),"                        \
    " w AS ("                                                                                   \
    "  SELECT r.id, r.created_at, CASE WHEN r.title_norm ^@ " NQ " THEN 0 ELSE 1 END AS tier,"  \
    "         1::real AS sim"                                                                   \
    "    FROM recent r"                                                                         \
    "   WHERE " NQ " <> '' AND (' ' || r.title_norm || ' ') LIKE ALL (" WORD_PATTERNS ")),"     \
    " p AS ("                                                                                   \
    "  SELECT c.id, c.created_at, 0 AS tier, 1::real AS sim FROM ("                             \
    "    SELECT i.id, i.created_at FROM initiative i"                                           \
    "     WHERE (SELECT count(*) FROM w WHERE tier = 0) < $2"                                   \
    "       AND i.status = 'published' AND " NQ " <> ''"                                        \
    "       AND i.title_norm ~>=~ " NQ " AND i.title_norm ~<~ (" NQ " || '~')"                  \
    "     ORDER BY i.title_norm USING ~<~ LIMIT " PREFIX_CAP ") c"                              \
    "   ORDER BY c.created_at DESC, c.id DESC LIMIT $2),"                                       \
    " wordmatch AS MATERIALIZED ("                                                              \
    "  SELECT i.id, i.created_at FROM initiative i"                                             \
    "   WHERE (SELECT count(*) FROM p) < $2 AND (SELECT count(*) FROM w WHERE tier = 0) < $2"   \
    "     AND (SELECT count(*) FROM w WHERE tier = 1) < $2"                                     \
    "     AND i.status = 'published' AND " NQ " <> ''"                                          \
    "     AND " WORDS_INDEXED " AND " PADDED " LIKE ALL (" WORD_PATTERNS ")"                    \
    "     AND NOT i.title_norm ^@ " NQ "),"                                                     \
    " g AS ("                                                                                   \
    "  SELECT c.id, c.created_at, 1 AS tier, 1::real AS sim"                                    \
    "    FROM (SELECT * FROM wordmatch LIMIT " WORDS_CAP ") c"                                  \
    "   ORDER BY c.created_at DESC, c.id DESC LIMIT $2),"                                       \
    " stem AS ("                                                                                \
    "  SELECT left(" NQ ", k) AS b FROM generate_series(length(" NQ "), 3, -1) k"               \
    "   WHERE (SELECT count(*) FROM p) < $2"                                                    \
    "     AND (SELECT count(*) FROM (SELECT id FROM w UNION SELECT id FROM p"                   \
    "                                UNION SELECT id FROM g) f) < $2"                           \
    "     AND EXISTS (SELECT 1 FROM initiative i WHERE i.status = 'published'"                  \
    "                    AND i.title_norm ~>=~ left(" NQ ", k)"                                 \
    "                    AND i.title_norm ~<~ (left(" NQ ", k) || '~'))"                        \
    "   ORDER BY k DESC LIMIT 1),"                                                              \
    " alike AS ("                                                                               \
    "  SELECT t.title_norm, word_similarity(" NQ ", ' ' || t.title_norm || ' ') AS sim FROM ("  \
    "    SELECT DISTINCT c.title_norm FROM ("                                                   \
    "      SELECT i.title_norm FROM initiative i WHERE i.status = 'published'"                  \
    "         AND i.title_norm ~>=~ (SELECT b FROM stem)"                                       \
    "         AND i.title_norm ~<~ ((SELECT b FROM stem) || '~')"                               \
    "       ORDER BY i.title_norm USING ~<~ LIMIT " SIMILAR_SCAN ") c"                          \
    "     LIMIT " SIMILAR_CAP ") t),"                                                           \
    " s AS ("                                                                                   \
    "  SELECT x.id, x.created_at, 2 AS tier, a.sim"                                             \
    "    FROM (SELECT * FROM alike ORDER BY sim DESC, title_norm LIMIT $2) a,"                  \
    "         LATERAL (SELECT i.id, i.created_at FROM initiative i"                             \
    "                   WHERE i.status = 'published' AND i.title_norm = a.title_norm"           \
    "                   ORDER BY i.created_at DESC, i.id DESC LIMIT $2) x"                      \
    "   WHERE a.sim >= " SIMILAR_MIN                                                            \
    "   ORDER BY a.sim DESC, x.created_at DESC, x.id DESC LIMIT $2),"                           \
    " best AS ("                                                                                \
    "  SELECT DISTINCT ON (id) id, tier, sim, created_at FROM ("                                \
    "    SELECT * FROM w UNION ALL SELECT * FROM p UNION ALL SELECT * FROM g"                   \
    "    UNION ALL SELECT * FROM s) a"                                                          \
    "   ORDER BY id, tier)"                                                                     \
    " SELECT i.id, i.title, i.slug,"                                                            \
    "   coalesce((SELECT t.name FROM territory t"                                               \
    "              WHERE t.level = 'commune' AND t.code = i.commune_code),"                     \
    "            (SELECT t.name FROM territory t"                                               \
    "              WHERE t.level = 'departement' AND t.code = i.departement_code))"             \
    "   FROM (SELECT * FROM best ORDER BY tier, sim DESC, created_at DESC, id DESC LIMIT $2) b" \
    "   JOIN initiative i ON i.id = b.id"                                                       \
    "  ORDER BY b.tier, b.sim DESC, b.created_at DESC, b.id DESC"

/* Themes and sub-themes (about fifty rows: no index). A label starting with the text first, then
 * one whose words start with the typed words, then one merely containing the text; themes before
 * sub-themes, then in the order of the vocabulary. The labels are stored normalised
 * (sql/migrations/025) and the text is normalised once (q, materialized: inlined, it would be
 * normalised again for each label). */
#define THEMES_SQL                                                                               \
    "WITH q AS MATERIALIZED (SELECT " NQ " AS n)"                                                \
    " SELECT v.code, v.label, v.kind FROM q, ("                                                  \
    "  SELECT kind, code, rank,"                                                                 \
    "         CASE WHEN $2 = 'en' THEN coalesce(label_en, label_fr) ELSE label_fr END AS label," \
    "         CASE WHEN $2 = 'en' THEN label_en_norm ELSE label_fr_norm END AS n"                \
    "    FROM vocabulary WHERE kind IN ('theme', 'subtheme')) v,"                                \
    "  LATERAL (SELECT (' ' || v.n || ' ') LIKE ALL (" WORD_PATTERNS ") AS words) m"             \
    " WHERE q.n <> '' AND (m.words OR v.n LIKE '%' || q.n || '%')"                               \
    " ORDER BY CASE WHEN v.n ^@ q.n THEN 0 WHEN m.words THEN 1 ELSE 2 END,"                      \
    "          v.kind = 'subtheme', v.rank, v.code"                                              \
    " LIMIT $3"

/* The statements of a suggestion are run with their generic plans: planning them costs more than
 * running them (initiatives 3.0 -> 1.2 ms, places 2.7 -> 1.9 ms; the same answers for the texts
 * tried, common, rare and misspelt), and PostgreSQL keeps planning them for each text otherwise,
 * its generic estimates being higher. The setting is local to the batch's transaction
 * (db_exec_batch): it ends with it, whatever happens. */
#define PLAN_GENERIC "SELECT set_config('plan_cache_mode', 'force_generic_plan', true)"

const db_stmt_t suggest_stmts[] = {
        {"suggest_plan_generic", PLAN_GENERIC, 0, true},
        {"suggest_initiatives", INITIATIVES_SQL, 2, true},
        {"suggest_themes", THEMES_SQL, 3, true},
        {NULL, NULL, 0, false},
};

/* Turns each row of r into an object of its columns, all strings but those named in int_cols (a
 * bit per column), null for SQL NULL. *out is a new array on DOM_OK. */
static dom_status rows_json(const PGresult *r, const char *const *keys, unsigned int_cols,
                            json_t **out) {
    json_t *list = json_array();
    *out = NULL;
    if (list == NULL)
        return DOM_INTERNAL;
    for (int row = 0; row < PQntuples(r); row++) {
        json_t *o = json_object();
        if (o == NULL || json_array_append_new(list, o) != 0)
            goto failed;
        for (int col = 0; keys[col] != NULL; col++) {
            const char *v = PQgetvalue(r, row, col);
            json_t *jv = PQgetisnull(r, row, col) ? json_null()
                         : (int_cols >> col) & 1u
                                 ? json_integer(strtoll(v, NULL, 10))
                                 : json_stringn(v, (size_t)PQgetlength(r, row, col));
            if (json_object_set_new(o, keys[col], jv) != 0)
                goto failed;
        }
    }
    *out = list;
    return DOM_OK;
failed:
    json_decref(list);
    return DOM_INTERNAL;
}

dom_status suggest_all(db_t *db, const char *q, int limit, const char *lang, json_t **out) {
    /* place: the commune of the initiative (else its département), to tell like titles apart. */
    static const char *const initiative_keys[] = {"id", "title", "slug", "place", NULL};
    static const char *const theme_keys[] = {"code", "label", "kind", NULL};
    char lim[16];
    json_t *initiatives = NULL, *places = NULL, *themes = NULL;
    snprintf(lim, sizeof lim, "%d", limit);
    const char *iparams[] = {q, lim};
    const char *pparams[] = {q, "", lim};
    const char *tparams[] = {q, lang, lim};
    /* One round trip for the four statements (0.4-0.5 ms less a suggestion than one each, one
     * client at a time); the first makes the plans of the others generic. */
    db_call_t calls[] = {
            {"suggest_plan_generic", 0, NULL, NULL},
            {"suggest_initiatives", 2, iparams, NULL},
            {"territory_suggest", 3, pparams, NULL},
            {"suggest_themes", 3, tparams, NULL},
    };
    *out = NULL;
    dom_status st = dom_from_db(db_exec_batch(db, calls, ARRAY_LEN(calls)));
    if (st != DOM_OK)
        return st;
    if ((st = rows_json(calls[1].result, initiative_keys, 1u, &initiatives)) != DOM_OK ||
        (st = territory_suggest_items(calls[2].result, &places)) != DOM_OK ||
        (st = rows_json(calls[3].result, theme_keys, 0u, &themes)) != DOM_OK)
        goto done;
    *out = json_pack("{s:o, s:o, s:o}", "initiatives", initiatives, "territories", places, "themes",
                     themes);
    initiatives = places = themes = NULL;
    st = *out ? DOM_OK : DOM_INTERNAL;
done:
    for (size_t i = 0; i < ARRAY_LEN(calls); i++)
        PQclear(calls[i].result);
    json_decref(initiatives);
    json_decref(places);
    json_decref(themes);
    return st;
}
