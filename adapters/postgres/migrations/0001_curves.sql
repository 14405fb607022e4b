-- Curve observations, their ingest log and quarantine (DOMAIN.md §1).
-- Strings that are filtered or ordered use COLLATE "C" so order is bytewise, as in every adapter.

CREATE TABLE curve_observation (
    curve_key      text COLLATE "C" NOT NULL,
    tenor_label    text COLLATE "C" NOT NULL,
    asof_date      date NOT NULL,
    contract_month date,
    -- The canonical list order (asof_date DESC, curve_key, contract_month NULLS LAST,
    -- tenor_label) as one all-ascending key, so keyset pages are row-value comparisons.
    asof_rank      integer GENERATED ALWAYS AS (DATE '2000-01-01' - asof_date) STORED,
    month_rank     date GENERATED ALWAYS AS (COALESCE(contract_month, DATE 'infinity')) STORED,
    asset_class    text COLLATE "C" NOT NULL,
    region         text COLLATE "C",
    iso            text COLLATE "C",
    location       text COLLATE "C",
    market         text COLLATE "C",
    product        text COLLATE "C",
    block          text COLLATE "C",
    spark_location text COLLATE "C",
    price_type     text COLLATE "C" NOT NULL,
    tenor_type     text COLLATE "C" NOT NULL,
    units_raw      text COLLATE "C" NOT NULL,
    currency       text COLLATE "C",
    per_unit       text COLLATE "C",
    value          double precision,
    bid            double precision,
    ask            double precision,
    mid            double precision,
    source_file    text COLLATE "C" NOT NULL,
    sheet_name     text COLLATE "C" NOT NULL,
    version_hash   text COLLATE "C" NOT NULL,
    ingest_ts      timestamptz NOT NULL,
    -- 0 = ingested from a file, 1 = derived strip (a derived row never replaces an ingested one)
    origin         smallint NOT NULL DEFAULT 0 CHECK (origin IN (0, 1)),
    PRIMARY KEY (curve_key, tenor_label, asof_date)
);

-- Canonical order: unfiltered and asof-only pages, scans for export.
CREATE INDEX curve_observation_canonical
    ON curve_observation (asof_rank, curve_key, month_rank, tenor_label);

CREATE TABLE curve_ingest_log (
    id                bigserial PRIMARY KEY,
    file_name         text NOT NULL,
    checksum          text NOT NULL,
    rows_read         bigint NOT NULL,
    rows_stored       bigint NOT NULL,
    rows_quarantined  bigint NOT NULL,
    derived_strips    bigint NOT NULL,
    started_at        timestamptz NOT NULL,
    finished_at       timestamptz NOT NULL
);
CREATE INDEX curve_ingest_log_checksum ON curve_ingest_log (checksum);

CREATE TABLE curve_quarantine (
    id         bigserial PRIMARY KEY,
    ingest_id  bigint NOT NULL REFERENCES curve_ingest_log (id) ON DELETE CASCADE,
    file_name  text NOT NULL,
    line       bigint NOT NULL,
    reason     text NOT NULL,
    raw        text NOT NULL
);
CREATE INDEX curve_quarantine_ingest ON curve_quarantine (ingest_id, line);
