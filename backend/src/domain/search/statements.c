/* The prepared statements of the search engine; the queries whose shape depends on the search are
 * assembled by search/filter.c and the parts that use it. */
#include "domain/initiative.h"
#include "domain/search.h"

/* The ids of a page of a large ranked match set of free words ($1), in three tiers: the matches
 * with the words in their title, then in their summary or actor name but not their title, each
 * newest first, then the others by rank (RUM distance). $2: the rows each tier reads (offset +
 * page + 1), $3 and $4: the page's LIMIT and OFFSET. Append reads its parts in order under the
 * LIMIT, so the tiers after the one that fills the page are not read at all.
 *
 * A tier is first looked for among the newest 3,000 initiatives (walk0, walk1), which hold exactly
 * the newest rows of the tier when they hold $2 of them (a common word's tier is dense enough);
 * the walk is skipped when the newest 500 hold none of the tier, as a tier that sparse seldom
 * fills a page from 3,000 rows and reading them costs 2.5 ms ("emploi" is in 6 titles of
 * 1,000,000); the rows are the same either way. Else every row of the tier is found through its
 * own index (migrations 018, 019) and sorted (created_at + 0: never by walking the newest-first
 * index, which would read the whole table for a word seldom in titles). The tier test reads the
 * stored tsv with the query's lexemes restricted to weight A (title) or B (summary, actor name).
 *
 * Prepared, with the queries computed once (qq) rather than folded into the plan: the statement
 * cost 1.7 to 2.7 ms to plan for each search, and its generic plan is the same for every word
 * (the tiers' structure decides it). IS TRUE keeps the other indexes on tsv out of a tier's
 * lookup, which a generic plan, blind to how common the words are, would otherwise choose. */
#define TIER_COLUMNS \
    "SELECT i.id, i.tsv <=> (SELECT q FROM qq) AS rank, NULL::float8 AS dist, NULL::bigint AS n"
#define NEWEST " FROM initiative WHERE status = 'published' ORDER BY created_at DESC, id DESC"
#define WALK_ROWS(tier)                                                          \
    "(SELECT CASE WHEN EXISTS (SELECT 1 FROM (SELECT tsv" NEWEST " LIMIT 500) p" \
    " WHERE p.tsv @@ (SELECT " tier " FROM qq)) THEN 3000 ELSE 0 END)"
#define TIER_WALK_FROM    TIER_COLUMNS " FROM (SELECT *" NEWEST " LIMIT "
#define TIER_WALK_WHERE   ") i WHERE i.status = 'published' AND i.tsv @@ (SELECT q FROM qq)"
#define TIER_WALK_TITLE   TIER_WALK_FROM WALK_ROWS("qt") TIER_WALK_WHERE
#define TIER_WALK_SUMMARY TIER_WALK_FROM WALK_ROWS("qs") TIER_WALK_WHERE
#define TIER_NEWEST       " ORDER BY i.created_at DESC, i.id DESC LIMIT $2::bigint"
#define TIERS_SQL                                                                            \
    "WITH qq AS MATERIALIZED (SELECT sc_tsquery($1::text) AS q,"                             \
    "  sc_tsquery_title($1::text) AS qt, sc_tsquery_summary($1::text) AS qs),"               \
    " walk0 AS (" TIER_WALK_TITLE " AND i.tsv @@ (SELECT qt FROM qq)" TIER_NEWEST "),"       \
    " walk1 AS (" TIER_WALK_SUMMARY " AND i.tsv @@ (SELECT qs FROM qq)"                      \
    "  AND NOT i.tsv @@ (SELECT qt FROM qq)" TIER_NEWEST ")"                                 \
    " SELECT * FROM ((SELECT * FROM walk0 WHERE (SELECT count(*) FROM walk0) >= $2::bigint)" \
    " UNION ALL (" TIER_COLUMNS " FROM initiative i WHERE i.status = 'published'"            \
    "  AND sc_title_tsv(i.title) @@ (SELECT q FROM qq)"                                      \
    "  AND (i.tsv @@ (SELECT q FROM qq)) IS TRUE AND (i.tsv @@ (SELECT qt FROM qq)) IS TRUE" \
    "  AND (SELECT count(*) FROM walk0) < $2::bigint"                                        \
    "  ORDER BY i.created_at + interval '0 s' DESC, i.id DESC LIMIT $2::bigint)"             \
    " UNION ALL (SELECT * FROM walk1 WHERE (SELECT count(*) FROM walk1) >= $2::bigint)"      \
    " UNION ALL (" TIER_COLUMNS " FROM initiative i WHERE i.status = 'published'"            \
    "  AND sc_summary_tsv(i.summary, i.actor_name) @@ (SELECT q FROM qq)"                    \
    "  AND (i.tsv @@ (SELECT q FROM qq)) IS TRUE AND (i.tsv @@ (SELECT qs FROM qq)) IS TRUE" \
    "  AND (NOT i.tsv @@ (SELECT qt FROM qq)) IS TRUE"                                       \
    "  AND (SELECT count(*) FROM walk1) < $2::bigint"                                        \
    "  ORDER BY i.created_at + interval '0 s' DESC, i.id DESC LIMIT $2::bigint)"             \
    " UNION ALL (" TIER_COLUMNS " FROM initiative i WHERE i.status = 'published'"            \
    "  AND i.tsv @@ (SELECT q FROM qq) AND NOT i.tsv @@ (SELECT qt FROM qq)"                 \
    "  AND NOT i.tsv @@ (SELECT qs FROM qq) ORDER BY rank LIMIT $2::bigint)) t"              \
    " LIMIT $3::bigint OFFSET $4::bigint"

const db_stmt_t search_stmts[] = {
        {"search_unknown_vocab",
         "SELECT u.c FROM unnest($1::text[]) WITH ORDINALITY AS u(c, o)"
         " WHERE NOT EXISTS (SELECT 1 FROM vocabulary v WHERE v.kind = $2 AND v.code = u.c)"
         " ORDER BY u.o LIMIT 1",
         2, true},
        {"search_unknown_source",
         "SELECT u.c FROM unnest($1::text[]) WITH ORDINALITY AS u(c, o)"
         " WHERE NOT EXISTS (SELECT 1 FROM source s WHERE s.code = u.c) ORDER BY u.o LIMIT 1",
         1, true},
        /* Each word missing from the lexicon is replaced by the closest indexed word, the most
         * frequent among equals; words of two letters or less are kept as typed. */
        {"search_correct",
         "SELECT string_agg(coalesce("
         "   (SELECT l.word FROM search_lexicon l WHERE l.word = w.word),"
         "   CASE WHEN length(w.word) > 2 THEN"
         "     (SELECT l.word FROM search_lexicon l WHERE l.word % w.word"
         "       ORDER BY similarity(l.word, w.word) DESC, l.ndoc DESC, l.word LIMIT 1) END,"
         "   w.word), ' ' ORDER BY w.ord), sc_normalize($1)"
         " FROM unnest(regexp_split_to_array(sc_normalize($1), ' ')) WITH ORDINALITY AS w(word, "
         "ord)"
         " WHERE w.word <> ''",
         1, true},
        /* The words of a search ($1, free words as typed; a word is letters, digits, apostrophes
         * and dashes, as the parser reads it, so that no markup or quote is echoed back) in order,
         * whether each has a lexeme
         * (stop words and words of questions have none) and how many initiatives hold it (of a
         * word written with dashes, its rarest part): for search/relax.c. A word is read beside
         * another ('0'), as in a longer search: a word of questions alone is kept. */
        {"search_relax_words",
         "SELECT w.word, numnode(sc_tsquery(w.word || ' 0')) > 1,"
         " (SELECT coalesce(min(coalesce(l.ndoc, 0)), 0)"
         "   FROM unnest(string_to_array(sc_normalize(w.word), ' ')) AS p(part)"
         "   LEFT JOIN search_lexicon l ON l.word = p.part)"
         " FROM unnest(regexp_split_to_array($1, '[^[:alnum:]''’-]+')) WITH ORDINALITY AS w(word, "
         "ord)"
         " WHERE w.word <> '' ORDER BY w.ord",
         1, true},
        /* The items of a page, in the order of the ids ($2), with, when there are words ($3),
         * the text the excerpt is made from and the lexemes of the words (domain/excerpt).
         * Prepared, so planned for the first few pages of a connection only (the same SQL in each
         * search cost 1 to 1.4 ms to plan); the query is made once per page (InitPlan). */
        {"search_items",
         "SELECT " INITIATIVE_ITEM_COLUMNS ", CASE WHEN $3::text IS NOT NULL THEN"
         " (SELECT sc_tsquery($3::text)::text) END,"
         " CASE WHEN $3::text IS NOT NULL THEN concat_ws(' ', i.summary, i.description) END"
         " FROM unnest($2::bigint[]) WITH ORDINALITY AS p(id, ord) JOIN initiative i"
         " ON i.id = p.id" INITIATIVE_ITEM_JOINS(" = ANY ($2::bigint[])") " ORDER BY p.ord",
         3, true},
        {"search_tiers", TIERS_SQL, 4, true},
        /* The themes that have a bit in initiative.theme_bits (sql/migrations/026). */
        {"search_theme_bits",
         "SELECT code, bit FROM vocabulary WHERE kind = 'theme' AND bit IS NOT NULL ORDER BY bit",
         0, true},
        {"search_total_precounted",
         "SELECT n FROM facet_count WHERE fkind = $1 AND fcode = $2 AND kind = $3 AND code = $4", 4,
         true},
        {NULL, NULL, 0, false},
};
