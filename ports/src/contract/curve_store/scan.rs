//! `CurveStore::scan` clauses: every matching row exactly once, in canonical order, in non-empty
//! chunks; no match yields a stream without items.

use super::reference;
use super::support::{self, key};
use crate::curve::{CurveFilters, CurveObservation};
use crate::curve_store::CurveStore;

const ROWS: &str = "scan MUST yield every matching row exactly once, in canonical order";

pub(super) async fn check_matching_rows(store: &dyn CurveStore, data: &[CurveObservation]) {
    let cases = support::combined_cases()
        .into_iter()
        .chain(support::single_filter_cases(data).into_iter().step_by(4));
    for case in cases {
        let got = support::scan_all(store, &case.filters, case.asof, ROWS).await;
        let want = reference::list(data, &case.filters, case.asof);
        let keys =
            |rows: &[CurveObservation]| rows.iter().map(reference::list_key).collect::<Vec<_>>();
        assert!(
            got == want,
            "{ROWS} ({})\n  expected: {:?}\n  got: {:?}",
            case.name,
            keys(&want),
            keys(&got)
        );
    }
}

pub(super) async fn check_no_match_yields_no_chunk(store: &dyn CurveStore) {
    const CLAUSE: &str = "scan MUST yield no chunk when nothing matches";
    let nothing = CurveFilters {
        curve_key: Some(key("nope")),
        ..Default::default()
    };
    assert!(
        support::scan_all(store, &nothing, None, CLAUSE)
            .await
            .is_empty(),
        "{CLAUSE}"
    );
    let nothing = CurveFilters::default();
    assert!(
        support::scan_all(store, &nothing, Some(support::missing_date()), CLAUSE)
            .await
            .is_empty(),
        "{CLAUSE}"
    );
}
