//! Scenario definitions: create/get round trip, tenant isolation, the per-tenant unique key,
//! optimistic updates and cascading deletes.

use super::super::ScenarioBackend;
use super::super::scenario_fixtures::{date, outputs, run, scenario, tenant, ts};
use super::super::scenario_support::{create, ok, secs, stored_run, submit, succeed};
use crate::error::StoreError;
use crate::page::PageRequest;
use crate::scenario::{Priority, Scenario, ScenarioName, ScenarioStatus};
use crate::scenario_store::{OutputFilter, ScenarioFilter};

pub(super) async fn create_and_get_round_trip(b: &ScenarioBackend) {
    let clause = "get MUST return the scenario exactly as created";
    let (a, other) = (tenant("acme"), tenant("globex"));
    let s = scenario(&a, "Clean Power 2030", ts(10));
    create(b, &s, clause).await;
    let got = ok(clause, b.scenarios.get(&a, s.id).await);
    assert_eq!(got.as_ref(), Some(&s), "{clause}");
    let clause = "another tenant's scenario MUST look unknown";
    assert_eq!(
        ok(clause, b.scenarios.get(&other, s.id).await),
        None,
        "{clause}"
    );
    assert_eq!(
        ok(
            clause,
            b.scenarios
                .get(&a, super::super::scenario_fixtures::scenario_id())
                .await
        ),
        None,
        "get MUST return None for an unknown id"
    );
}

pub(super) async fn unique_key_is_per_tenant_and_freed_by_delete(b: &ScenarioBackend) {
    let (a, other) = (tenant("acme"), tenant("globex"));
    let first = scenario(&a, "Clean Power", ts(1));
    create(b, &first, "create").await;
    let clash = scenario(&a, "  clean-POWER!! ", ts(2));
    let result = b.scenarios.create(&clash).await;
    assert!(
        matches!(result, Err(StoreError::Conflict(_))),
        "create MUST return Conflict for a name with the same slug in the same tenant, got {result:?}"
    );
    let clause = "the same name MUST be allowed for another tenant";
    create(b, &scenario(&other, "Clean Power", ts(3)), clause).await;
    assert!(ok("delete", b.scenarios.delete(&a, first.id).await));
    let clause = "a deleted scenario's name MUST be free again";
    create(b, &clash, clause).await;
    assert_eq!(
        ok(clause, b.scenarios.get(&a, clash.id).await).as_ref(),
        Some(&clash),
        "{clause}"
    );
}

pub(super) async fn update_is_optimistic(b: &ScenarioBackend) {
    let (a, other) = (tenant("acme"), tenant("globex"));
    let s = scenario(&a, "Base", ts(1));
    create(b, &s, "create").await;
    let mut next = s.clone();
    next.rename(ScenarioName::parse("Base renamed").expect("valid name"));
    next.description = Some("changed".to_owned());
    next.status = ScenarioStatus::Active;
    next.tags = vec!["x".to_owned(), "y".to_owned()];
    next.updated_at = ts(5);
    next.version = 2;
    let clause = "update MUST replace the scenario when the version matches";
    assert!(ok(clause, b.scenarios.update(&next, 1).await), "{clause}");
    assert_eq!(
        ok(clause, b.scenarios.get(&a, s.id).await).as_ref(),
        Some(&next),
        "{clause}"
    );

    let mut stale = next.clone();
    stale.description = Some("stale".to_owned());
    stale.version = 2;
    let result = b.scenarios.update(&stale, 1).await;
    assert!(
        matches!(result, Err(StoreError::Conflict(_))),
        "update MUST return Conflict on a version mismatch, got {result:?}"
    );
    assert_eq!(
        ok("get", b.scenarios.get(&a, s.id).await).as_ref(),
        Some(&next),
        "a refused update MUST change nothing"
    );

    let clause = "update MUST return false for an unknown scenario";
    let unknown = scenario(&a, "Never stored", ts(1));
    assert!(
        !ok(clause, b.scenarios.update(&unknown, 1).await),
        "{clause}"
    );
    let clause = "update MUST return false for another tenant's scenario";
    let foreign = Scenario::restore(
        s.id,
        other.clone(),
        ScenarioName::parse("Base renamed").expect("valid name"),
        None,
        ScenarioStatus::Active,
        Vec::new(),
        serde_json::Map::new(),
        Vec::new(),
        ts(1),
        ts(6),
        3,
    );
    assert!(
        !ok(clause, b.scenarios.update(&foreign, 2).await),
        "{clause}"
    );

    let second = scenario(&a, "Second", ts(2));
    create(b, &second, "create").await;
    let mut clash = second.clone();
    clash.rename(ScenarioName::parse("BASE renamed").expect("valid name"));
    clash.version = 2;
    let result = b.scenarios.update(&clash, 1).await;
    assert!(
        matches!(result, Err(StoreError::Conflict(_))),
        "update MUST return Conflict when the new name clashes with another scenario, got {result:?}"
    );
}

pub(super) async fn delete_cascades_runs_and_outputs(b: &ScenarioBackend) {
    let (a, other) = (tenant("acme"), tenant("globex"));
    let s = scenario(&a, "Doomed", ts(1));
    create(b, &s, "create").await;
    let done = run(&s, Priority::Normal, ts(10));
    succeed(
        b,
        &done,
        outputs(&done, date(2025, 1, 15), "C1", 50.0, ts(10)),
        "seed",
    )
    .await;
    let queued = run(&s, Priority::Normal, ts(20));
    submit(b, &queued, None, "seed").await;

    let clause = "delete MUST return false for another tenant's scenario";
    assert!(
        !ok(clause, b.scenarios.delete(&other, s.id).await),
        "{clause}"
    );
    assert_eq!(
        stored_run(b, &queued, clause).await,
        queued,
        "{clause}: nothing deleted"
    );

    let clause = "delete MUST delete the scenario with its runs and outputs";
    assert!(ok(clause, b.scenarios.delete(&a, s.id).await), "{clause}");
    assert_eq!(
        ok(clause, b.scenarios.get(&a, s.id).await),
        None,
        "{clause}"
    );
    for r in [&done, &queued] {
        assert_eq!(
            ok(clause, b.scenarios.get_run(&a, s.id, r.id).await),
            None,
            "{clause}"
        );
    }
    let runs = ok(
        clause,
        b.scenarios
            .list_runs(&a, s.id, None, &PageRequest::first(10))
            .await,
    );
    assert!(runs.items.is_empty(), "{clause}: runs listed after delete");
    let filter = OutputFilter {
        run_id: Some(done.id),
        ..OutputFilter::default()
    };
    let rows = ok(
        clause,
        b.scenarios
            .outputs(&a, s.id, &filter, &PageRequest::first(10))
            .await,
    );
    assert!(
        rows.items.is_empty(),
        "{clause}: outputs listed after delete"
    );
    let latest = ok(clause, b.scenarios.latest_metrics(&a, s.id, None).await);
    assert!(latest.is_empty(), "{clause}: latest metrics after delete");
    let claimed = ok(clause, b.queue.claim("w", ts(30), secs(60)).await);
    assert!(
        claimed.is_none(),
        "{clause}: a deleted scenario's run MUST not be claimable"
    );
    let listed = ok(
        clause,
        b.scenarios
            .list(&a, &ScenarioFilter::default(), &PageRequest::first(10))
            .await,
    );
    assert!(listed.items.is_empty(), "{clause}: deleted scenario listed");
    assert!(
        !ok(clause, b.scenarios.delete(&a, s.id).await),
        "delete MUST return false for a scenario already deleted"
    );
}
