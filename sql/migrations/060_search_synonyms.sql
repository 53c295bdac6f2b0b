-- Synonyms and acronyms of the field, and the words of questions, applied to the words searched at
-- query time: nothing is re-indexed when the list changes.
--
-- The list is sql/load/synonyms.txt (docs/search.md, "Synonyms"), loaded by sql/load/run.sh with
-- search_synonyms_load(). Each group of equivalent terms becomes rules for ts_rewrite: a query
-- holding one of the terms (typed as words or between quotes) holds instead the OR of every term
-- of its group, a term of several words as a phrase ("ESS" searches 'ess' | 'econom' <-> 'social'
-- <2> 'solidair'). The words of questions ("comment", "trouver"…) are taken out of a search that
-- has other words, as stop words are.
--
-- The rules are written into the body of sc_synonyms() and sc_query_words() as constants, so that
-- both stay IMMUTABLE: with a search's words known when a statement is planned, the planner still
-- folds sc_tsquery($1) into a constant query and estimates its matches from the words' statistics
-- (the totals shown as estimates and the choice of indexes depend on that). A function reading the
-- table at each call could not be folded.
CREATE TABLE search_synonym (
    grp integer NOT NULL,   -- the line of the list; 0 for the words of questions
    term text NOT NULL,     -- as written in the list
    PRIMARY KEY (grp, term)
);

-- Before a list is loaded: no rule.
CREATE FUNCTION sc_synonyms(q tsquery) RETURNS tsquery
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT q $$;

CREATE FUNCTION sc_query_words(q text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT q $$;

-- Writes sc_synonyms() and sc_query_words() from the rows of search_synonym.
--
-- sc_synonyms works in two passes so that a term found inside the OR put in place of another is
-- not replaced again (which would double the query at each term of a group): every term becomes
-- a placeholder lexeme of its group ('§12', which no text can produce: the parser drops '§'), the
-- longest terms first, so that "quartier prioritaire de la ville" is not read as "quartier
-- prioritaire" and three more words; then each placeholder becomes the OR of its group. A term
-- matches typed as words (ts_rewrite finds 'a' & 'b' among the words of a longer AND) or as a
-- phrase. `@>` (same lexemes) skips the rules whose words the query does not hold.
CREATE FUNCTION search_synonyms_compile() RETURNS void
    LANGUAGE plpgsql
    AS $f$
DECLARE
    targets text;
    marks text;
    places text;
    subs text;
    ignored text;
BEGIN
    WITH t AS (
        SELECT grp, term,
               websearch_to_tsquery('sc_french', sc_fold(term)) AS words,
               websearch_to_tsquery('sc_french', sc_fold('"' || replace(term, '"', ' ') || '"')) AS phrase
          FROM search_synonym WHERE grp > 0),
    g AS (
        SELECT grp, string_agg(DISTINCT '(' || phrase::text || ')', ' | ') AS sub
          FROM t WHERE numnode(words) > 0 GROUP BY grp HAVING count(DISTINCT phrase::text) > 1),
    -- A term of several words typed without quotes keeps matching its words anywhere in the text
    -- (what it matched before), besides the phrases of its group: '§12' | '§w3', '§w3' then
    -- becoming its words.
    r AS (
        SELECT row_number() OVER () AS id, *
          FROM (SELECT DISTINCT ON (x.target::text) x.target, x.loose, t.grp
                  FROM t JOIN g USING (grp),
                       LATERAL (VALUES (t.words, numnode(t.words) > 1), (t.phrase, false)) x(target, loose)
                 ORDER BY x.target::text, t.grp, x.loose) d),
    m AS (
        SELECT r.*, CASE WHEN loose THEN format('''§%s'' | ''§w%s''', grp, id)
                         ELSE format('''§%s''', grp) END::tsquery AS mark
          FROM r),
    p AS (
        SELECT format('''§w%s''', id)::tsquery AS place, target AS sub, 0 AS ord, id FROM m WHERE loose
        UNION ALL
        SELECT format('''§%s''', grp)::tsquery, sub::tsquery, 1, grp FROM g)
    SELECT (SELECT coalesce(array_agg(target ORDER BY numnode(target) DESC, target::text), '{}')::text FROM m),
           (SELECT coalesce(array_agg(mark ORDER BY numnode(target) DESC, target::text), '{}')::text FROM m),
           (SELECT coalesce(array_agg(place ORDER BY ord, id), '{}')::text FROM p),
           (SELECT coalesce(array_agg(sub ORDER BY ord, id), '{}')::text FROM p)
      INTO targets, marks, places, subs;
    SELECT string_agg(DISTINCT w, '|')
      INTO ignored
      FROM (SELECT lower(public.unaccent('public.unaccent'::regdictionary, term)) AS w
              FROM search_synonym WHERE grp = 0) s
     WHERE w ~ '^[a-z]+$';
    EXECUTE format($body$
CREATE OR REPLACE FUNCTION sc_synonyms(q tsquery) RETURNS tsquery
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT
    AS $$
DECLARE
    targets tsquery[] := %L;
    marks tsquery[] := %L;
    places tsquery[] := %L;
    subs tsquery[] := %L;
    found boolean := false;
BEGIN
    FOR i IN 1 .. cardinality(targets) LOOP
        IF q @> targets[i] THEN
            q := ts_rewrite(q, targets[i], marks[i]);
            found := true;
        END IF;
    END LOOP;
    IF found THEN
        FOR i IN 1 .. cardinality(places) LOOP
            IF q @> places[i] THEN
                q := ts_rewrite(q, places[i], subs[i]);
            END IF;
        END LOOP;
    END IF;
    RETURN q;
END $$;$body$, targets, marks, places, subs);
    -- The words of questions, whole words only, not after '-' (an exclusion stays one); the text
    -- is kept as it is when nothing else would be left.
    IF ignored IS NULL THEN
        EXECUTE $body$CREATE OR REPLACE FUNCTION sc_query_words(q text) RETURNS text
            LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$ SELECT q $$;$body$;
    ELSE
        EXECUTE format($body$
CREATE OR REPLACE FUNCTION sc_query_words(q text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT CASE WHEN w ~ '[[:alnum:]]' THEN w ELSE q END
            FROM regexp_replace(q, %L, '\1 ', 'gi') w $$;$body$,
            '(^|[^[:alnum:]''-])(?:' || ignored || ')(?![[:alnum:]])');
    END IF;
END $f$;

-- Replaces the list with `list` (the text of sql/load/synonyms.txt): one group a line, its terms
-- separated by ';'; a line starting with '!' lists the words of questions; '#' starts a comment.
-- Returns the number of groups. Rewrites the functions only when the list changed.
CREATE FUNCTION search_synonyms_load(list text) RETURNS integer
    LANGUAGE plpgsql
    AS $$
DECLARE
    n integer;
BEGIN
    CREATE TEMP TABLE synonym_new ON COMMIT DROP AS
    SELECT DISTINCT CASE WHEN l.line LIKE '!%' THEN 0 ELSE l.nr::integer END AS grp, btrim(t.term) AS term
      FROM regexp_split_to_table(list, '\n') WITH ORDINALITY AS r(raw, nr),
           LATERAL (SELECT btrim(regexp_replace(r.raw, '#.*$', '')) AS line, r.nr) l,
           LATERAL regexp_split_to_table(ltrim(l.line, '!'), ';') AS t(term)
     WHERE l.line <> '' AND btrim(t.term) <> '';
    IF EXISTS (SELECT grp, term FROM synonym_new EXCEPT SELECT grp, term FROM search_synonym)
       OR EXISTS (SELECT grp, term FROM search_synonym EXCEPT SELECT grp, term FROM synonym_new) THEN
        DELETE FROM search_synonym;
        INSERT INTO search_synonym (grp, term) SELECT grp, term FROM synonym_new;
        PERFORM search_synonyms_compile();
    END IF;
    DROP TABLE synonym_new;
    SELECT count(DISTINCT grp) INTO n FROM search_synonym WHERE grp > 0;
    RETURN n;
END $$;

-- The query of free words (websearch syntax: "phrase", -word, OR), folded like the index, without
-- the words of questions, each synonym or acronym widened to its group.
CREATE OR REPLACE FUNCTION sc_tsquery(q text) RETURNS tsquery
    LANGUAGE sql STABLE PARALLEL SAFE STRICT
    AS $$ SELECT sc_synonyms(websearch_to_tsquery('sc_french', sc_query_words(sc_fold(q)))) $$;
