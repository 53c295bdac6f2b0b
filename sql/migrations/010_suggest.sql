-- Suggestions as people type in the search box (GET /api/v1/suggest): published initiatives whose
-- title starts with the text, or whose words start with the typed words, among a million rows
-- within a few milliseconds (domain/suggest.c says how each index is used).

-- The title in the form names are compared in (sc_normalize: lower case, no accents, words
-- separated by single spaces), stored rather than recomputed: an index on the expression cannot
-- answer from the index alone, and each of its rechecks would normalise the title again (about
-- 8 µs a row, too slow for the thousands of rows a short prefix touches). Adding it rewrites the
-- table once (about two minutes for a million rows).
ALTER TABLE initiative
    ADD COLUMN IF NOT EXISTS title_norm text GENERATED ALWAYS AS (sc_normalize(title)) STORED;

-- Titles starting with the text (a range of this index), and the initiatives bearing one title,
-- newest first: both read from the index alone.
CREATE INDEX IF NOT EXISTS initiative_title_prefix_idx
    ON initiative (title_norm text_pattern_ops, created_at DESC, id DESC)
    WHERE status = 'published';

-- Titles whose words start with the typed words: ' ' || title_norm || ' ' LIKE '% word%'. The
-- spaces make the start of the first word visible to LIKE; trigrams ignore them.
CREATE INDEX IF NOT EXISTS initiative_title_trgm_idx
    ON initiative USING gin ((' ' || title_norm || ' ') gin_trgm_ops)
    WHERE status = 'published';
