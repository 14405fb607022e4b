//! Batch upsert. In one transaction: lock the stored rows of the batch's keys (in key order, so
//! concurrent batches lock in the same order), fold the batch per key in batch order against the
//! stored `(ingest_ts, origin)` under [`RowOrigin::replaces`] (which gives the report's counts
//! exactly, as if rows were applied one at a time), then write each key's surviving row with
//! one set-based `INSERT … SELECT FROM unnest(…) ON CONFLICT DO UPDATE`. The conflict update
//! repeats the replacement rule, so a concurrent writer of the same new key cannot be
//! overwritten by an older row.

use std::collections::HashMap;

use aurum_ports::{CurveObservation, RowOrigin, StoreError, UpsertReport};
use chrono::{DateTime, NaiveDate, Utc};
use deadpool_postgres::{Pool, Transaction};
use postgres_types::ToSql;

use super::decode::{origin_code, origin_from_code};
use super::sql::COLUMNS;
use crate::error::{from_pg, from_pool};

/// The stored `(ingest_ts, origin)` of the batch's keys, locked until commit.
const LOCK_SQL: &str = "SELECT o.curve_key, o.tenor_label, o.asof_date, o.ingest_ts, o.origin \
     FROM curve_observation o \
     JOIN unnest($1::text[], $2::text[], $3::date[]) AS k (curve_key, tenor_label, asof_date) \
       ON o.curve_key = k.curve_key AND o.tenor_label = k.tenor_label \
      AND o.asof_date = k.asof_date \
     ORDER BY o.curve_key, o.tenor_label, o.asof_date \
     FOR UPDATE OF o";

/// SQL type of each of [`COLUMNS`], in the same order.
const TYPES: [&str; 26] = [
    "date",
    "text",
    "text",
    "text",
    "text",
    "text",
    "text",
    "text",
    "text",
    "text",
    "text",
    "text",
    "text",
    "text",
    "text",
    "text",
    "date",
    "text",
    "float8",
    "float8",
    "float8",
    "float8",
    "text",
    "text",
    "timestamptz",
    "int2",
];

const KEY: [&str; 3] = ["curve_key", "tenor_label", "asof_date"];

/// `INSERT … SELECT * FROM unnest($1::date[], …) ON CONFLICT … DO UPDATE … WHERE <rule>`.
fn insert_sql() -> String {
    let arrays: Vec<String> = TYPES
        .iter()
        .enumerate()
        .map(|(i, t)| format!("${}::{t}[]", i + 1))
        .collect();
    let updates: Vec<String> = COLUMNS
        .iter()
        .filter(|c| !KEY.contains(c))
        .map(|c| format!("{c} = EXCLUDED.{c}"))
        .collect();
    format!(
        "INSERT INTO curve_observation ({}) SELECT * FROM unnest({}) \
         ON CONFLICT ({}) DO UPDATE SET {} \
         WHERE EXCLUDED.ingest_ts >= curve_observation.ingest_ts \
           AND NOT (EXCLUDED.origin = 1 AND curve_observation.origin = 0)",
        COLUMNS.join(", "),
        arrays.join(", "),
        KEY.join(", "),
        updates.join(", "),
    )
}

type Key<'a> = (&'a str, &'a str, NaiveDate);

fn key(row: &CurveObservation) -> Key<'_> {
    (row.curve_key.as_str(), &row.tenor_label, row.asof_date)
}

/// `ts` truncated to whole microseconds (what PostgreSQL stores; the memory store does the same),
/// so that the fold compares what will be stored.
fn to_micros(ts: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(ts.timestamp_micros()).unwrap_or(ts)
}

pub(super) async fn upsert(
    pool: &Pool,
    mut rows: Vec<CurveObservation>,
) -> Result<UpsertReport, StoreError> {
    if rows.is_empty() {
        return Ok(UpsertReport::default());
    }
    for row in &mut rows {
        row.ingest_ts = to_micros(row.ingest_ts);
    }
    // Group by key, stably, so batch order holds within a key.
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| key(&rows[a]).cmp(&key(&rows[b])));
    let groups: Vec<&[usize]> = order
        .chunk_by(|&a, &b| key(&rows[a]) == key(&rows[b]))
        .collect();
    let heads = || groups.iter().map(|g| &rows[g[0]]);
    let curves: Vec<&str> = heads().map(|r| r.curve_key.as_str()).collect();
    let labels: Vec<&str> = heads().map(|r| &*r.tenor_label).collect();
    let dates: Vec<NaiveDate> = heads().map(|r| r.asof_date).collect();

    let mut client = pool.get().await.map_err(from_pool)?;
    let tx = client.transaction().await.map_err(from_pg)?;
    let lock = tx.prepare_cached(LOCK_SQL).await.map_err(from_pg)?;
    let locked = tx
        .query(&lock, &[&curves, &labels, &dates])
        .await
        .map_err(from_pg)?;
    let mut stored: HashMap<Key<'_>, (DateTime<Utc>, RowOrigin)> =
        HashMap::with_capacity(locked.len());
    for row in &locked {
        let k: Key<'_> = (
            row.try_get(0).map_err(from_pg)?,
            row.try_get(1).map_err(from_pg)?,
            row.try_get(2).map_err(from_pg)?,
        );
        let origin = origin_from_code(row.try_get(4).map_err(from_pg)?)?;
        stored.insert(k, (row.try_get(3).map_err(from_pg)?, origin));
    }

    let mut report = UpsertReport::default();
    let mut winners: Vec<&CurveObservation> = Vec::new();
    for group in &groups {
        let mut current = stored.get(&key(&rows[group[0]])).copied();
        let mut winner = None;
        for &i in *group {
            let row = &rows[i];
            let new = (row.ingest_ts, row.origin);
            match current {
                None => report.inserted += 1,
                Some(old) if RowOrigin::replaces(new, old) => report.updated += 1,
                Some(_) => {
                    report.skipped += 1;
                    continue;
                }
            }
            current = Some(new);
            winner = Some(row);
        }
        winners.extend(winner);
    }
    if !winners.is_empty() {
        write(&tx, &winners).await?;
    }
    tx.commit().await.map_err(from_pg)?;
    Ok(report)
}

/// One array per column, in [`COLUMNS`] order.
async fn write(tx: &Transaction<'_>, rows: &[&CurveObservation]) -> Result<(), StoreError> {
    fn col<'a, T>(rows: &[&'a CurveObservation], f: impl Fn(&'a CurveObservation) -> T) -> Vec<T> {
        rows.iter().map(|r| f(r)).collect()
    }
    let asof_date = col(rows, |r| r.asof_date);
    let source_file = col(rows, |r| &*r.source_file);
    let sheet_name = col(rows, |r| &*r.sheet_name);
    let asset_class = col(rows, |r| r.asset_class.as_str());
    let region = col(rows, |r| r.region.as_deref());
    let iso = col(rows, |r| r.iso.as_deref());
    let location = col(rows, |r| r.location.as_deref());
    let market = col(rows, |r| r.market.as_deref());
    let product = col(rows, |r| r.product.as_deref());
    let block = col(rows, |r| r.block.as_deref());
    let spark_location = col(rows, |r| r.spark_location.as_deref());
    let price_type = col(rows, |r| r.price_type.as_str());
    let units_raw = col(rows, |r| &*r.units_raw);
    let currency = col(rows, |r| r.currency.as_deref());
    let per_unit = col(rows, |r| r.per_unit.as_deref());
    let tenor_type = col(rows, |r| r.tenor_type.as_str());
    let contract_month = col(rows, |r| r.contract_month);
    let tenor_label = col(rows, |r| &*r.tenor_label);
    let value = col(rows, |r| r.value);
    let bid = col(rows, |r| r.bid);
    let ask = col(rows, |r| r.ask);
    let mid = col(rows, |r| r.mid);
    let curve_key = col(rows, |r| r.curve_key.as_str());
    let version_hash = col(rows, |r| &*r.version_hash);
    let ingest_ts = col(rows, |r| r.ingest_ts);
    let origin = col(rows, |r| origin_code(r.origin));
    let params: [&(dyn ToSql + Sync); 26] = [
        &asof_date,
        &source_file,
        &sheet_name,
        &asset_class,
        &region,
        &iso,
        &location,
        &market,
        &product,
        &block,
        &spark_location,
        &price_type,
        &units_raw,
        &currency,
        &per_unit,
        &tenor_type,
        &contract_month,
        &tenor_label,
        &value,
        &bid,
        &ask,
        &mid,
        &curve_key,
        &version_hash,
        &ingest_ts,
        &origin,
    ];
    let insert = tx.prepare_cached(&insert_sql()).await.map_err(from_pg)?;
    tx.execute(&insert, &params).await.map_err(from_pg)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_insert_binds_one_typed_array_per_column_and_keeps_the_rule_on_conflict() {
        let sql = insert_sql();
        assert!(sql.contains("unnest($1::date[], $2::text[]"));
        assert!(sql.contains("$17::date[], $18::text[], $19::float8[]"));
        assert!(sql.contains("$25::timestamptz[], $26::int2[])"));
        assert!(sql.contains("ON CONFLICT (curve_key, tenor_label, asof_date) DO UPDATE SET"));
        assert!(!sql.contains("curve_key = EXCLUDED.curve_key"));
        assert!(sql.contains("origin = EXCLUDED.origin WHERE EXCLUDED.ingest_ts >="));
    }

    #[test]
    fn timestamps_are_truncated_to_microseconds() {
        let ts = DateTime::from_timestamp(1_735_689_600, 123_456_789).unwrap();
        assert_eq!(to_micros(ts).timestamp_subsec_nanos(), 123_456_000);
        let before_epoch = DateTime::from_timestamp(-1, 999_999_999).unwrap();
        assert_eq!(
            to_micros(before_epoch).timestamp_micros(),
            before_epoch.timestamp_micros()
        );
    }
}
