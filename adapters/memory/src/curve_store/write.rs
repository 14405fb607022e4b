//! The write path: a batch is encoded, grouped by key (stably, so batch order is kept within a
//! key) and folded against the stored row under the replacement rule. The surviving rows are
//! sorted and merged into the chunks they fall in; every other chunk is shared with the base
//! snapshot, so a write costs (and, while readers hold the old snapshot, doubles) only the
//! chunks it touches.

use std::sync::Arc;

use aurum_ports::{CurveObservation, StoreError, UpsertReport};

use super::chunk::Chunk;
use super::interner::{Interner, ranks};
use super::row::{CompactRow, Dicts};
use super::snapshot::{Addr, Ranks, Snapshot};

/// Applies `rows` to `base`: the report, and the next snapshot when anything changed.
pub(crate) fn apply(
    base: &Snapshot,
    rows: &[CurveObservation],
) -> Result<(UpsertReport, Option<Snapshot>), StoreError> {
    let mut dicts = base.dicts.clone();
    let incoming = rows
        .iter()
        .map(|o| CompactRow::encode(&mut dicts, o))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| StoreError::Unavailable("the in-memory curve store is full".to_owned()))?;

    let mut order: Vec<usize> = (0..incoming.len()).collect();
    order.sort_by_key(|&i| (incoming[i].curve, incoming[i].label, incoming[i].asof));

    let mut report = UpsertReport::default();
    let mut removed: Vec<Addr> = Vec::new();
    let mut added: Vec<CompactRow> = Vec::new();
    for group in order.chunk_by(|&a, &b| {
        let (a, b) = (&incoming[a], &incoming[b]);
        (a.curve, a.label, a.asof) == (b.curve, b.label, b.asof)
    }) {
        let first = &incoming[group[0]];
        let stored = base.find(first.curve, first.label, first.asof);
        let mut current = stored.map(|addr| *base.row(addr));
        let mut changed = false;
        for &i in group {
            let row = incoming[i];
            match current {
                None => report.inserted += 1,
                Some(c) if row.replaces(&c) => report.updated += 1,
                Some(_) => {
                    report.skipped += 1;
                    continue;
                }
            }
            current = Some(row);
            changed = true;
        }
        if let (true, Some(row)) = (changed, current) {
            removed.extend(stored);
            added.push(row);
        }
    }
    if added.is_empty() {
        return Ok((report, None));
    }

    let ranks = next_ranks(base, &dicts);
    added.sort_unstable_by_key(|r| ranks.key(r));
    removed.sort_unstable();
    let chunks = rebuild(base, &removed, &added, &ranks);
    Ok((report, Some(Snapshot::new(dicts, ranks, chunks))))
}

/// The ranks for `dicts`, reusing the base's when an interner did not grow.
fn next_ranks(base: &Snapshot, dicts: &Dicts) -> Ranks {
    let reuse = |old: &Arc<Interner>, new: &Arc<Interner>, ranked: &Arc<[u32]>| {
        if Arc::ptr_eq(old, new) {
            Arc::clone(ranked)
        } else {
            Arc::from(ranks(new))
        }
    };
    Ranks {
        curve: reuse(&base.dicts.curve, &dicts.curve, &base.ranks.curve),
        label: reuse(&base.dicts.label, &dicts.label, &base.ranks.label),
    }
}

/// The next chunk list: each base chunk either shared or rebuilt with the rows removed from it
/// and the added rows that fall in it, plus new chunks for dates the base does not hold.
fn rebuild(
    base: &Snapshot,
    removed: &[Addr],
    added: &[CompactRow],
    ranks: &Ranks,
) -> Vec<Arc<Chunk>> {
    let mut out = Vec::with_capacity(base.chunks.len() + 1);
    let (mut removed, mut added) = (removed, added);
    for (i, chunk) in base.chunks.iter().enumerate() {
        let newer = added.partition_point(|r| r.asof > chunk.asof);
        push_new_dates(&mut out, &added[..newer]);
        added = &added[newer..];

        let take = match base
            .chunks
            .get(i + 1)
            .filter(|next| next.asof == chunk.asof)
        {
            Some(next) => {
                let bound = ranks.key(next.first());
                added.partition_point(|r| ranks.key(r) < bound)
            }
            None => added.partition_point(|r| r.asof == chunk.asof),
        };
        let (mine, rest) = added.split_at(take);
        added = rest;
        let (gone, rest) = removed.split_at(removed.partition_point(|a| a.chunk <= i));
        removed = rest;

        if mine.is_empty() && gone.is_empty() {
            out.push(Arc::clone(chunk));
        } else {
            let gone: Vec<usize> = gone.iter().map(|a| a.row).collect();
            out.extend(chunk.merged(&gone, mine, ranks).into_iter().map(Arc::new));
        }
    }
    push_new_dates(&mut out, added);
    out
}

/// Chunks for sorted rows of dates that have none yet.
fn push_new_dates(out: &mut Vec<Arc<Chunk>>, rows: &[CompactRow]) {
    for date in rows.chunk_by(|a, b| a.asof == b.asof) {
        out.extend(Chunk::pieces(date.to_vec()).into_iter().map(Arc::new));
    }
}

#[cfg(test)]
mod tests {
    use aurum_ports::RowOrigin;
    use aurum_ports::contract::curve_store::fixture;

    use super::*;
    use crate::curve_store::chunk::CHUNK_ROWS;

    fn keys(snap: &Snapshot) -> Vec<(i32, String, String)> {
        let text = |i: &Interner, id| i.text(id).to_owned();
        let rows = snap.chunks.iter().flat_map(|c| c.rows.iter());
        rows.map(|r| {
            (
                r.asof,
                text(&snap.dicts.curve, r.curve),
                text(&snap.dicts.label, r.label),
            )
        })
        .collect()
    }

    fn assert_well_formed(snap: &Snapshot) {
        let rows: Vec<CompactRow> = snap
            .chunks
            .iter()
            .flat_map(|c| c.rows.iter().copied())
            .collect();
        assert!(
            rows.windows(2)
                .all(|w| snap.ranks.key(&w[0]) < snap.ranks.key(&w[1])),
            "sorted, unique"
        );
        for chunk in &snap.chunks {
            assert!(!chunk.rows.is_empty() && chunk.rows.len() <= CHUNK_ROWS);
            assert!(
                chunk.rows.iter().all(|r| r.asof == chunk.asof),
                "one date per chunk"
            );
        }
        for (c, chunk) in snap.chunks.iter().enumerate() {
            for (row, r) in chunk.rows.iter().enumerate() {
                assert_eq!(
                    snap.find(r.curve, r.label, r.asof),
                    Some(Addr { chunk: c, row })
                );
            }
        }
    }

    #[test]
    fn batches_merge_into_chunks_in_canonical_order() {
        let data = fixture::dataset();
        let (half, rest) = data.split_at(200);
        let (r1, s1) = apply(&Snapshot::default(), half).unwrap();
        let s1 = s1.unwrap();
        assert_well_formed(&s1);
        let (r2, s2) = apply(&s1, rest).unwrap();
        let s2 = s2.unwrap();
        assert_well_formed(&s2);
        assert_eq!((r1.inserted, r2.inserted), (200, 169));
        let (all, s3) = apply(&Snapshot::default(), &data).unwrap();
        assert_eq!(all.inserted, 369);
        assert_eq!(keys(&s2), keys(&s3.unwrap()));
    }

    #[test]
    fn untouched_chunks_are_shared_with_the_previous_snapshot() {
        let data = fixture::dataset();
        let (_, s1) = apply(&Snapshot::default(), &data).unwrap();
        let s1 = s1.unwrap();
        let newest = fixture::asof_dates()[3];
        let row = fixture::observation(newest, "AAA", "2025-02", 1.0);
        let (_, s2) = apply(&s1, &[row]).unwrap();
        let s2 = s2.unwrap();
        assert_well_formed(&s2);
        let shared = s2
            .chunks
            .iter()
            .filter(|c| s1.chunks.iter().any(|o| Arc::ptr_eq(o, c)))
            .count();
        assert!(
            shared >= s2.chunks.len() - 2,
            "only the chunk of {newest} is rebuilt"
        );
    }

    #[test]
    fn a_batch_that_changes_nothing_builds_no_snapshot() {
        let row = fixture::observation(fixture::date(2025, 1, 2), "k", "2025-02", 1.0);
        let (_, snap) = apply(&Snapshot::default(), std::slice::from_ref(&row)).unwrap();
        let derived = CurveObservation {
            origin: RowOrigin::Derived,
            ..row
        };
        let (report, next) = apply(&snap.unwrap(), &[derived]).unwrap();
        assert_eq!(report.skipped, 1);
        assert!(next.is_none());
    }
}
