-- Free words within a place (a radius, or the map's box): one GiST index over the point and the
-- words, so that both are tested in the index and only the rows that pass both are read.
--
-- Without it there were two ways, both reading far more than the matches: the points of the box
-- through initiative_geom_idx, each row read to test its words (q=café within 15 km of Lyon: the
-- 3,300 rows of the box on 3,200 heap pages for 129 matches, 4 to 5 ms warm), or the word's whole
-- posting list in a GIN index intersected with the box (the 67,000 matches of "café": 15 ms to
-- build the bitmap). The leaves of this index hold each point's box and the hashes of its lexemes
-- (tsvector_ops; a tsvector of more than about 125 lexemes, a 124-byte signature), so the scan
-- reads the entries of the box, 350 bytes each on average, and visits the heap for the candidates
-- only;
-- `tsv @@ query` is rechecked on the row (a hash or a signature can match a word the row lacks),
-- so the matches are the same. That page: 4 to 5 ms → 1.2 ms; a common word in the box of a city,
-- 16 to 60 ms → 0.3 to 6 ms (docs/performance.md).
--
-- The tree is split on the points (the first column), so a scan of a box reads what a scan of
-- initiative_geom_idx reads, its entries bigger. At 1,000,000 initiatives: 344 MB, built in 15 s;
-- each write of an initiative inserts one entry (15 us a row, against 8 for initiative_geom_idx).
-- The signature length (siglen) of the inner pages changed neither the size (336 MB at 16 bytes,
-- 374 MB at 512) nor the scans measurably: inner pages cover too many words for a signature to rule
-- them out, so the default is kept. Only published initiatives are searched, hence the partial
-- index.
SET LOCAL maintenance_work_mem = '512MB';
CREATE INDEX initiative_geom_tsv_idx ON initiative USING gist (geom, tsv)
    WHERE status = 'published';
