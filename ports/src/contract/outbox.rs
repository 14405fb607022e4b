//! Contract suite for [`Outbox`](crate::outbox::Outbox): due-only, oldest-first claims hidden
//! for their lease, delivery, rescheduling, dead letters and redrive, and exclusive
//! concurrent claims.
//!
//! The outbox port has no append method: events enter it with the state change that causes
//! them. The factory therefore returns a fresh, **empty** [`ScenarioBackend`] and the suite
//! appends each event by completing a run through `queue` at a fixed instant `t`; the event
//! MUST then be stored with `created_at = next_attempt_at = t` and `attempts = 0`. Claiming
//! does not count an attempt; `reschedule` does. "Oldest first" is `created_at` order (the
//! suite never reorders events by rescheduling them).

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use futures::future::join_all;

use super::ScenarioBackend;
use super::scenario_fixtures::{event, run as queued_run, scenario, tenant, ts};
use super::scenario_support::{claim, create, ok, secs, submit};
use crate::outbox::{NewEvent, OutboxEvent, OutboxStats};
use crate::scenario::Priority;

/// Runs every clause, each on a fresh backend from `factory`.
pub async fn run<F, Fut>(factory: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = ScenarioBackend>,
{
    claim_due_is_due_only_oldest_first_and_leased(&factory().await).await;
    delivered_events_are_never_claimed_again(&factory().await).await;
    reschedule_counts_and_delays(&factory().await).await;
    dead_letters_and_redrive(&factory().await).await;
    stats_count_pending_and_dead_events(&factory().await).await;
    concurrent_claims_are_exclusive(&factory().await).await;
}

/// Appends one event per instant (in seconds from the fixture epoch) by completing a run.
async fn append(b: &ScenarioBackend, at: &[i64]) -> Vec<NewEvent> {
    let s = scenario(&tenant("acme"), "Outbox", ts(0));
    create(b, &s, "create").await;
    let mut out = Vec::new();
    for &t in at {
        let r = queued_run(&s, Priority::Normal, ts(t));
        submit(b, &r, None, "submit").await;
        claim(b, "w", ts(t), secs(60), "claim").await;
        let ev = event("scenario.run.succeeded", &r.id.to_string());
        let done = b
            .queue
            .complete(r.id, "w", ts(t), Vec::new(), ev.clone())
            .await;
        assert!(ok("complete", done), "complete MUST succeed for the holder");
        out.push(ev);
    }
    out
}

fn stored(ev: &NewEvent, at: DateTime<Utc>) -> OutboxEvent {
    OutboxEvent {
        event: ev.clone(),
        attempts: 0,
        created_at: at,
        next_attempt_at: at,
        last_error: None,
    }
}

async fn claim_due(b: &ScenarioBackend, now: i64, limit: usize, clause: &str) -> Vec<OutboxEvent> {
    ok(clause, b.outbox.claim_due(ts(now), limit, secs(60)).await)
}

fn ids(events: &[OutboxEvent]) -> Vec<uuid::Uuid> {
    events.iter().map(|e| e.event.id).collect()
}

async fn claim_due_is_due_only_oldest_first_and_leased(b: &ScenarioBackend) {
    let ev = append(b, &[10, 20, 30]).await;
    let clause = "claim_due MUST return only due events";
    assert!(claim_due(b, 5, 10, clause).await.is_empty(), "{clause}");
    let clause = "claim_due MUST return due events oldest first, at most limit";
    let got = claim_due(b, 25, 1, clause).await;
    assert_eq!(got, vec![stored(&ev[0], ts(10))], "{clause}");
    let got = claim_due(b, 25, 10, clause).await;
    assert_eq!(
        got,
        vec![stored(&ev[1], ts(20))],
        "{clause}: claimed ones are hidden"
    );
    let clause = "claim_due MUST hide claimed events until the lease ends";
    assert_eq!(
        ids(&claim_due(b, 40, 10, clause).await),
        vec![ev[2].id],
        "{clause}"
    );
    assert!(
        claim_due(b, 84, 10, clause).await.is_empty(),
        "{clause}: still leased at 84"
    );
    assert_eq!(
        ids(&claim_due(b, 86, 10, clause).await),
        vec![ev[0].id, ev[1].id],
        "{clause}: after 85"
    );
}

async fn delivered_events_are_never_claimed_again(b: &ScenarioBackend) {
    let ev = append(b, &[10, 20]).await;
    let clause = "mark_delivered MUST remove the event from every later claim";
    assert_eq!(
        ids(&claim_due(b, 30, 10, clause).await),
        vec![ev[0].id, ev[1].id],
        "{clause}"
    );
    ok(clause, b.outbox.mark_delivered(ev[0].id, ts(31)).await);
    assert_eq!(
        ids(&claim_due(b, 1000, 10, clause).await),
        vec![ev[1].id],
        "{clause}"
    );
    assert!(
        ok(clause, b.outbox.dead_letters(10).await).is_empty(),
        "{clause}: not dead"
    );
    assert!(
        !ok(clause, b.outbox.redrive(ev[0].id, ts(2000)).await),
        "redrive MUST return false for a delivered event"
    );
}

async fn reschedule_counts_and_delays(b: &ScenarioBackend) {
    let ev = append(b, &[10]).await;
    let clause = "reschedule MUST count the attempt and delay the next one";
    claim_due(b, 10, 10, clause).await;
    ok(
        clause,
        b.outbox
            .reschedule(ev[0].id, ts(100), "503 from sink")
            .await,
    );
    assert!(
        claim_due(b, 99, 10, clause).await.is_empty(),
        "{clause}: not before"
    );
    let got = claim_due(b, 100, 10, clause).await;
    let expected = OutboxEvent {
        attempts: 1,
        next_attempt_at: ts(100),
        last_error: Some("503 from sink".to_owned()),
        ..stored(&ev[0], ts(10))
    };
    assert_eq!(got, vec![expected], "{clause}");
    ok(
        clause,
        b.outbox.reschedule(ev[0].id, ts(200), "again").await,
    );
    let got = claim_due(b, 200, 10, clause).await;
    assert_eq!(
        got.iter().map(|e| e.attempts).collect::<Vec<_>>(),
        vec![2],
        "{clause}: twice"
    );
}

async fn dead_letters_and_redrive(b: &ScenarioBackend) {
    let ev = append(b, &[10, 20, 30]).await;
    claim_due(b, 30, 10, "claim").await;
    let clause = "dead_letter MUST move the event to the dead letters";
    ok(clause, b.outbox.dead_letter(ev[1].id, "410 gone").await);
    ok(clause, b.outbox.dead_letter(ev[0].id, "400 bad").await);
    let dead = ok(clause, b.outbox.dead_letters(10).await);
    assert_eq!(
        ids(&dead),
        vec![ev[0].id, ev[1].id],
        "dead_letters MUST list oldest first"
    );
    assert_eq!(
        dead[0].last_error.as_deref(),
        Some("400 bad"),
        "{clause}: with its error"
    );
    assert_eq!(
        ids(&ok(clause, b.outbox.dead_letters(1).await)),
        vec![ev[0].id],
        "dead_letters MUST honour limit"
    );
    assert_eq!(
        ids(&claim_due(b, 1000, 10, clause).await),
        vec![ev[2].id],
        "{clause}: never claimed"
    );
    ok(
        clause,
        b.outbox.reschedule(ev[2].id, ts(5000), "later").await,
    );

    let clause = "redrive MUST queue a dead letter again, due now, attempts reset";
    assert!(
        ok(clause, b.outbox.redrive(ev[0].id, ts(2000)).await),
        "{clause}"
    );
    assert_eq!(
        ids(&ok(clause, b.outbox.dead_letters(10).await)),
        vec![ev[1].id],
        "{clause}: left the dead letters"
    );
    assert!(
        claim_due(b, 1999, 10, clause).await.is_empty(),
        "{clause}: due at now"
    );
    let got = claim_due(b, 2000, 10, clause).await;
    assert_eq!(ids(&got), vec![ev[0].id], "{clause}");
    assert_eq!(
        (got[0].attempts, got[0].next_attempt_at),
        (0, ts(2000)),
        "{clause}"
    );
    assert!(
        !ok(clause, b.outbox.redrive(ev[2].id, ts(2000)).await),
        "redrive MUST return false for a live event"
    );
    assert!(
        !ok(
            clause,
            b.outbox.redrive(uuid::Uuid::new_v4(), ts(2000)).await
        ),
        "redrive MUST return false for an unknown id"
    );
}

async fn stats_count_pending_and_dead_events(b: &ScenarioBackend) {
    let clause = "stats MUST count pending and dead events and name the oldest pending one";
    let empty = ok(clause, b.outbox.stats().await);
    assert_eq!(empty, OutboxStats::default(), "{clause}: empty");
    let ev = append(b, &[10, 20, 30]).await;
    claim_due(b, 30, 10, clause).await;
    ok(clause, b.outbox.dead_letter(ev[0].id, "400 bad").await);
    ok(clause, b.outbox.mark_delivered(ev[1].id, ts(31)).await);
    let got = ok(clause, b.outbox.stats().await);
    assert_eq!(
        got,
        OutboxStats {
            pending: 1,
            oldest_pending: Some(ts(30)),
            dead_letters: 1,
        },
        "{clause}"
    );
}

async fn concurrent_claims_are_exclusive(b: &ScenarioBackend) {
    let at: Vec<i64> = (1..=8).collect();
    let ev = append(b, &at).await;
    let clause = "concurrent claim_due MUST never return the same event";
    let results = join_all((0..8).map(|_| b.outbox.claim_due(ts(100), 2, secs(60)))).await;
    let mut seen = Vec::new();
    for r in results {
        seen.extend(ids(&ok(clause, r)));
    }
    let unique: BTreeSet<uuid::Uuid> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "{clause}: {seen:?}");
    let all: BTreeSet<uuid::Uuid> = ev.iter().map(|e| e.id).collect();
    assert_eq!(unique, all, "{clause}: every due event claimed once");
}
