-- Ranking inside the index. The RUM index (Debian package postgresql-15-rum; the extension is
-- created by scripts/stack.sh, as it needs a superuser) keeps the positions and weights of each
-- word, so `ORDER BY tsv <=> query LIMIT n` returns the best n matches without reading every
-- matching row: ranking "recyclerie" (33,000 matches among 1,000,000) went from 216 ms with
-- ts_rank_cd over the rows to 12 ms. The same index answers `tsv @@ query` for counts and filters,
-- so it replaces the GIN index. Only published initiatives are searched, hence the partial index.
SET LOCAL maintenance_work_mem = '1GB';
CREATE INDEX initiative_tsv_rum_idx ON initiative USING rum (tsv rum_tsvector_ops)
    WHERE status = 'published';
DROP INDEX IF EXISTS initiative_tsv_idx;

-- The sorts of a ranked search (the RUM scan of a common word sorts its matches: 384,000 for
-- "emploi"), of facets and of map clusters spill to disk with the default 4 MB.
DO $$ BEGIN
    EXECUTE format('ALTER DATABASE %I SET work_mem = %L', current_database(), '32MB');
END $$;
