//! Service tests against a mocked store: validation lists every problem before the store is
//! touched, foreign ids are `NotFound`, cursors are bound to tenant and filters, and run
//! submission reports whether the run is new.

use std::sync::Arc;

use aurum_ports::clock::MockClock;
use aurum_ports::outbox::MockIdGenerator;
use aurum_ports::scenario::{RunOptions, RunStatus};
use aurum_ports::scenario_store::{MockScenarioStore, RunSubmission};
use aurum_ports::{Direction, Page};
use futures::executor::block_on;
use serde_json::json;

use super::*;
use crate::scenarios::fingerprint;
use crate::scenarios::fixtures::{SCENARIO_ID, at, run, scenario, tenant};

macro_rules! new_id {
    () => {
        aurum_ports::scenario::RunId::parse("00000000-0000-4000-8000-000000000042")
            .unwrap()
            .as_uuid()
    };
}

fn service(store: MockScenarioStore) -> ScenarioService {
    let mut clock = MockClock::new();
    clock.expect_now().returning(|| at(5));
    let mut ids = MockIdGenerator::new();
    ids.expect_new_id().returning(|| new_id!());
    ScenarioService::new(
        Arc::new(store),
        Arc::new(ids),
        Arc::new(clock),
        CursorCodec::new(b"test").unwrap(),
    )
}

fn scenario_id() -> ScenarioId {
    ScenarioId::parse(SCENARIO_ID).unwrap()
}

fn other_tenant() -> TenantId {
    TenantId::parse("globex").unwrap()
}

fn pointers_of(err: &ScenarioError) -> Vec<String> {
    match err {
        ScenarioError::Invalid(problems) => problems
            .iter()
            .map(|p| match p {
                Problem::Pointer(f) => f.pointer.clone(),
                Problem::Parameter(q) => q.parameter.clone(),
            })
            .collect(),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn create_lists_every_problem_and_never_reaches_the_store() {
    let mut store = MockScenarioStore::new();
    store.expect_create().never();
    let input: NewScenario = serde_json::from_value(json!({
        "name": "   ",
        "assumptions": [
            {"driver_type": "policy", "payload": {"policy_name": "ok"}},
            {"driver_type": "fleet_change", "payload": {"fleet_id": "f", "change_type": "add",
             "effective_date": "2026-01-01", "capacity_mw": -5}},
            {"driver_type": "weather", "payload": {}}
        ],
        "tags": ["fine", " "]
    }))
    .unwrap();
    let err = block_on(service(store).create(&tenant(), input)).unwrap_err();
    let found = pointers_of(&err);
    for expected in [
        "/name",
        "/assumptions/1/payload/capacity_mw",
        "/assumptions/2/driver_type",
        "/tags/1",
    ] {
        assert!(
            found.iter().any(|p| p == expected),
            "{expected} missing from {found:?}"
        );
    }
}

#[test]
fn create_stores_a_new_scenario_and_reports_a_taken_name_as_a_conflict() {
    let mut store = MockScenarioStore::new();
    store
        .expect_create()
        .withf(|s| {
            s.version == 1 && s.created_at == at(5) && s.unique_key().as_str() == "acme:base-case"
        })
        .times(1)
        .returning(|_| Ok(()));
    store
        .expect_create()
        .returning(|_| Err(StoreError::Conflict("unique violation".into())));
    let service = service(store);
    let input = NewScenario {
        name: "Base Case".into(),
        ..NewScenario::default()
    };
    let created = block_on(service.create(&tenant(), input.clone())).unwrap();
    assert_eq!(created.id.as_uuid(), new_id!());
    let err = block_on(service.create(&tenant(), input)).unwrap_err();
    assert!(matches!(err, ScenarioError::Conflict(ref why) if why.contains("acme:base-case")));
}

#[test]
fn another_tenants_scenario_is_not_found() {
    let mut store = MockScenarioStore::new();
    store
        .expect_get()
        .withf(|t, _| t.as_str() == "globex")
        .returning(|_, _| Ok(None));
    store.expect_list_runs().never();
    store.expect_submit_run().never();
    let service = service(store);
    let err = block_on(service.get(&other_tenant(), scenario_id())).unwrap_err();
    assert!(matches!(err, ScenarioError::NotFound("scenario")));
    let runs = ListRuns {
        limit: 10,
        ..ListRuns::default()
    };
    let err = block_on(service.list_runs(&other_tenant(), scenario_id(), &runs)).unwrap_err();
    assert!(matches!(err, ScenarioError::NotFound("scenario")));
    let err = block_on(service.submit_run(&other_tenant(), scenario_id(), RunOptions::default()))
        .unwrap_err();
    assert!(matches!(err, ScenarioError::NotFound("scenario")));
}

#[test]
fn a_cursor_from_other_filters_or_another_tenant_is_refused() {
    let mut store = MockScenarioStore::new();
    store.expect_list().times(1).returning(|_, _, _| {
        Ok(Page {
            items: vec![scenario(json!({}))],
            has_more: true,
        })
    });
    let service = service(store);
    let active = ListScenarios {
        filter: ScenarioFilter {
            status: Some(ScenarioStatus::Active),
            ..ScenarioFilter::default()
        },
        limit: 1,
        cursor: None,
    };
    let first = block_on(service.list(&tenant(), &active)).unwrap();
    let next = first.next_cursor.expect("more rows follow");
    assert!(first.prev_cursor.is_none());
    let archived = ListScenarios {
        filter: ScenarioFilter {
            status: Some(ScenarioStatus::Archived),
            ..ScenarioFilter::default()
        },
        cursor: Some(next.clone()),
        ..active.clone()
    };
    let err = block_on(service.list(&tenant(), &archived)).unwrap_err();
    assert!(matches!(
        err,
        ScenarioError::Cursor(CursorError::OtherQuery)
    ));
    let same_filters = ListScenarios {
        cursor: Some(next),
        ..active
    };
    let err = block_on(service.list(&other_tenant(), &same_filters)).unwrap_err();
    assert!(matches!(
        err,
        ScenarioError::Cursor(CursorError::OtherQuery)
    ));
}

#[test]
fn a_next_cursor_resumes_after_the_last_scenario_of_the_page() {
    let mut store = MockScenarioStore::new();
    store
        .expect_list()
        .withf(|_, _, page| page.position.is_none())
        .returning(|_, _, _| {
            Ok(Page {
                items: vec![scenario(json!({}))],
                has_more: true,
            })
        });
    store
        .expect_list()
        .withf(|_, _, page| {
            matches!(&page.position, Some((Direction::Forward, k)) if k.at == at(0) && k.id == SCENARIO_ID)
        })
        .times(1)
        .returning(|_, _, _| Ok(Page::empty()));
    let service = service(store);
    let mut req = ListScenarios {
        limit: 1,
        ..ListScenarios::default()
    };
    req.cursor = block_on(service.list(&tenant(), &req)).unwrap().next_cursor;
    let second = block_on(service.list(&tenant(), &req)).unwrap();
    assert!(second.items.is_empty() && second.next_cursor.is_none());
}

#[test]
fn list_limits_out_of_range_are_parameter_problems() {
    let mut store = MockScenarioStore::new();
    store.expect_list().never();
    let req = ListScenarios {
        limit: 201,
        ..ListScenarios::default()
    };
    let err = block_on(service(store).list(&tenant(), &req)).unwrap_err();
    assert_eq!(pointers_of(&err), ["limit"]);
}

#[test]
fn a_patch_bumps_the_version_and_renames_through_the_unique_key() {
    let mut store = MockScenarioStore::new();
    store
        .expect_get()
        .returning(|_, _| Ok(Some(scenario(json!({})))));
    store
        .expect_update()
        .withf(|s, expected| {
            *expected == 1
                && s.version == 2
                && s.updated_at == at(5)
                && s.unique_key().as_str() == "acme:winter-case"
                && s.status == ScenarioStatus::Active
        })
        .times(1)
        .returning(|_, _| Ok(true));
    let patch = ScenarioPatch {
        name: Some("Winter Case".into()),
        status: Some(ScenarioStatus::Active),
        ..ScenarioPatch::default()
    };
    let updated = block_on(service(store).patch(&tenant(), scenario_id(), patch, Some(1))).unwrap();
    assert_eq!(updated.name().as_str(), "Winter Case");
}

#[test]
fn a_patch_against_a_stale_version_is_a_conflict_and_writes_nothing() {
    let mut store = MockScenarioStore::new();
    store
        .expect_get()
        .returning(|_, _| Ok(Some(scenario(json!({})))));
    store.expect_update().never();
    let patch = ScenarioPatch {
        name: Some("Other".into()),
        ..ScenarioPatch::default()
    };
    let err = block_on(service(store).patch(&tenant(), scenario_id(), patch, Some(7))).unwrap_err();
    assert!(matches!(err, ScenarioError::Conflict(_)));
}

#[test]
fn a_patch_lists_every_problem_with_body_pointers() {
    let mut store = MockScenarioStore::new();
    store
        .expect_get()
        .returning(|_, _| Ok(Some(scenario(json!({})))));
    store.expect_update().never();
    let patch = ScenarioPatch {
        status: Some(ScenarioStatus::Deleted),
        tags: Some(vec![String::new()]),
        ..ScenarioPatch::default()
    };
    let err = block_on(service(store).patch(&tenant(), scenario_id(), patch, None)).unwrap_err();
    assert_eq!(pointers_of(&err), ["/tags/0", "/status"]);
}

mod runs;
