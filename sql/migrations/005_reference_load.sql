-- What sql/load/run.sh last loaded: a checksum of the input files of each reference data set, so
-- that a run with unchanged inputs skips the work (the gazetteer takes tens of seconds to build).
CREATE TABLE reference_load (
    name      text PRIMARY KEY,         -- 'gazetteer'
    checksum  text NOT NULL,            -- md5 of the inputs and of the loading script
    row_count integer NOT NULL,         -- rows it left in its table, to notice a table emptied since
    loaded_at timestamptz NOT NULL DEFAULT now()
);
