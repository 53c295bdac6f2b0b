-- Loads ../shared/vocabularies/vocabularies.json (psql variable :file) into vocabulary.
-- Codes are upserted; a code removed from the file is kept, since initiatives may still use it.
\set ON_ERROR_STOP on
\set doc_text `cat :'file'`
BEGIN;
CREATE TEMP TABLE vocab_in ON COMMIT DROP AS SELECT :'doc_text'::jsonb AS doc;

CREATE TEMP TABLE vocab_rows ON COMMIT DROP AS
SELECT 'theme' AS kind, t->>'code' AS code, t->>'label_fr' AS label_fr, t->>'label_en' AS label_en,
       NULL::text AS parent, o::int AS rank
  FROM vocab_in, jsonb_array_elements(doc->'themes') WITH ORDINALITY AS x(t, o)
UNION ALL
SELECT 'subtheme', c->>'code', c->>'label_fr', c->>'label_en', t->>'code', (o * 100 + co)::int
  FROM vocab_in, jsonb_array_elements(doc->'themes') WITH ORDINALITY AS x(t, o),
       jsonb_array_elements(coalesce(t->'children', '[]')) WITH ORDINALITY AS y(c, co)
UNION ALL
SELECT k.kind, e->>'code', e->>'label_fr', e->>'label_en', NULL, coalesce((e->>'rank')::int, o::int)
  FROM vocab_in,
       (VALUES ('actor_types', 'actor_type'), ('publics', 'public'), ('scales', 'scale'),
               ('stages', 'stage'), ('methods', 'method')) AS k(key, kind),
       jsonb_array_elements(coalesce(doc->k.key, '[]')) WITH ORDINALITY AS x(e, o);

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM vocab_rows WHERE code IS NULL OR label_fr IS NULL) THEN
        RAISE EXCEPTION 'vocabularies.json: an entry has no code or no label_fr';
    END IF;
END $$;

INSERT INTO vocabulary (kind, code, label_fr, label_en, parent, rank)
SELECT kind, code, label_fr, label_en, parent, rank FROM vocab_rows
ON CONFLICT (kind, code) DO UPDATE
   SET label_fr = EXCLUDED.label_fr, label_en = EXCLUDED.label_en,
       parent = EXCLUDED.parent, rank = EXCLUDED.rank
 WHERE (vocabulary.label_fr, vocabulary.label_en, vocabulary.parent, vocabulary.rank)
       IS DISTINCT FROM (EXCLUDED.label_fr, EXCLUDED.label_en, EXCLUDED.parent, EXCLUDED.rank);
COMMIT;
