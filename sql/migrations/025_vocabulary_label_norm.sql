-- Theme suggestions (domain/suggest.c) compare the typed text with each label in the form titles
-- are compared in (sc_normalize). Normalising the 53 theme and sub-theme labels at each request
-- cost about 0.6 ms (unaccent and a regular expression per label); stored, the statement takes
-- 0.2 ms, with the same answers for the 28 texts and languages tried.
ALTER TABLE vocabulary
    ADD COLUMN label_fr_norm text GENERATED ALWAYS AS (sc_normalize(label_fr)) STORED,
    ADD COLUMN label_en_norm text GENERATED ALWAYS AS (sc_normalize(coalesce(label_en, label_fr))) STORED;
