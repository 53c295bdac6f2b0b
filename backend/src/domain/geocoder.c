#include "domain/geocoder.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "domain/geoparse.h"
#include "domain/status.h"
#include "domain/territory.h"

#define REASON_MAX 768
#define QUOTE_MAX  80 /* bytes of the query quoted in a reason */
#define HINTS_MAX  16
#define TYPO_WORDS 4 /* words in a candidate name compared by similarity */
#define TYPO_MAX   6 /* candidate names compared by similarity: each costs an index scan */

#define SIMILAR_MIN      0.3  /* trigram similarity worth a look (pg_trgm's own threshold) */
#define CLOSE_MIN        0.55 /* closeness accepted for a name alone */
#define CLOSE_SURE       0.65 /* a similar name beats an exact one elsewhere or shorter */
#define CLOSE_PREFIX     0.6  /* a name that starts with the words written */
#define SIMILAR_CODE_MIN 0.5  /* word similarity accepted among the communes of a code */

/* The communes of a code, by reading: its own INSEE code, an arrondissement's INSEE code (the
 * city), a former INSEE code, a postcode (with the arrondissements that have it). */
#define CODE_SQL                                                                             \
    "SELECT 'insee' AS how, c.code, c.name, c.population, NULL AS extra, 0 AS rank"          \
    "  FROM territory c WHERE c.level = 'commune' AND c.code = $1"                           \
    " UNION ALL"                                                                             \
    " SELECT 'arrondissement', c.code, c.name, c.population, a.name, 1"                      \
    "  FROM territory a JOIN territory c ON c.level = 'commune' AND c.code = a.commune_code" \
    " WHERE a.level = 'arrondissement' AND a.code = $1"                                      \
    " UNION ALL"                                                                             \
    " SELECT 'old', c.code, c.name, c.population, NULL, 2"                                   \
    "  FROM territory c WHERE c.level = 'commune' AND c.old_codes @> ARRAY[$1::text]"        \
    " UNION ALL"                                                                             \
    " SELECT 'postcode', c.code, c.name, c.population,"                                      \
    "        (SELECT string_agg(a.name, ', ' ORDER BY a.code) FROM territory a"              \
    "          WHERE a.level = 'arrondissement' AND a.commune_code = c.code"                 \
    "            AND a.postcodes @> ARRAY[$1::text]), 3"                                     \
    "  FROM territory c WHERE c.level = 'commune' AND c.postcodes @> ARRAY[$1::text]"        \
    " ORDER BY rank, population DESC NULLS LAST, code LIMIT 200"

/* A commune matches the code of the query through any of its codes. */
#define CODE_OK(t)                                                         \
    "($2 <> '' AND (" t ".postcodes @> ARRAY[$2::text] OR " t ".code = $2" \
    " OR " t ".old_codes @> ARRAY[$2::text]))"

#define NGRAMS_CTE                                                  \
    "WITH g AS (SELECT e.ord::int - 1 AS ord, sc_geo_key(e.t) AS k" \
    "             FROM jsonb_array_elements_text($1::jsonb) WITH ORDINALITY AS e(t, ord)) "

/* Exact name keys of the candidate names: communes, their former names, départements and
 * régions (named in the text as hints); then the hint given in parentheses ($3, ord -1) and the
 * département of an unknown code ($4, ord -2). */
#define NAMES_SQL                                                                                  \
    NGRAMS_CTE                                                                                     \
    "SELECT g.ord, 'commune' AS kind, t.code, t.name, NULL AS alias, t.departement_code,"          \
    "       t.region_code, t.population, " CODE_OK(                                                \
            "t") "  FROM g JOIN territory t ON t.level = 'commune' AND t.name_key = g.k"           \
                 " UNION ALL"                                                                      \
                 " SELECT g.ord, a.kind, t.code, t.name, a.name, t.departement_code, "             \
                 "t.region_code,"                                                                  \
                 "        t.population, " CODE_OK(                                                 \
                         "t") "  FROM g JOIN territory_alias a ON a.name_key = g.k"                \
                              "         JOIN territory t ON t.level = 'commune' AND t.code = "     \
                              "a.commune_code"                                                     \
                              " UNION ALL"                                                         \
                              " SELECT g.ord, t.level, t.code, t.name, NULL, t.departement_code, " \
                              "t.region_code, NULL, false"                                         \
                              "  FROM g JOIN territory t ON t.level IN ('departement', 'region') " \
                              "AND t.name_key = g.k"                                               \
                              " UNION ALL"                                                         \
                              " SELECT -1, t.level, t.code, t.name, NULL, t.departement_code, "    \
                              "t.region_code, NULL, false"                                         \
                              "  FROM territory t"                                                 \
                              " WHERE $3 <> '' AND ((t.level = 'departement' AND t.code = "        \
                              "upper($3))"                                                         \
                              "    OR (t.level IN ('departement', 'region') AND t.name_key = "     \
                              "sc_geo_key($3)))"                                                   \
                              " UNION ALL"                                                         \
                              " SELECT -2, t.level, t.code, t.name, NULL, t.departement_code, "    \
                              "t.region_code, NULL, false"                                         \
                              "  FROM territory t WHERE $4 <> '' AND t.level = 'departement' AND " \
                              "t.code = $4"                                                        \
                              " LIMIT 1000"

/* Similar names (typos) among all communes and former names. */
#define SIMILAR_SQL                                                                           \
    NGRAMS_CTE                                                                                \
    "SELECT g.ord, 'commune' AS kind, t.code, t.name, NULL AS alias, t.departement_code,"     \
    "       t.region_code, t.population, similarity(t.name_key, g.k) AS sim, g.k, t.name_key" \
    "  FROM g JOIN territory t ON t.level = 'commune' AND t.name_key % g.k"                   \
    " WHERE length(g.k) >= 3"                                                                 \
    " UNION ALL"                                                                              \
    " SELECT g.ord, a.kind, t.code, t.name, a.name, t.departement_code, t.region_code,"       \
    "        t.population, similarity(a.name_key, g.k), g.k, a.name_key"                      \
    "  FROM g JOIN territory_alias a ON a.name_key % g.k"                                     \
    "         JOIN territory t ON t.level = 'commune' AND t.code = a.commune_code"            \
    " WHERE length(g.k) >= 3"                                                                 \
    " ORDER BY sim DESC, population DESC NULLS LAST LIMIT 300"

/* Among the communes of a code, how well each name (or former name) appears in the text. */
#define SIMILAR_CODE_SQL                                                                           \
    "WITH c AS (SELECT * FROM territory t WHERE t.level = 'commune'"                               \
    "             AND (t.postcodes @> ARRAY[$1::text] OR t.code = $1"                              \
    "               OR t.old_codes @> ARRAY[$1::text])),"                                          \
    "     k AS (SELECT sc_geo_key($2) AS k)"                                                       \
    " SELECT -1, 'commune' AS kind, c.code, c.name, NULL AS alias, c.departement_code,"            \
    "        c.region_code, c.population, word_similarity(c.name_key, k.k) AS sim"                 \
    "   FROM c, k"                                                                                 \
    " UNION ALL"                                                                                   \
    " SELECT -1, a.kind, c.code, c.name, a.name, c.departement_code, c.region_code, c.population," \
    "        word_similarity(a.name_key, k.k)"                                                     \
    "   FROM c JOIN territory_alias a ON a.commune_code = c.code, k"                               \
    " ORDER BY sim DESC, population DESC NULLS LAST LIMIT 20"

const db_stmt_t geocoder_stmts[] = {
        {"geocoder_code", CODE_SQL, 1, true},
        {"geocoder_names", NAMES_SQL, 4, true},
        {"geocoder_similar", SIMILAR_SQL, 1, true},
        {"geocoder_similar_code", SIMILAR_CODE_SQL, 2, true},
        {"geocoder_departement_top",
         "SELECT c.code, c.name, d.name FROM territory c"
         "  JOIN territory d ON d.level = 'departement' AND d.code = c.departement_code"
         " WHERE c.level = 'commune' AND c.departement_code = $1"
         " ORDER BY c.population DESC NULLS LAST, c.code LIMIT 1",
         1, true},
        {NULL, NULL, 0, false},
};

/* Columns of the name and similarity statements. */
enum { COL_ORD, COL_KIND, COL_CODE, COL_NAME, COL_ALIAS, COL_DEP, COL_REG, COL_POP, COL_LAST };

/* Columns of geocoder_code. */
enum { CC_HOW, CC_CODE, CC_NAME, CC_POP, CC_EXTRA };

typedef struct cand {
    char code[8];
    double conf;
    char reason[REASON_MAX];
} cand_t;

typedef struct answer {
    bool has_match;
    cand_t match;
    int nalts;
    cand_t alts[GEOCODER_ALTERNATIVES_MAX];
} answer_t;

/* One row of the name or similarity statements; the strings point into the result. */
typedef struct hit {
    int ng; /* candidate name (n-gram) index; -1 for the hint in parentheses */
    const char *kind, *code, *name, *alias, *dep, *reg;
    double pop;
    bool code_ok; /* names: the commune has the query's code */
    double sim;   /* similarity statements */
    bool hinted;  /* set while homonyms are sorted: a hint confirms it */
} hit_t;

/* A département or région that confirms a homonym. */
typedef struct hint {
    bool region;
    const char *code, *name;
    int from;        /* counts for a name ending at or before this token; -1: for any name */
    const char *why; /* where it came from, for the reason ("" or " (code CEDEX 75700)") */
    bool from_code;  /* the département of the query's code */
} hint_t;

typedef struct ctx {
    db_t *db;
    const geoparse_t *gp;
    const PGresult *codes; /* geocoder_code for gp->code, or NULL */
    bool code_known;       /* some commune has the code */
    hint_t hints[HINTS_MAX];
    int nhints;
    bool hint_missing; /* a département was given in parentheses that names none */
    int given;         /* index in hints of the département given in parentheses, or -1 */
    char code_dep[4];  /* the département a code implies, even a CEDEX code */
    char code_why[64]; /* how it was found, for the reason */
    int lf, le;        /* where the commune name is expected */
    answer_t *ans;
} ctx_t;

/* --- candidates ---------------------------------------------------------------------------- */

/* Cuts a string that snprintf may have cut inside a character. */
static void utf8_trim_end(char *s) {
    size_t n = strlen(s), i = n;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    if (i == 0)
        return;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (n - (i - 1) < want)
        s[i - 1] = '\0';
}

static void cand_set(cand_t *c, const char *code, double conf, const char *fmt, va_list ap) {
    snprintf(c->code, sizeof c->code, "%s", code);
    if (conf > 1.0)
        conf = 1.0;
    if (conf < 0.05)
        conf = 0.05;
    c->conf = conf;
    vsnprintf(c->reason, sizeof c->reason, fmt, ap);
    utf8_trim_end(c->reason);
}

static void set_match(answer_t *a, const char *code, double conf, const char *fmt, ...)
        PRINTF_LIKE(4, 5);
static void set_match(answer_t *a, const char *code, double conf, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    cand_set(&a->match, code, conf, fmt, ap);
    va_end(ap);
    a->has_match = true;
}

/* Keeps the best GEOCODER_ALTERNATIVES_MAX alternatives, each commune once, never the match. */
static void add_alt(answer_t *a, const char *code, double conf, const char *fmt, ...)
        PRINTF_LIKE(4, 5);
static void add_alt(answer_t *a, const char *code, double conf, const char *fmt, ...) {
    if (a->has_match && strcmp(a->match.code, code) == 0)
        return;
    for (int i = 0; i < a->nalts; i++)
        if (strcmp(a->alts[i].code, code) == 0)
            return;
    cand_t c;
    va_list ap;
    va_start(ap, fmt);
    cand_set(&c, code, conf, fmt, ap);
    va_end(ap);
    int at = a->nalts;
    while (at > 0 && a->alts[at - 1].conf < c.conf)
        at--;
    if (at >= GEOCODER_ALTERNATIVES_MAX)
        return;
    int last = a->nalts < GEOCODER_ALTERNATIVES_MAX ? a->nalts : GEOCODER_ALTERNATIVES_MAX - 1;
    memmove(&a->alts[at + 1], &a->alts[at], (size_t)(last - at) * sizeof c);
    a->alts[at] = c;
    if (a->nalts < GEOCODER_ALTERNATIVES_MAX)
        a->nalts++;
}

/* The query's own words for a reason: at most QUOTE_MAX bytes, cut between characters. */
static void quote_text(const geoparse_t *gp, int first, int count, char *out, size_t outlen) {
    char text[QUOTE_MAX + 1];
    size_t n = geoparse_text(gp, first, count, text, sizeof text);
    if (n == 0 && count > 0 && first < gp->ntokens) { /* one word longer than the cap */
        size_t len = gp->tokens[first].len < QUOTE_MAX ? gp->tokens[first].len : QUOTE_MAX;
        memcpy(text, gp->tokens[first].start, len);
        text[len] = '\0';
        utf8_trim_end(text);
    }
    snprintf(out, outlen, "%s", text);
    utf8_trim_end(out);
}

/* --- database ------------------------------------------------------------------------------ */

static dom_status run(db_t *db, const char *stmt, int n, const char *const *params, PGresult **r) {
    return dom_from_db(db_exec(db, stmt, n, params, r));
}

static const char *col(const PGresult *r, int row, int c) {
    return PQgetisnull(r, row, c) ? NULL : PQgetvalue(r, row, c);
}

static double col_num(const PGresult *r, int row, int c) {
    return PQgetisnull(r, row, c) ? 0 : strtod(PQgetvalue(r, row, c), NULL);
}

static void read_hit(const PGresult *r, int row, bool similar, hit_t *h) {
    h->ng = (int)strtol(PQgetvalue(r, row, COL_ORD), NULL, 10);
    h->kind = PQgetvalue(r, row, COL_KIND);
    h->code = PQgetvalue(r, row, COL_CODE);
    h->name = PQgetvalue(r, row, COL_NAME);
    h->alias = col(r, row, COL_ALIAS);
    h->dep = PQgetisnull(r, row, COL_DEP) ? "" : PQgetvalue(r, row, COL_DEP);
    h->reg = PQgetisnull(r, row, COL_REG) ? "" : PQgetvalue(r, row, COL_REG);
    h->pop = col_num(r, row, COL_POP);
    h->code_ok = !similar && PQgetvalue(r, row, COL_LAST)[0] == 't';
    h->sim = similar ? col_num(r, row, COL_LAST) : 1.0;
}

static bool is_place(const hit_t *h) {
    return strcmp(h->kind, "departement") != 0 && strcmp(h->kind, "region") != 0;
}

/* "nom exact « Lyon »", or a former commune's name and the commune it belongs to now. */
static void describe(const hit_t *h, bool exact, char *out, size_t outlen) {
    if (h->alias == NULL)
        snprintf(out, outlen, exact ? "nom exact « %s »" : "« %s »", h->name);
    else if (strcmp(h->kind, "associee") == 0)
        snprintf(out, outlen, "« %s », commune associée à %s", h->alias, h->name);
    else
        snprintf(out, outlen, "« %s », commune déléguée de %s", h->alias, h->name);
}

/* --- hints --------------------------------------------------------------------------------- */

static void add_hint(ctx_t *c, const hit_t *h, int from, const char *why) {
    if (c->nhints == HINTS_MAX)
        return;
    c->hints[c->nhints++] =
            (hint_t){strcmp(h->kind, "region") == 0, h->code, h->name, from, why, h->ng == -2};
}

/* The hint that confirms h for a name ending at token `end`, or NULL. */
static const hint_t *hint_for(const ctx_t *c, const hit_t *h, int end) {
    /* A département says more than a région ("Guadeloupe" is both). */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < c->nhints; i++) {
            const hint_t *k = &c->hints[i];
            if (k->region != (pass == 1) || (k->from >= 0 && k->from < end))
                continue;
            if (strcmp(k->region ? h->reg : h->dep, k->code) == 0)
                return k;
        }
    return NULL;
}

static void hint_phrase(const hint_t *k, char *out, size_t outlen) {
    if (k->region)
        snprintf(out, outlen, "la région %s%s", k->name, k->why);
    else
        snprintf(out, outlen, "le département %s (%s)%s", k->code, k->name, k->why);
}

/* A CEDEX code (or any unknown code) still tells its département. */
static void departement_of_code(const char *code, char out[4]) {
    if (code[0] == '2' && (code[1] == 'A' || code[1] == 'B')) {
        snprintf(out, 4, "%.2s", code);
    } else if (code[0] == '9' && code[1] == '7') {
        snprintf(out, 4, "%.3s", code);
    } else if (code[0] == '2' && code[1] == '0') {
        /* Corsica: 200xx and 201xx are Corse-du-Sud, the others Haute-Corse */
        snprintf(out, 4, "%s", code[2] <= '1' ? "2A" : "2B");
    } else {
        snprintf(out, 4, "%.2s", code);
    }
}

/* --- a code alone -------------------------------------------------------------------------- */

/* The answer for the query's code. factor scales every confidence and note ends every reason:
 * both say when the code stands in for a name that was not recognised. */
static dom_status by_code(ctx_t *c, double factor, const char *note) {
    const geoparse_t *gp = c->gp;
    const PGresult *r = c->codes;
    int rows = r ? PQntuples(r) : 0;
    int first[4] = {-1, -1, -1, -1}, count[4] = {0, 0, 0, 0};
    static const char *const hows[] = {"insee", "arrondissement", "old", "postcode"};
    double pc_total = 0;
    for (int i = 0; i < rows; i++)
        for (int k = 0; k < 4; k++)
            if (strcmp(PQgetvalue(r, i, CC_HOW), hows[k]) == 0) {
                if (first[k] < 0)
                    first[k] = i;
                count[k]++;
                if (k == 3)
                    pc_total += col_num(r, i, CC_POP);
            }
    /* People type postcodes far more often than INSEE codes. */
    static const int as_postcode[] = {3, 0, 1, 2}, as_insee[] = {0, 1, 2, 3};
    const int *order = gp->code_insee ? as_insee : as_postcode;
    answer_t *a = c->ans;
    for (int o = 0; o < 4; o++) {
        int k = order[o];
        for (int i = first[k]; i >= 0 && i < first[k] + count[k]; i++) {
            const char *code = PQgetvalue(r, i, CC_CODE), *name = PQgetvalue(r, i, CC_NAME);
            const char *extra = col(r, i, CC_EXTRA);
            bool main = !a->has_match;
            double conf;
            char reason[REASON_MAX];
            if (k == 0) {
                conf = main ? 1.0 : 0.3;
                snprintf(reason, sizeof reason, "code INSEE %s", gp->code);
            } else if (k == 1) {
                conf = main ? 1.0 : 0.3;
                snprintf(reason, sizeof reason,
                         "code INSEE %s : %s, arrondissement municipal de %s", gp->code,
                         extra ? extra : "", name);
            } else if (k == 2) {
                conf = main ? 0.95 : 0.3;
                snprintf(reason, sizeof reason,
                         "ancien code INSEE %s, commune aujourd'hui fusionnée dans %s", gp->code,
                         name);
            } else {
                double share = pc_total > 0 ? col_num(r, i, CC_POP) / pc_total : 0;
                if (count[k] == 1) {
                    conf = main ? 0.95 : 0.3;
                    snprintf(reason, sizeof reason, "code postal %s%s%s%s", gp->code,
                             extra ? " (" : "", extra ? extra : "", extra ? ")" : "");
                } else if (main) {
                    conf = 0.5 + 0.4 * share;
                    snprintf(reason, sizeof reason,
                             "code postal %s : %d communes, retenue : la plus peuplée", gp->code,
                             count[k]);
                } else {
                    conf = 0.1 + 0.3 * share;
                    snprintf(reason, sizeof reason, "code postal %s (l'une des %d communes)",
                             gp->code, count[k]);
                }
            }
            if (main)
                set_match(a, code, conf * factor, "%s%s", reason, note);
            else
                add_alt(a, code, conf * factor, "%s%s", reason, note);
        }
    }
    if (a->has_match || !gp->code[0])
        return DOM_OK;

    /* No commune has the code: a CEDEX code, or a code of a company. Its département remains. */
    char dep[4];
    PGresult *top;
    departement_of_code(gp->code, dep);
    const char *params[] = {dep};
    dom_status st = run(c->db, "geocoder_departement_top", 1, params, &top);
    if (st != DOM_OK)
        return st;
    if (PQntuples(top) == 1)
        set_match(a, PQgetvalue(top, 0, 0), 0.3 * factor,
                  "code %s%s inconnu : commune la plus peuplée du département %s (%s)%s",
                  gp->cedex ? "CEDEX " : "", gp->code, dep, PQgetvalue(top, 0, 2), note);
    PQclear(top);
    return DOM_OK;
}

/* --- exact names --------------------------------------------------------------------------- */

typedef struct rank {
    bool code_ok, in_locality, hinted;
    int end, count;
} rank_t;

static bool rank_better(const rank_t *x, const rank_t *y) {
    if (x->code_ok != y->code_ok)
        return x->code_ok;
    if (x->in_locality != y->in_locality)
        return x->in_locality;
    if (x->hinted != y->hinted)
        return x->hinted;
    if (x->end != y->end)
        return x->end > y->end;
    return x->count > y->count;
}

/* Orders the homonyms of one name: the code's, the hint's, a current name before a former one,
 * then the most populous. */
static int homonym_cmp(const void *pa, const void *pb) {
    const hit_t *x = pa, *y = pb;
    if (x->code_ok != y->code_ok)
        return x->code_ok ? -1 : 1;
    if (x->hinted != y->hinted)
        return x->hinted ? -1 : 1;
    if ((x->alias == NULL) != (y->alias == NULL))
        return x->alias == NULL ? -1 : 1;
    if (x->pop != y->pop)
        return x->pop > y->pop ? -1 : 1;
    return strcmp(x->code, y->code);
}

/* The match among the communes named by n-gram ng (hits[0..n-1] all have that n-gram). */
static void answer_exact(ctx_t *c, hit_t *hits, int n, int ng, bool in_locality) {
    const geoparse_t *gp = c->gp;
    answer_t *a = c->ans;
    int end = gp->ngrams[ng].first + gp->ngrams[ng].count;
    for (int i = 0; i < n; i++)
        hits[i].hinted = hint_for(c, &hits[i], end) != NULL;
    qsort(hits, (size_t)n, sizeof *hits, homonym_cmp);

    /* Each commune once (a current name and a former one can share a key). */
    int m = 0;
    for (int i = 0; i < n; i++) {
        bool seen = false;
        for (int j = 0; j < m && !seen; j++)
            seen = strcmp(hits[j].code, hits[i].code) == 0;
        if (!seen)
            hits[m++] = hits[i];
    }
    const hit_t *best = &hits[0];
    const hint_t *hint = hint_for(c, best, end);
    int n_ok = 0, n_hint = 0;
    double total = 0;
    for (int i = 0; i < m; i++) {
        n_ok += hits[i].code_ok;
        n_hint += hint_for(c, &hits[i], end) != NULL;
        total += hits[i].pop;
    }
    char desc[400], more[REASON_MAX / 2] = "", note[REASON_MAX / 2] = "", where[300] = "";
    describe(best, true, desc, sizeof desc);
    if (hint)
        hint_phrase(hint, where, sizeof where);
    double conf = best->alias ? 0.85 : 0.9;
    bool code_elsewhere = c->code_known && !best->code_ok; /* the code names other communes */
    if (best->code_ok) {
        conf = n_ok > 1 ? 0.85 : best->alias ? 0.93 : 0.95;
        snprintf(more, sizeof more, ", confirmé par le code %s %s",
                 strcmp(best->code, gp->code) == 0 ? "INSEE" : "postal", gp->code);
        if (n_ok > 1)
            snprintf(note, sizeof note,
                     " ; %d communes de ce nom ont ce code, retenue : la plus peuplée", n_ok);
    } else if (hint && !(hint->from_code && code_elsewhere)) {
        conf = n_hint > 1 ? 0.8 : best->alias ? 0.93 : 0.95;
        snprintf(more, sizeof more, ", confirmé par %s", where);
        if (n_hint > 1)
            snprintf(note, sizeof note,
                     " ; %d communes de ce nom s'y trouvent, retenue : la plus peuplée", n_hint);
    } else if (hint) {
        /* Only the département of a code that names other communes: a mistyped postcode? */
        conf = n_hint > 1 ? 0.7 : 0.8;
        snprintf(more, sizeof more,
                 ", dans le département du code %s, qui est pourtant celui d'une autre commune",
                 gp->code);
        if (n_hint > 1)
            snprintf(note, sizeof note,
                     " ; %d communes de ce nom s'y trouvent, retenue : la plus peuplée", n_hint);
    } else {
        if (m > 1) {
            conf = 0.4 + 0.4 * (total > 0 ? best->pop / total : 0);
            snprintf(more, sizeof more, " ; %d communes portent ce nom, retenue : la plus peuplée",
                     m);
        }
        if (code_elsewhere) {
            conf = conf < 0.6 ? conf : 0.6;
            snprintf(note, sizeof note, " ; le code %s est celui d'une autre commune", gp->code);
        }
    }
    const hint_t *given = c->given >= 0 ? &c->hints[c->given] : NULL;
    if (!best->code_ok && !gp->dep_trailing && given && hint != given) {
        char w[300];
        hint_phrase(given, w, sizeof w);
        conf -= 0.2;
        size_t l = strlen(note);
        snprintf(note + l, sizeof note - l, " ; aucune commune de ce nom dans %s", w);
    } else if (!best->code_ok && !gp->dep_trailing && c->hint_missing) {
        conf -= 0.2;
        size_t l = strlen(note);
        snprintf(note + l, sizeof note - l, " ; « %s » n'est pas un département connu", gp->dep);
    }
    if (!in_locality)
        conf *= 0.9; /* found elsewhere in an address: perhaps a street named after a town */
    set_match(a, best->code, conf, "%s%s%s", desc, more, note);

    for (int i = 1; i < m; i++) {
        char d[400];
        describe(&hits[i], false, d, sizeof d);
        double share = total > 0 ? hits[i].pop / total : 0;
        add_alt(a, hits[i].code, hits[i].code_ok ? 0.5 : 0.1 + 0.3 * share,
                "même nom, département %s%s", hits[i].dep,
                hits[i].code_ok ? ", a aussi ce code postal" : "");
    }
}

/* --- similar names ------------------------------------------------------------------------- */

/* Typos among the communes of the code. True when one was good enough. */
static dom_status similar_in_code(ctx_t *c, bool *found) {
    const geoparse_t *gp = c->gp;
    char text[GEOCODER_Q_MAX + 1], quoted[QUOTE_MAX + 1];
    PGresult *r;
    *found = false;
    geoparse_text(gp, c->lf, c->le - c->lf, text, sizeof text);
    const char *params[] = {gp->code, text};
    dom_status st = run(c->db, "geocoder_similar_code", 2, params, &r);
    if (st != DOM_OK)
        return st;
    int rows = PQntuples(r);
    quote_text(gp, c->lf, c->le - c->lf, quoted, sizeof quoted);
    for (int i = 0; i < rows; i++) {
        hit_t h;
        char d[400];
        read_hit(r, i, true, &h);
        if (h.sim < SIMILAR_CODE_MIN)
            break;
        describe(&h, false, d, sizeof d);
        if (!*found) {
            set_match(c->ans, h.code, 0.5 + 0.4 * h.sim,
                      "nom proche de « %s » (faute de frappe probable) : %s, confirmé par le code "
                      "%s %s",
                      quoted, d, strcmp(h.code, gp->code) == 0 ? "INSEE" : "postal", gp->code);
            *found = true;
        } else {
            add_alt(c->ans, h.code, 0.4 * h.sim, "nom assez proche : %s, code postal %s", d,
                    gp->code);
        }
    }
    PQclear(r);
    return DOM_OK;
}

/* Edit distance with transpositions (optimal string alignment) between two name keys: what a
 * typo costs. Keys are short; longer ones count as far apart. */
static int edit_distance(const char *a, const char *b) {
    enum { LEN_MAX = 63 };
    size_t n = strlen(a), m = strlen(b);
    if (n > LEN_MAX || m > LEN_MAX)
        return LEN_MAX + 1;
    int d[LEN_MAX + 1][LEN_MAX + 1];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[n][m];
}

/* How close a similar name is, 0..1: trigram similarity and edit distance weigh alike, so that
 * "toulouze" is nearer to "toulouse" (one letter) than to "toulouzette" (more shared trigrams).
 * A name that starts with the words written ("Cherbourg" for Cherbourg-en-Cotentin) is close
 * enough to be taken, and *prefix says so. */
static double closeness(const PGresult *r, int row, double sim, bool *prefix) {
    const char *q = PQgetvalue(r, row, COL_LAST + 1), *name = PQgetvalue(r, row, COL_LAST + 2);
    size_t lq = strlen(q), ln = strlen(name), n = lq > ln ? lq : ln;
    double edit = n > 0 ? 1.0 - (double)edit_distance(q, name) / (double)n : 0;
    double close = 0.5 * sim + 0.5 * (edit > 0 ? edit : 0);
    *prefix = lq >= 4 && ln > lq && strncmp(q, name, lq) == 0 && name[lq] == ' ';
    if (*prefix && close < CLOSE_PREFIX)
        close = CLOSE_PREFIX;
    return close;
}

/* Digits of a population: a coarse logarithm, without libm. */
static int magnitude(double pop) {
    int d = 0;
    while (pop >= 1 && d < 9) {
        pop /= 10;
        d++;
    }
    return d;
}

/* Typos among all communes, for the candidate names of the locality that end after token
 * min_end (-1: all). The answer is written only when the best reaches min_close. */
static dom_status similar_anywhere(ctx_t *c, int min_end, double min_close) {
    const geoparse_t *gp = c->gp;
    int map[TYPO_MAX], n = 0;
    json_t *list = json_array();
    char *doc = NULL;
    PGresult *r = NULL;
    dom_status st = DOM_INTERNAL;
    if (list == NULL)
        goto done;
    for (int i = 0; i < gp->nngrams && n < TYPO_MAX; i++) {
        const geoparse_ngram_t *g = &gp->ngrams[i];
        char text[GEOCODER_Q_MAX + 1];
        if (g->first < c->lf || g->first + g->count > c->le || g->count > TYPO_WORDS ||
            g->first + g->count <= min_end)
            continue;
        geoparse_text(gp, g->first, g->count, text, sizeof text);
        if (json_array_append_new(list, json_string(text)) != 0)
            goto done;
        map[n++] = i;
    }
    if (n == 0) {
        st = DOM_OK;
        goto done;
    }
    doc = json_dumps(list, JSON_COMPACT);
    if (doc == NULL)
        goto done;
    const char *params[] = {doc};
    st = run(c->db, "geocoder_similar", 1, params, &r);
    if (st != DOM_OK)
        goto done;

    /* Ranked by closeness; a tenfold population weighs like 3 % of it (people write about the
     * places where people live), a département named in the query like 10 %. */
    int rows = PQntuples(r), best = -1;
    double best_score = 0, best_close = 0;
    bool prefix, best_prefix = false;
    hit_t h, b = {0};
    for (int i = 0; i < rows; i++) {
        read_hit(r, i, true, &h);
        if (h.ng < 0 || h.ng >= n || h.sim < SIMILAR_MIN)
            continue;
        const geoparse_ngram_t *g = &gp->ngrams[map[h.ng]];
        double close = closeness(r, i, h.sim, &prefix);
        double score =
                close + 0.03 * magnitude(h.pop) + (hint_for(c, &h, g->first + g->count) ? 0.1 : 0);
        if (best < 0 || score > best_score) {
            best = i;
            best_score = score;
            best_close = close;
            best_prefix = prefix;
            b = h;
        }
    }
    if (best < 0 || best_close < min_close) {
        st = DOM_OK;
        goto done;
    }
    const geoparse_ngram_t *g = &gp->ngrams[map[b.ng]];
    const hint_t *hint = hint_for(c, &b, g->first + g->count);
    char quoted[QUOTE_MAX + 1], d[400], where[300] = "";
    quote_text(gp, g->first, g->count, quoted, sizeof quoted);
    describe(&b, false, d, sizeof d);
    if (hint) {
        char w[280];
        hint_phrase(hint, w, sizeof w);
        snprintf(where, sizeof where, ", confirmé par %s", w);
    }
    double conf = 0.9 * best_close + (hint ? 0.05 : 0);
    if (best_prefix)
        set_match(c->ans, b.code, conf > 0.7 ? 0.7 : conf, "nom commençant par « %s » : %s%s",
                  quoted, d, where);
    else
        set_match(c->ans, b.code, conf > 0.9 ? 0.9 : conf,
                  "nom proche de « %s » (faute de frappe probable) : %s%s", quoted, d, where);
    for (int i = 0; i < rows; i++) {
        read_hit(r, i, true, &h);
        if (h.ng < 0 || h.ng >= n || h.sim < SIMILAR_MIN)
            continue;
        describe(&h, false, d, sizeof d);
        add_alt(c->ans, h.code, 0.6 * closeness(r, i, h.sim, &prefix),
                "nom assez proche : %s, département %s", d, h.dep);
    }
    st = DOM_OK;

done:
    if (st == DOM_INTERNAL)
        log_msg(LOG_ERROR, "geocoder: out of memory building the candidate names");
    PQclear(r);
    free(doc);
    json_decref(list);
    return st;
}

/* --- names --------------------------------------------------------------------------------- */

/* True when some commune (or former commune) has the key of n-gram ng. */
static bool names_place(const hit_t *hits, int rows, int ng) {
    for (int i = 0; i < rows; i++)
        if (hits[i].ng == ng && is_place(&hits[i]))
            return true;
    return false;
}

/* True when a commune named in tokens [a, b) lies in the département or région of hit k. */
static bool place_within(const ctx_t *c, const hit_t *hits, int rows, int a, int b,
                         const hit_t *k) {
    bool region = strcmp(k->kind, "region") == 0;
    for (int i = 0; i < rows; i++) {
        if (hits[i].ng < 0 || !is_place(&hits[i]))
            continue;
        const geoparse_ngram_t *g = &c->gp->ngrams[hits[i].ng];
        if (g->first >= a && g->first + g->count <= b &&
            strcmp(region ? hits[i].reg : hits[i].dep, k->code) == 0)
            return true;
    }
    return false;
}

/* Sets the hints and the locality from the rows of geocoder_names. */
static void read_hints(ctx_t *c, const hit_t *hits, int rows) {
    const geoparse_t *gp = c->gp;
    bool hint_given = false;
    if (c->code_known)
        snprintf(c->code_why, sizeof c->code_why, " (d'après le code %s)", gp->code);
    else
        snprintf(c->code_why, sizeof c->code_why, " (code %s%s)", gp->cedex ? "CEDEX " : "",
                 gp->code);
    c->given = -1;
    for (int i = 0; i < rows; i++)
        if (hits[i].ng < 0) {
            if (hits[i].ng == -1 && c->nhints < HINTS_MAX &&
                (c->given < 0 || c->hints[c->given].region))
                c->given = c->nhints;
            add_hint(c, &hits[i], -1, hits[i].ng == -2 ? c->code_why : "");
            hint_given |= hits[i].ng == -1;
        }
    c->hint_missing = gp->dep[0] && !hint_given;
    for (int i = 0; i < rows; i++) {
        if (hits[i].ng < 0 || hits[i].ng >= gp->nngrams || is_place(&hits[i]))
            continue;
        const geoparse_ngram_t *g = &gp->ngrams[hits[i].ng];
        /* "Saint-Denis, La Réunion": a last part that names a département is a hint, and the
         * commune is looked for in the part before — unless that part has no commune of the
         * département while the last part is a commune ("12 rue X, Vienne"). */
        int a, b;
        if (!gp->code[0] && g->first == c->lf && g->first + g->count == c->le &&
            geoparse_segment_before(gp, c->lf, &a, &b) &&
            (!names_place(hits, rows, hits[i].ng) || place_within(c, hits, rows, a, b, &hits[i]))) {
            c->lf = a;
            c->le = b;
        }
        add_hint(c, &hits[i], g->first, "");
    }
}

/* True when the locality has words after token `end` that say nothing known: not a number
 * ("3e"), not "arrondissement", not a département or région. */
static bool unexplained_after(const ctx_t *c, const hit_t *hits, int rows, int end) {
    const geoparse_t *gp = c->gp;
    for (int t = end; t < c->le; t++) {
        const geoparse_token_t *tok = &gp->tokens[t];
        if (tok->start[0] >= '0' && tok->start[0] <= '9')
            continue;
        if (tok->len >= 3 && strncasecmp(tok->start, "arr", 3) == 0)
            continue;
        bool hinted = false;
        for (int i = 0; i < rows && !hinted; i++) {
            if (hits[i].ng < 0 || is_place(&hits[i]))
                continue;
            const geoparse_ngram_t *g = &gp->ngrams[hits[i].ng];
            hinted = g->first <= t && t < g->first + g->count;
        }
        if (!hinted)
            return true;
    }
    return false;
}

/* Chooses among exact names, similar names and the code alone. group has room for rows hits. */
static dom_status decide(ctx_t *c, hit_t *hits, int rows, hit_t *group) {
    const geoparse_t *gp = c->gp;
    int best = -1;
    rank_t best_rank = {0};
    for (int ng = 0; ng < gp->nngrams; ng++) {
        const geoparse_ngram_t *g = &gp->ngrams[ng];
        rank_t k = {false, g->first >= c->lf && g->first + g->count <= c->le, false,
                    g->first + g->count, g->count};
        bool any = false;
        for (int i = 0; i < rows; i++) {
            if (hits[i].ng != ng || !is_place(&hits[i]))
                continue;
            any = true;
            k.code_ok |= hits[i].code_ok;
            k.hinted |= hint_for(c, &hits[i], k.end) != NULL;
        }
        if (any && (best < 0 || rank_better(&k, &best_rank))) {
            best = ng;
            best_rank = k;
        }
    }
    dom_status st;
    bool exact_here = best >= 0 && (best_rank.code_ok || best_rank.in_locality);
    if (!exact_here || (c->code_known && !best_rank.code_ok)) {
        /* Nothing exact where the name was expected, or a name the code contradicts: a typo
         * there is likelier than a town named in the street. */
        bool found = false;
        if (c->code_known)
            st = similar_in_code(c, &found);
        else
            st = similar_anywhere(c, -1, best >= 0 ? CLOSE_SURE : CLOSE_MIN);
        if (st != DOM_OK || c->ans->has_match)
            return st;
    } else if (!best_rank.code_ok && unexplained_after(c, hits, rows, best_rank.end)) {
        /* "Clermont Ferand": the words after an exact name may finish a misspelt longer one. */
        st = similar_anywhere(c, best_rank.end, CLOSE_SURE);
        if (st != DOM_OK || c->ans->has_match)
            return st;
    }
    if (best >= 0) {
        int n = 0;
        for (int i = 0; i < rows; i++)
            if (hits[i].ng == best && is_place(&hits[i]))
                group[n++] = hits[i];
        answer_exact(c, group, n, best, best_rank.in_locality);
        if (c->code_known && !best_rank.code_ok)
            return by_code(c, 0.8, " (le nom ne correspond pas)");
        return DOM_OK;
    }
    if (!gp->code[0])
        return DOM_OK;
    char quoted[QUOTE_MAX + 1], note[QUOTE_MAX + 48];
    quote_text(gp, c->lf, c->le - c->lf, quoted, sizeof quoted);
    snprintf(note, sizeof note, " ; nom « %s » non reconnu", quoted);
    return by_code(c, 0.8, note);
}

static dom_status by_name(ctx_t *c) {
    const geoparse_t *gp = c->gp;
    json_t *list = json_array();
    char *doc = NULL;
    PGresult *r = NULL;
    hit_t *hits = NULL, *group = NULL;
    dom_status st = DOM_INTERNAL;
    if (list == NULL)
        goto done;
    for (int i = 0; i < gp->nngrams; i++) {
        char text[GEOCODER_Q_MAX + 1];
        geoparse_text(gp, gp->ngrams[i].first, gp->ngrams[i].count, text, sizeof text);
        if (json_array_append_new(list, json_string(text)) != 0)
            goto done;
    }
    doc = json_dumps(list, JSON_COMPACT);
    if (doc == NULL)
        goto done;
    if (gp->code[0])
        departement_of_code(gp->code, c->code_dep);
    const char *params[] = {doc, gp->code, gp->dep, c->code_dep};
    st = run(c->db, "geocoder_names", 4, params, &r);
    if (st != DOM_OK)
        goto done;
    int rows = PQntuples(r);
    hits = calloc((size_t)rows + 1, sizeof *hits);
    group = calloc((size_t)rows + 1, sizeof *group);
    if (hits == NULL || group == NULL) {
        st = DOM_INTERNAL;
        goto done;
    }
    for (int i = 0; i < rows; i++)
        read_hit(r, i, false, &hits[i]);
    read_hints(c, hits, rows);
    st = decide(c, hits, rows, group);

done:
    if (st == DOM_INTERNAL && (doc == NULL || hits == NULL || group == NULL))
        log_msg(LOG_ERROR, "geocoder: out of memory building the candidate names");
    free(hits);
    free(group);
    PQclear(r);
    free(doc);
    json_decref(list);
    return st;
}

/* --- the answer ---------------------------------------------------------------------------- */

static double round2(double x) {
    return (double)(long)(x * 100 + 0.5) / 100;
}

/* {"territory", "confidence", ["precision",] "reason"} of a candidate, or NULL with *st set. */
static json_t *cand_json(db_t *db, const cand_t *c, bool match, dom_status *st) {
    territory_ref_t ref;
    json_t *territory = NULL, *o = NULL;
    snprintf(ref.level, sizeof ref.level, "commune");
    snprintf(ref.code, sizeof ref.code, "%s", c->code);
    *st = territory_get(db, &ref, false, &territory);
    if (*st != DOM_OK)
        return NULL;
    o = json_object();
    if (o == NULL || json_object_set_new(o, "territory", territory) != 0 ||
        json_object_set_new(o, "confidence", json_real(round2(c->conf))) != 0 ||
        (match && json_object_set_new(o, "precision", json_string("commune")) != 0) ||
        json_object_set_new(o, "reason", json_string(c->reason)) != 0) {
        if (o == NULL)
            json_decref(territory);
        json_decref(o);
        *st = DOM_INTERNAL;
        return NULL;
    }
    return o;
}

static dom_status answer_json(db_t *db, const char *q, const answer_t *a, json_t **out) {
    json_t *o = json_object(), *alts = json_array(), *v;
    dom_status st = DOM_INTERNAL;
    if (o == NULL || alts == NULL || json_object_set_new(o, "query", json_string(q)) != 0)
        goto failed;
    v = json_null();
    if (a->has_match) {
        v = cand_json(db, &a->match, true, &st);
        if (v == NULL)
            goto failed;
    }
    if (json_object_set_new(o, "match", v) != 0)
        goto failed;
    for (int i = 0; i < a->nalts; i++) {
        v = cand_json(db, &a->alts[i], false, &st);
        if (v == NULL && st == DOM_NOT_FOUND)
            continue; /* removed since the lookup: nothing to offer */
        if (v == NULL || json_array_append_new(alts, v) != 0)
            goto failed;
    }
    if (json_object_set_new(o, "alternatives", alts) != 0) {
        alts = NULL;
        goto failed;
    }
    *out = o;
    return DOM_OK;

failed:
    if (st == DOM_OK || st == DOM_NOT_FOUND)
        st = DOM_INTERNAL;
    if (st == DOM_INTERNAL)
        log_msg(LOG_ERROR, "geocoder: cannot build the answer for a query of %zu bytes", strlen(q));
    json_decref(alts);
    json_decref(o);
    return st;
}

dom_status geocoder_resolve(db_t *db, const char *q, json_t **out) {
    geoparse_t gp;
    answer_t ans;
    ctx_t c;
    PGresult *codes = NULL;
    dom_status st = DOM_OK;
    *out = NULL;
    memset(&ans, 0, sizeof ans);
    memset(&c, 0, sizeof c);
    geoparse_run(q, &gp);
    c.db = db;
    c.gp = &gp;
    c.ans = &ans;
    c.given = -1;
    c.lf = gp.locality_first;
    c.le = gp.locality_end;
    if (gp.code[0]) {
        const char *params[] = {gp.code};
        st = run(db, "geocoder_code", 1, params, &codes);
        if (st != DOM_OK)
            goto done;
        c.codes = codes;
        /* After the word CEDEX the code is a CEDEX code: it only counts as a postcode. */
        for (int i = 0; i < PQntuples(codes) && !c.code_known; i++)
            c.code_known = !gp.cedex || strcmp(PQgetvalue(codes, i, CC_HOW), "postcode") == 0;
    }
    if (gp.letters > 0)
        st = by_name(&c);
    else if (gp.code[0])
        st = by_code(&c, 1.0, "");
    if (st == DOM_OK)
        st = answer_json(db, q, &ans, out);

done:
    PQclear(codes);
    return st;
}
