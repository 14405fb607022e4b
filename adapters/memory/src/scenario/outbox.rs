//! The outbox: live events by `(created_at, seq)`, claimed under a lease, rescheduled,
//! dead-lettered and redriven. Delivered events are dropped (their ids are the consumers'
//! concern from then on).

use aurum_ports::outbox::{OutboxEvent, OutboxStats};
use chrono::{DateTime, Utc};

use super::state::{State, plus};

impl State {
    pub(super) fn claim_due(
        &mut self,
        now: DateTime<Utc>,
        limit: usize,
        lease: std::time::Duration,
    ) -> Vec<OutboxEvent> {
        let until = plus(now, lease);
        let due: Vec<uuid::Uuid> = self
            .pending
            .values()
            .filter(|id| {
                self.events.get(id).is_some_and(|e| {
                    e.stored.next_attempt_at <= now && e.lease_until.is_none_or(|u| u <= now)
                })
            })
            .take(limit)
            .copied()
            .collect();
        due.iter()
            .filter_map(|id| {
                let row = self.events.get_mut(id)?;
                row.lease_until = Some(until);
                Some(row.stored.clone())
            })
            .collect()
    }

    pub(super) fn mark_delivered(&mut self, id: uuid::Uuid) {
        if let Some(row) = self.events.get(&id).filter(|e| !e.dead) {
            let key = (row.stored.created_at, row.seq);
            self.pending.remove(&key);
            self.events.remove(&id);
        }
    }

    pub(super) fn reschedule(&mut self, id: uuid::Uuid, at: DateTime<Utc>, error: &str) {
        if let Some(row) = self.events.get_mut(&id).filter(|e| !e.dead) {
            row.stored.attempts = row.stored.attempts.saturating_add(1);
            row.stored.next_attempt_at = at;
            row.stored.last_error = Some(error.to_owned());
            row.lease_until = None;
        }
    }

    pub(super) fn dead_letter(&mut self, id: uuid::Uuid, error: &str) {
        if let Some(row) = self.events.get_mut(&id).filter(|e| !e.dead) {
            row.dead = true;
            row.lease_until = None;
            row.stored.last_error = Some(error.to_owned());
            let key = (row.stored.created_at, row.seq);
            self.pending.remove(&key);
            self.dead.insert(key, id);
        }
    }

    pub(super) fn outbox_stats(&self) -> OutboxStats {
        OutboxStats {
            pending: u64::try_from(self.pending.len()).unwrap_or(u64::MAX),
            oldest_pending: self.pending.keys().next().map(|(at, _)| *at),
            dead_letters: u64::try_from(self.dead.len()).unwrap_or(u64::MAX),
        }
    }

    pub(super) fn dead_letters(&self, limit: usize) -> Vec<OutboxEvent> {
        self.dead
            .values()
            .filter_map(|id| self.events.get(id))
            .take(limit)
            .map(|e| e.stored.clone())
            .collect()
    }

    pub(super) fn redrive(&mut self, id: uuid::Uuid, now: DateTime<Utc>) -> bool {
        let Some(row) = self.events.get_mut(&id).filter(|e| e.dead) else {
            return false;
        };
        row.dead = false;
        row.stored.attempts = 0;
        row.stored.next_attempt_at = now;
        let key = (row.stored.created_at, row.seq);
        self.dead.remove(&key);
        self.pending.insert(key, id);
        true
    }
}
