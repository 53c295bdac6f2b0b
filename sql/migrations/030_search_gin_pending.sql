-- The GIN indexes read by every search keep a short pending list. With fastupdate, new entries
-- wait in a pending list, unsorted, until it passes gin_pending_list_limit (4 MB by default) or
-- a VACUUM merges it, and every scan of the index reads all of it. Measured on a copy of 100,000
-- initiatives with initiative_search_gin_idx's definition: 2,000 rows pending (2.4 MB) added
-- 0.85 ms to a rare word (0.16 -> 1.0 ms) and 1.5 to 2.5 ms to a word with a theme and a région
-- (2.0 -> 3.5-4.5 ms), for each of these indexes a search reads. With 256 kB the list holds at
-- most about 150 rows. The writer pays the merge when the list fills instead of VACUUM paying it
-- later: 2,000 rows inserted 100 at a time took 147 ms with 256 kB, against 53 ms of inserts plus
-- 98 ms of merge by VACUUM with 4 MB (410 ms without a pending list).
ALTER INDEX initiative_search_gin_idx SET (gin_pending_list_limit = 256);
ALTER INDEX initiative_title_tsv_idx SET (gin_pending_list_limit = 256);
ALTER INDEX initiative_summary_tsv_idx SET (gin_pending_list_limit = 256);
ALTER INDEX initiative_themes_idx SET (gin_pending_list_limit = 256);
