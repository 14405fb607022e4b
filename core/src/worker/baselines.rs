//! Prefetching the curve levels the scenario engine looks up: for each key that
//! [`crate::scenarios::baseline_keys`] names, the mean mid of the curve's rows at the run's
//! pricing date, read page by page through the [`CurveStore`]. The run's own curve (the first
//! key) falls back to its latest pricing date before the requested one ("latest available");
//! reference curves count only when they have rows at that date (DOMAIN.md §2).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;

use aurum_ports::{
    CurveFilters, CurveKey, CurveStore, Direction, ListKeyset, ListQuery, PageRequest, StoreError,
};

use crate::scenarios::Baselines;
use crate::service::curves::list_keyset;

/// Mean mids of curves at one pricing date, ready for the engine.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BaselineSet {
    asof: NaiveDate,
    levels: HashMap<String, f64>,
}

impl BaselineSet {
    /// Levels known at `asof`.
    pub fn new(asof: NaiveDate, levels: HashMap<String, f64>) -> Self {
        Self { asof, levels }
    }

    /// The level of `key`, if its curve had rows with a mid.
    pub fn level(&self, key: &str) -> Option<f64> {
        self.levels.get(key).copied()
    }
}

impl Baselines for BaselineSet {
    fn mean_mid(&self, key: &str, asof: NaiveDate) -> Option<f64> {
        if asof == self.asof {
            self.level(key)
        } else {
            None
        }
    }
}

/// Reads the levels of `keys` at `asof`, `page_limit` rows per store call. Keys that are not
/// valid curve keys (e.g. free-text series names) have no level.
///
/// # Errors
/// The first store failure.
pub async fn fetch_baselines(
    store: &dyn CurveStore,
    keys: &[String],
    asof: NaiveDate,
    page_limit: usize,
) -> Result<BaselineSet, StoreError> {
    let mut levels = HashMap::with_capacity(keys.len());
    for (i, key) in keys.iter().enumerate() {
        let Ok(curve) = CurveKey::parse(key) else {
            continue;
        };
        let mut found = mean_mid_at(store, &curve, asof, page_limit).await?;
        if found.is_none()
            && i == 0
            && let Some(earlier) = latest_asof_before(store, &curve, asof).await?
        {
            found = mean_mid_at(store, &curve, earlier, page_limit).await?;
        }
        if let Some(Some(level)) = found {
            levels.insert(key.clone(), level);
        }
    }
    Ok(BaselineSet::new(asof, levels))
}

fn filters(curve: &CurveKey) -> CurveFilters {
    CurveFilters {
        curve_key: Some(curve.clone()),
        ..CurveFilters::default()
    }
}

/// `None` when the curve has no rows at `asof`; `Some(None)` when it has rows but no finite
/// mid; otherwise the mean of the finite mids.
async fn mean_mid_at(
    store: &dyn CurveStore,
    curve: &CurveKey,
    asof: NaiveDate,
    page_limit: usize,
) -> Result<Option<Option<f64>>, StoreError> {
    let (mut rows, mut sum, mut mids) = (0_usize, 0.0_f64, 0_u32);
    let mut position = None;
    loop {
        let query = ListQuery {
            filters: filters(curve),
            asof: Some(asof),
            page: PageRequest {
                limit: page_limit.max(1),
                position: position.take(),
            },
        };
        let page = store.list(&query).await?;
        rows += page.items.len();
        for mid in page.items.iter().filter_map(|o| o.mid) {
            if mid.is_finite() {
                sum += mid;
                mids = mids.saturating_add(1);
            }
        }
        match page.items.last() {
            Some(last) if page.has_more => {
                position = Some((Direction::Forward, list_keyset(last)));
            }
            _ => break,
        }
    }
    Ok(match (rows, mids) {
        (0, _) => None,
        (_, 0) => Some(None),
        _ => Some(Some(sum / f64::from(mids))),
    })
}

/// The newest pricing date of `curve` strictly before `asof`: one row read forward from a
/// boundary at `asof` in the list order (`asof_date` descending), where the curve has no rows.
async fn latest_asof_before(
    store: &dyn CurveStore,
    curve: &CurveKey,
    asof: NaiveDate,
) -> Result<Option<NaiveDate>, StoreError> {
    let boundary = ListKeyset {
        asof_date: asof,
        curve_key: curve.clone(),
        contract_month: None,
        tenor_label: Arc::from(""),
    };
    let query = ListQuery {
        filters: filters(curve),
        asof: None,
        page: PageRequest {
            limit: 1,
            position: Some((Direction::Forward, boundary)),
        },
    };
    let page = store.list(&query).await?;
    Ok(page
        .items
        .first()
        .map(|o| o.asof_date)
        .filter(|d| *d < asof))
}

#[cfg(test)]
mod tests {
    use aurum_ports::Page;
    use aurum_ports::curve_store::MockCurveStore;
    use futures::executor::block_on;

    use super::*;
    use crate::worker::test_support::observation;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 8, d).unwrap()
    }

    #[test]
    fn the_mean_mid_is_taken_over_every_page_of_the_pricing_date() {
        let mut store = MockCurveStore::new();
        store
            .expect_list()
            .withf(|q| q.asof == Some(day(20)) && q.page.position.is_none())
            .returning(|_| {
                Ok(Page {
                    items: vec![observation(20, 59.0)],
                    has_more: true,
                })
            });
        store
            .expect_list()
            .withf(|q| matches!(q.page.position, Some((Direction::Forward, _))))
            .returning(|_| {
                Ok(Page {
                    items: vec![observation(20, 61.0)],
                    has_more: false,
                })
            });
        let keys = ["PJM_WEST".to_owned(), "Henry Hub spot".to_owned()];
        let set = block_on(fetch_baselines(&store, &keys, day(20), 1)).unwrap();
        assert_eq!(set.mean_mid("PJM_WEST", day(20)), Some(60.0));
        assert_eq!(
            set.mean_mid("PJM_WEST", day(19)),
            None,
            "only the run's date"
        );
        assert_eq!(set.level("Henry Hub spot"), None, "not a curve key");
    }

    #[test]
    fn the_runs_curve_falls_back_to_its_latest_earlier_pricing_date() {
        let mut store = MockCurveStore::new();
        store
            .expect_list()
            .withf(|q| q.asof == Some(day(20)))
            .returning(|_| Ok(Page::empty()));
        store
            .expect_list()
            .withf(|q| {
                q.asof.is_none()
                    && q.page.limit == 1
                    && matches!(&q.page.position, Some((Direction::Forward, k)) if k.asof_date == day(20))
            })
            .returning(|_| Ok(Page { items: vec![observation(18, 1.0)], has_more: true }));
        store
            .expect_list()
            .withf(|q| q.asof == Some(day(18)))
            .returning(|_| {
                Ok(Page {
                    items: vec![observation(18, 42.0)],
                    has_more: false,
                })
            });
        let keys = ["PJM_WEST".to_owned()];
        let set = block_on(fetch_baselines(&store, &keys, day(20), 100)).unwrap();
        assert_eq!(set.mean_mid("PJM_WEST", day(20)), Some(42.0));
    }

    #[test]
    fn reference_curves_without_rows_at_the_date_have_no_level() {
        let mut store = MockCurveStore::new();
        store
            .expect_list()
            .withf(|q| q.asof == Some(day(20)))
            .returning(|_| Ok(Page::empty()));
        store
            .expect_list()
            .withf(|q| q.asof.is_none())
            .times(1)
            .returning(|_| Ok(Page::empty()));
        let keys = ["RUN_CURVE".to_owned(), "REF_CURVE".to_owned()];
        let set = block_on(fetch_baselines(&store, &keys, day(20), 100)).unwrap();
        assert_eq!(
            (set.level("RUN_CURVE"), set.level("REF_CURVE")),
            (None, None)
        );
    }
}
