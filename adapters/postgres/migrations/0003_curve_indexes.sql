-- Indexes for the curve queries (docs/adr/0004-postgres-curve-schema-and-indexes.md).
-- IF NOT EXISTS: on a large live table, build them first with CREATE INDEX CONCURRENTLY under
-- the same names; this migration then only records them.
-- Already served by 0001: unfiltered, asof-only and keyset pages and export scans
-- (curve_observation_canonical); history (the primary key, read backward).

-- Selective filters, followed by the canonical key: a filtered page is one ordered range.
CREATE INDEX IF NOT EXISTS curve_observation_curve_canonical
    ON curve_observation (curve_key, asof_rank, month_rank, tenor_label);
CREATE INDEX IF NOT EXISTS curve_observation_iso_canonical
    ON curve_observation (iso, asof_rank, curve_key, month_rank, tenor_label);
CREATE INDEX IF NOT EXISTS curve_observation_location_canonical
    ON curve_observation (location, asof_rank, curve_key, month_rank, tenor_label);

-- Low-cardinality filters: a common value is found quickly along the canonical index; these
-- small (deduplicated) indexes answer rare and absent values without a full scan.
CREATE INDEX IF NOT EXISTS curve_observation_asset_class ON curve_observation (asset_class);
CREATE INDEX IF NOT EXISTS curve_observation_market ON curve_observation (market);
CREATE INDEX IF NOT EXISTS curve_observation_product ON curve_observation (product);
CREATE INDEX IF NOT EXISTS curve_observation_block ON curve_observation (block);
CREATE INDEX IF NOT EXISTS curve_observation_tenor_type ON curve_observation (tenor_type);
