//! Rate limiting over a [`RateLimitStore`]: choose the policy of a request, derive its opaque
//! store key, turn the store's GCRA outcome into a [`Decision`] and render the headers. The
//! GCRA step itself is [`aurum_ports::gcra_step`], shared by every store (ADR 0007).

mod headers;
mod policy;

use std::collections::HashSet;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use aurum_ports::{
    Decision, GcraOutcome, InvalidPolicy, Policy, RateLimitStore, StoreError, TenantId,
};
use chrono::{DateTime, Utc};

pub use headers::{RateLimitHeaders, delay_seconds, rate_limit, rate_limit_policy};
pub use policy::{key_for, select_policy};

/// The rate-limit service: a set of policies over one store. The policies can be replaced at
/// any time (operators change them through the admin API); each check uses one consistent
/// snapshot.
pub struct RateLimiter {
    store: Arc<dyn RateLimitStore>,
    policies: RwLock<Arc<Vec<Policy>>>,
}

/// The outcome of [`RateLimiter::check`]: the policy applied and its decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    policies: Arc<Vec<Policy>>,
    index: usize,
    /// The decision.
    pub decision: Decision,
}

impl Verdict {
    /// The policy that matched.
    pub fn policy(&self) -> &Policy {
        &self.policies[self.index]
    }

    /// The response headers of this verdict.
    pub fn headers(&self) -> RateLimitHeaders {
        RateLimitHeaders::new(self.policy(), &self.decision)
    }
}

/// Checks that `policies` can be enforced together.
///
/// # Errors
/// [`InvalidPolicy::DuplicateName`] when two policies share a name (their keys would collide).
pub fn validate_policies(policies: &[Policy]) -> Result<(), InvalidPolicy> {
    let mut names = HashSet::new();
    if let Some(dup) = policies.iter().find(|p| !names.insert(p.name())) {
        return Err(InvalidPolicy::DuplicateName(dup.name().to_owned()));
    }
    Ok(())
}

impl RateLimiter {
    /// A limiter enforcing `policies` through `store`.
    ///
    /// # Errors
    /// As [`validate_policies`].
    pub fn new(
        store: Arc<dyn RateLimitStore>,
        policies: Vec<Policy>,
    ) -> Result<Self, InvalidPolicy> {
        validate_policies(&policies)?;
        Ok(Self {
            store,
            policies: RwLock::new(Arc::new(policies)),
        })
    }

    /// The policies in force.
    pub fn policies(&self) -> Arc<Vec<Policy>> {
        Arc::clone(&self.policies.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Replaces the policies in force; checks already running finish with the old set.
    ///
    /// # Errors
    /// As [`validate_policies`]; the policies in force are unchanged then.
    pub fn replace_policies(&self, policies: Vec<Policy>) -> Result<(), InvalidPolicy> {
        validate_policies(&policies)?;
        *self
            .policies
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::new(policies);
        Ok(())
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn RateLimitStore> {
        &self.store
    }

    /// Charges `cost` to the most specific policy matching the request; `None` when no policy
    /// matches (the request is not limited).
    ///
    /// # Errors
    /// The store's errors; the caller decides whether to fail open or closed.
    pub async fn check(
        &self,
        tenant: Option<&TenantId>,
        route_group: Option<&str>,
        cost: u32,
        now: DateTime<Utc>,
    ) -> Result<Option<Verdict>, StoreError> {
        self.decide(tenant, route_group, Some(cost), now).await
    }

    /// The current state for the request's policy, without charging anything.
    ///
    /// # Errors
    /// The store's errors.
    pub async fn peek(
        &self,
        tenant: Option<&TenantId>,
        route_group: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Option<Verdict>, StoreError> {
        self.decide(tenant, route_group, None, now).await
    }

    async fn decide(
        &self,
        tenant: Option<&TenantId>,
        route_group: Option<&str>,
        cost: Option<u32>,
        now: DateTime<Utc>,
    ) -> Result<Option<Verdict>, StoreError> {
        let policies = self.policies();
        let Some(index) = select_policy(&policies, tenant, route_group)
            .and_then(|p| policies.iter().position(|q| std::ptr::eq(p, q)))
        else {
            return Ok(None);
        };
        let policy = &policies[index];
        let key = key_for(policy, tenant);
        let outcome = match cost {
            Some(cost) => {
                self.store
                    .decide(&key, policy.gcra_params(), cost, now)
                    .await?
            }
            None => self.store.peek(&key, policy.gcra_params(), now).await?,
        };
        let decision = decision(policy, &outcome);
        Ok(Some(Verdict {
            policies,
            index,
            decision,
        }))
    }
}

/// The [`Decision`] a store outcome means under `policy`.
pub fn decision(policy: &Policy, outcome: &GcraOutcome) -> Decision {
    Decision {
        allowed: outcome.allowed,
        limit: policy.quota(),
        remaining: outcome.remaining,
        reset_after: micros(outcome.reset_after_us),
        retry_after: outcome.retry_after_us.map(micros),
    }
}

fn micros(us: i64) -> Duration {
    Duration::from_micros(u64::try_from(us).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use aurum_ports::PolicyMatch;
    use aurum_ports::rate_limit::MockRateLimitStore;

    use super::*;

    fn policy(name: &str, tenant: Option<&str>) -> Policy {
        let matcher = PolicyMatch {
            tenant: tenant.map(|t| TenantId::parse(t).unwrap()),
            route_group: None,
        };
        Policy::new(name, matcher, 600, Duration::from_mins(1), 9).unwrap()
    }

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_795_000_000, 0).unwrap()
    }

    #[test]
    fn duplicate_policy_names_are_rejected() {
        let store = Arc::new(MockRateLimitStore::new());
        let result = RateLimiter::new(store, vec![policy("a", None), policy("a", Some("t1"))]);
        assert!(matches!(result, Err(InvalidPolicy::DuplicateName(name)) if name == "a"));
    }

    #[test]
    fn check_charges_the_hashed_key_of_the_most_specific_policy() {
        let mut store = MockRateLimitStore::new();
        let tenant = TenantId::parse("acme").unwrap();
        let specific = policy("acme", Some("acme"));
        let expected_key = key_for(&specific, Some(&tenant));
        store
            .expect_decide()
            .withf(move |key, params, cost, _| {
                key == expected_key && params.emission_interval_us() == 100_000 && *cost == 2
            })
            .returning(|_, _, _, _| {
                Ok(GcraOutcome {
                    allowed: false,
                    new_tat_us: None,
                    remaining: 0,
                    reset_after_us: 1_000_000,
                    retry_after_us: Some(250_000),
                })
            });
        let limiter =
            RateLimiter::new(Arc::new(store), vec![policy("default", None), specific]).unwrap();
        let verdict = futures::executor::block_on(limiter.check(Some(&tenant), None, 2, now()))
            .unwrap()
            .unwrap();
        assert_eq!(verdict.policy().name(), "acme");
        assert_eq!(
            verdict.decision,
            Decision {
                allowed: false,
                limit: 600,
                remaining: 0,
                reset_after: Duration::from_secs(1),
                retry_after: Some(Duration::from_millis(250)),
            }
        );
    }

    #[test]
    fn no_matching_policy_means_no_limit() {
        let limiter = RateLimiter::new(
            Arc::new(MockRateLimitStore::new()),
            vec![policy("acme", Some("acme"))],
        )
        .unwrap();
        let other = TenantId::parse("other").unwrap();
        let verdict =
            futures::executor::block_on(limiter.check(Some(&other), None, 1, now())).unwrap();
        assert!(verdict.is_none());
    }
}
