//! The SQL of ingestion sessions. Every statement is a constant; values travel as parameters
//! or in `COPY` data, never in SQL text.

/// Opens the session's transaction and its two staging tables. Both are temporary (private to
/// the connection, not WAL-logged) and dropped at commit; a rollback or a closed connection
/// drops them too. `seq` is the input order across batches. `curve_key` and `tenor_label` use
/// `COLLATE "C"` like `curve_observation`, so the winner sort is a byte comparison.
pub(super) const BEGIN: &str = r#"
BEGIN;
CREATE TEMP TABLE aurum_ingest_staging (
    curve_key      text COLLATE "C",
    tenor_label    text COLLATE "C",
    asof_date      date,
    contract_month date,
    asset_class    text,
    region         text,
    iso            text,
    location       text,
    market         text,
    product        text,
    block          text,
    spark_location text,
    price_type     text,
    tenor_type     text,
    units_raw      text,
    currency       text,
    per_unit       text,
    value          double precision,
    bid            double precision,
    ask            double precision,
    mid            double precision,
    source_file    text,
    sheet_name     text,
    version_hash   text,
    ingest_ts      timestamptz,
    origin         smallint,
    seq            bigint
) ON COMMIT DROP;
CREATE TEMP TABLE aurum_ingest_quarantine (
    file_name text,
    line      bigint,
    reason    text,
    raw       text,
    seq       bigint
) ON COMMIT DROP;
"#;

/// The backend's pid, and the session's limits for the rest of the transaction only
/// (`set_config(…, true)` = `SET LOCAL`): `$1` milliseconds per statement (the final upsert
/// grows with the input, so the pool's short default does not fit) and idle in transaction
/// (a caller that stalls mid-file must not hold the transaction open forever).
pub(super) const SETUP: &str = "SELECT pg_backend_pid(), \
    set_config('statement_timeout', $1, true), \
    set_config('idle_in_transaction_session_timeout', $1, true)";

/// Binary `COPY` of one batch of observations; the column order is [`super::copy`]'s.
pub(super) const COPY_ROWS: &str = "COPY pg_temp.aurum_ingest_staging (\
    curve_key, tenor_label, asof_date, contract_month, asset_class, region, iso, location, \
    market, product, block, spark_location, price_type, tenor_type, units_raw, currency, \
    per_unit, value, bid, ask, mid, source_file, sheet_name, version_hash, ingest_ts, origin, \
    seq) FROM STDIN (FORMAT binary)";

/// Binary `COPY` of quarantined records.
pub(super) const COPY_QUARANTINE: &str = "COPY pg_temp.aurum_ingest_quarantine \
    (file_name, line, reason, raw, seq) FROM STDIN (FORMAT binary)";

/// Binary `COPY` of one batch straight into `curve_observation` (the fast path for keys that
/// are not stored yet), inside [`SAVEPOINT`].
pub(super) const COPY_DIRECT: &str = "COPY curve_observation (\
    curve_key, tenor_label, asof_date, contract_month, asset_class, region, iso, location, \
    market, product, block, spark_location, price_type, tenor_type, units_raw, currency, \
    per_unit, value, bid, ask, mid, source_file, sheet_name, version_hash, ingest_ts, origin) \
    FROM STDIN (FORMAT binary)";

/// Guards one direct batch: a unique violation rolls back only that batch.
pub(super) const SAVEPOINT: &str = "SAVEPOINT aurum_direct";
/// Keeps a direct batch.
pub(super) const RELEASE: &str = "RELEASE SAVEPOINT aurum_direct";
/// Undoes a direct batch that hit a stored (or repeated) key.
pub(super) const ROLLBACK_TO: &str =
    "ROLLBACK TO SAVEPOINT aurum_direct; RELEASE SAVEPOINT aurum_direct";

/// The (sub)transaction id that wrote the row with key (`$1`, `$2`, `$3`): every row of a
/// direct batch carries its savepoint's xid in `xmin`.
pub(super) const DIRECT_XID: &str = "SELECT xmin::text::bigint FROM curve_observation \
    WHERE curve_key = $1 AND tenor_label = $2 AND asof_date = $3";

/// The input's winners: one staged row per key, ingested (`origin` 0) before derived (1), then
/// the newest `ingest_ts`, then the latest in the input (`seq`), in primary-key order (so the
/// insert walks the index in order).
macro_rules! winners {
    () => {
        r#"
WITH winners AS (
    SELECT DISTINCT ON (curve_key, tenor_label, asof_date)
           curve_key, tenor_label, asof_date, contract_month, asset_class, region, iso,
           location, market, product, block, spark_location, price_type, tenor_type,
           units_raw, currency, per_unit, value, bid, ask, mid, source_file, sheet_name,
           version_hash, ingest_ts, origin
    FROM pg_temp.aurum_ingest_staging
    ORDER BY curve_key, tenor_label, asof_date, origin, ingest_ts DESC, seq DESC
)"#
    };
}

/// Upserts the winners. A stored row is replaced only under `RowOrigin::replaces` (newer or
/// equal `ingest_ts`, and never a derived row over an ingested one); rows whose
/// `DO UPDATE … WHERE` is false are neither returned nor counted. `xmax = 0` holds exactly for
/// the freshly inserted row versions (an updated version carries the updating transaction in
/// `xmax`).
macro_rules! upserted {
    () => {
        r#", upserted AS (
    INSERT INTO curve_observation (
           curve_key, tenor_label, asof_date, contract_month, asset_class, region, iso,
           location, market, product, block, spark_location, price_type, tenor_type,
           units_raw, currency, per_unit, value, bid, ask, mid, source_file, sheet_name,
           version_hash, ingest_ts, origin)
    SELECT * FROM winners
    ON CONFLICT (curve_key, tenor_label, asof_date) DO UPDATE SET
           contract_month = EXCLUDED.contract_month,
           asset_class    = EXCLUDED.asset_class,
           region         = EXCLUDED.region,
           iso            = EXCLUDED.iso,
           location       = EXCLUDED.location,
           market         = EXCLUDED.market,
           product        = EXCLUDED.product,
           block          = EXCLUDED.block,
           spark_location = EXCLUDED.spark_location,
           price_type     = EXCLUDED.price_type,
           tenor_type     = EXCLUDED.tenor_type,
           units_raw      = EXCLUDED.units_raw,
           currency       = EXCLUDED.currency,
           per_unit       = EXCLUDED.per_unit,
           value          = EXCLUDED.value,
           bid            = EXCLUDED.bid,
           ask            = EXCLUDED.ask,
           mid            = EXCLUDED.mid,
           source_file    = EXCLUDED.source_file,
           sheet_name     = EXCLUDED.sheet_name,
           version_hash   = EXCLUDED.version_hash,
           ingest_ts      = EXCLUDED.ingest_ts,
           origin         = EXCLUDED.origin
    WHERE EXCLUDED.ingest_ts >= curve_observation.ingest_ts
      AND NOT (EXCLUDED.origin = 1 AND curve_observation.origin = 0)
    RETURNING (xmax = 0) AS inserted
)"#
    };
}

/// Applies the staged input in one statement; returns (distinct staged keys, inserted,
/// updated).
pub(super) const APPLY: &str = concat!(
    winners!(),
    upserted!(),
    r#"
SELECT (SELECT count(*) FROM winners),
       count(*) FILTER (WHERE inserted),
       count(*) FILTER (WHERE NOT inserted)
FROM upserted"#
);

/// [`APPLY`] after direct batches written by the xids `$1`; also returns how many winners
/// meet a row of those batches (keys this input already inserted) and how many of those they
/// replace. Every part of one statement reads the same snapshot, so `own` sees the rows as
/// they were before the upsert.
pub(super) const APPLY_AFTER_DIRECT: &str = concat!(
    winners!(),
    r#", own AS (
    SELECT count(*) AS keys,
           count(*) FILTER (WHERE w.ingest_ts >= o.ingest_ts
                              AND NOT (w.origin = 1 AND o.origin = 0)) AS replaced
    FROM winners w
    JOIN curve_observation o USING (curve_key, tenor_label, asof_date)
    WHERE o.xmin::text::bigint = ANY($1)
)"#,
    upserted!(),
    r#"
SELECT (SELECT count(*) FROM winners),
       count(*) FILTER (WHERE inserted),
       count(*) FILTER (WHERE NOT inserted),
       (SELECT keys FROM own),
       (SELECT replaced FROM own)
FROM upserted"#
);

/// Logs the completed ingestion; returns its id.
pub(super) const LOG: &str = "INSERT INTO curve_ingest_log (file_name, checksum, rows_read, \
    rows_stored, rows_quarantined, derived_strips, started_at, finished_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";

/// Moves the staged quarantine records under log row `$1`, in arrival order.
pub(super) const MOVE_QUARANTINE: &str = "INSERT INTO curve_quarantine \
    (ingest_id, file_name, line, reason, raw) \
    SELECT $1, file_name, line, reason, raw FROM pg_temp.aurum_ingest_quarantine ORDER BY seq";

/// The most recent completed ingestion of an input with checksum `$1`.
pub(super) const LATEST_COMPLETED: &str = "SELECT file_name, checksum, rows_read, rows_stored, \
    rows_quarantined, derived_strips, started_at, finished_at FROM curve_ingest_log \
    WHERE checksum = $1 ORDER BY finished_at DESC, id DESC LIMIT 1";
