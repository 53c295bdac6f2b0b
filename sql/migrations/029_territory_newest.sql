-- A place's initiatives newest first — the results of a région or a département without words
-- (sort=recent: the guided path's "Où ?", a click on the map's choropleth), alone or with a theme
-- — read from an index in that order. The page walked the newest initiatives of all France and
-- kept those of the place: 2,127 rows read for the 21 first of the Gironde (1 % of initiatives),
-- 100 times as many for a département of 0.01 %; 0.28 ms instead of 3 to 5 ms at 1,000,000 when
-- the place is compared with = (domain/search.c writes one code so; = ANY cannot use the order).
-- These replace the single-column indexes of migration 003, whose lookups they serve as well.
CREATE INDEX initiative_departement_newest_idx ON initiative (departement_code, created_at DESC, id DESC);
DROP INDEX initiative_departement_idx;
CREATE INDEX initiative_region_newest_idx ON initiative (region_code, created_at DESC, id DESC);
DROP INDEX initiative_region_idx;
