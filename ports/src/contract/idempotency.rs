//! Contract suite for [`IdempotencyStore`](crate::idempotency::IdempotencyStore): first use,
//! in-flight retries, fingerprint mismatches, replay after completion, stale takeover,
//! abandon, tenant scoping and concurrent first uses.
//!
//! The factory returns a fresh, **empty** [`ScenarioBackend`]; only its `idempotency` port is
//! used. A fingerprint mismatch is reported whether the first request is in flight or done.
//! Completed keys are replayed whatever their age (retention pruning is out of the contract).

use futures::future::join_all;

use super::ScenarioBackend;
use super::scenario_fixtures::{tenant, ts};
use super::scenario_support::{ok, secs};
use crate::idempotency::{IdempotencyClaim, StoredResponse};

/// Runs every clause, each on a fresh backend from `factory`.
pub async fn run<F, Fut>(factory: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = ScenarioBackend>,
{
    lifecycle(&factory().await).await;
    stale_takeover_and_abandon(&factory().await).await;
    concurrent_first_uses(&factory().await).await;
}

fn response() -> StoredResponse {
    StoredResponse {
        status: 202,
        headers: vec![
            ("Location".to_owned(), "/v1/scenarios/x/runs/y".to_owned()),
            ("Content-Type".to_owned(), "application/json".to_owned()),
        ],
        body: br#"{"id":"y"}"#.to_vec(),
    }
}

async fn lifecycle(b: &ScenarioBackend) {
    let (a, other) = (tenant("acme"), tenant("globex"));
    let store = &b.idempotency;
    let stale = secs(300);
    let clause = "begin MUST start a first use";
    assert_eq!(
        ok(clause, store.begin(&a, "k1", "fp1", ts(0), stale).await),
        IdempotencyClaim::Started,
        "{clause}"
    );
    let clause = "begin MUST report a running first use as in flight";
    assert_eq!(
        ok(clause, store.begin(&a, "k1", "fp1", ts(10), stale).await),
        IdempotencyClaim::InFlight,
        "{clause}"
    );
    let clause = "begin MUST report another fingerprint as a mismatch";
    assert_eq!(
        ok(clause, store.begin(&a, "k1", "fp2", ts(10), stale).await),
        IdempotencyClaim::Mismatch,
        "{clause}"
    );
    let clause = "keys MUST be scoped to the tenant";
    assert_eq!(
        ok(
            clause,
            store.begin(&other, "k1", "fp2", ts(10), stale).await
        ),
        IdempotencyClaim::Started,
        "{clause}"
    );
    let clause = "begin MUST replay a completed key's response";
    ok(clause, store.complete(&a, "k1", response()).await);
    assert_eq!(
        ok(clause, store.begin(&a, "k1", "fp1", ts(20), stale).await),
        IdempotencyClaim::Completed(response()),
        "{clause}"
    );
    assert_eq!(
        ok(
            clause,
            store.begin(&a, "k1", "fp1", ts(100_000), stale).await
        ),
        IdempotencyClaim::Completed(response()),
        "a completed key MUST never be taken over as stale"
    );
    assert_eq!(
        ok(clause, store.begin(&a, "k1", "fp2", ts(20), stale).await),
        IdempotencyClaim::Mismatch,
        "a completed key MUST still report a mismatch"
    );
    assert_eq!(
        ok(
            clause,
            store.begin(&other, "k1", "fp2", ts(20), stale).await
        ),
        IdempotencyClaim::InFlight,
        "another tenant's completion MUST not leak"
    );
}

async fn stale_takeover_and_abandon(b: &ScenarioBackend) {
    let a = tenant("acme");
    let store = &b.idempotency;
    let stale = secs(300);
    assert_eq!(
        ok("begin", store.begin(&a, "k", "fp", ts(0), stale).await),
        IdempotencyClaim::Started
    );
    let clause = "a started claim younger than stale_after MUST stay in flight";
    assert_eq!(
        ok(clause, store.begin(&a, "k", "fp", ts(299), stale).await),
        IdempotencyClaim::InFlight,
        "{clause}"
    );
    let clause = "a started claim older than stale_after MUST be taken over";
    assert_eq!(
        ok(clause, store.begin(&a, "k", "fp", ts(301), stale).await),
        IdempotencyClaim::Started,
        "{clause}"
    );
    assert_eq!(
        ok(clause, store.begin(&a, "k", "fp", ts(302), stale).await),
        IdempotencyClaim::InFlight,
        "{clause}: the takeover is a new claim"
    );
    let clause = "abandon MUST forget a started key";
    ok(clause, store.abandon(&a, "k").await);
    assert_eq!(
        ok(clause, store.begin(&a, "k", "fp", ts(303), stale).await),
        IdempotencyClaim::Started,
        "{clause}"
    );
}

async fn concurrent_first_uses(b: &ScenarioBackend) {
    let a = tenant("acme");
    let clause = "concurrent first uses MUST yield one Started, the others InFlight";
    let results =
        join_all((0..6).map(|_| b.idempotency.begin(&a, "race", "fp", ts(0), secs(300)))).await;
    let claims: Vec<IdempotencyClaim> = results.into_iter().map(|r| ok(clause, r)).collect();
    let started = claims
        .iter()
        .filter(|c| **c == IdempotencyClaim::Started)
        .count();
    let in_flight = claims
        .iter()
        .filter(|c| **c == IdempotencyClaim::InFlight)
        .count();
    assert_eq!((started, in_flight), (1, 5), "{clause}: {claims:?}");
}
