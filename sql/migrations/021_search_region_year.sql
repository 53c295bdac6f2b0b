-- A search filtered by région and years (the fine-search query "theme:ENV year:2015..2020
-- territory:region:76"): counted from this index alone, the themes checked in it, instead of
-- intersecting the région and theme posting lists of initiative_search_gin_idx and reading 16,000
-- rows to test their year (count 45 -> 15 ms; 64 MB for 1,000,000 initiatives).
CREATE INDEX IF NOT EXISTS initiative_region_year_idx
    ON initiative (region_code, start_year) INCLUDE (themes)
    WHERE status = 'published';
