-- Similar place names (territory autocomplete and suggestions, domain/territory.c): the names whose
-- trigram similarity with the key is at least 0.4, the most similar first.
--
-- pg_trgm's index finds the candidates from the share of the text's trigrams a name holds. At
-- its default threshold (0.3), "envir" (6 trigrams) takes every name holding 2 of them, which
-- " e" and " en" alone give: 1,156 names, each compared again, 5.4 ms for two answers (Enval,
-- Engenville); at 0.4 the index keeps 26 candidates (0.6 ms). Of 48 texts tried (typos of the
-- large cities, prefixes, postcodes, codes, several words), 21 lose their weaker neighbours
-- (similarity 0.30 to 0.39: "grenble" still gives Grenoble, no longer Grenay or La Gresle); the
-- first answer stays the same wherever one remains, and "envir", "recyclerie" and "atelier velo",
-- whose closest names were under 0.4 (Enval, Recy, Le Catelier), give none. The threshold is a
-- setting of the % operator, set here for this function alone so that other lookups keep theirs.
SELECT similarity('', ''); -- loads pg_trgm, whose setting the SET clause below names

CREATE FUNCTION sc_territory_similar(p_key text, p_level text, p_limit integer)
    RETURNS TABLE (level text, code text, sim real, population integer)
    LANGUAGE plpgsql STABLE
    SET pg_trgm.similarity_threshold = 0.4
AS $$
BEGIN
    RETURN QUERY
        SELECT t.level, t.code, similarity(t.name_key, p_key), t.population
          FROM territory t
         WHERE t.name_key % p_key AND (p_level = '' OR t.level = p_level)
         ORDER BY 3 DESC, t.population DESC NULLS LAST
         LIMIT p_limit;
END
$$;
