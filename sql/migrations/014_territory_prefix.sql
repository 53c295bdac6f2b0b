-- Place names starting with what is typed (territory autocomplete, suggestions): a range of this
-- index, read from the index alone, then the most populous first. "saint" starts 3,900 names:
-- 1.4 ms, against 9.5 ms through the trigram index and the rows.
CREATE INDEX territory_name_key_prefix_idx
    ON territory (name_key text_pattern_ops) INCLUDE (population, level, code);
