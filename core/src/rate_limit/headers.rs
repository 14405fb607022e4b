//! Response headers of a rate-limit decision: IETF `draft-ietf-httpapi-ratelimit-headers-11`
//! (`RateLimit-Policy`, `RateLimit`, policy names as quoted structured-field Strings), the
//! legacy `X-RateLimit-*` trio (reset in delta seconds) and `Retry-After` (delay-seconds).

use std::time::Duration;

use aurum_ports::{Decision, Policy};

/// Header values of one decision, ready for the shell to attach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimitHeaders {
    /// `RateLimit-Policy`, e.g. `"tenant";q=600;w=60`.
    pub policy: String,
    /// `RateLimit`, e.g. `"tenant";r=17;t=12`.
    pub rate_limit: String,
    /// `X-RateLimit-Limit`: the quota.
    pub x_limit: String,
    /// `X-RateLimit-Remaining`.
    pub x_remaining: String,
    /// `X-RateLimit-Reset`: delta seconds, the same value as `t`.
    pub x_reset: String,
    /// `Retry-After` on a refusal that some wait can cure.
    pub retry_after: Option<String>,
}

impl RateLimitHeaders {
    /// The headers of `decision` under `policy`.
    pub fn new(policy: &Policy, decision: &Decision) -> Self {
        Self {
            policy: rate_limit_policy(policy),
            rate_limit: rate_limit(policy, decision),
            x_limit: decision.limit.to_string(),
            x_remaining: decision.remaining.to_string(),
            x_reset: delay_seconds(effective_window(decision)).to_string(),
            retry_after: decision
                .retry_after
                .filter(|_| !decision.allowed)
                .map(|d| delay_seconds(d).to_string()),
        }
    }

    /// `(name, value)` pairs; `legacy` adds the `X-RateLimit-*` trio.
    pub fn pairs(&self, legacy: bool) -> Vec<(&'static str, &str)> {
        let mut pairs = vec![
            ("RateLimit-Policy", self.policy.as_str()),
            ("RateLimit", self.rate_limit.as_str()),
        ];
        if legacy {
            pairs.push(("X-RateLimit-Limit", &self.x_limit));
            pairs.push(("X-RateLimit-Remaining", &self.x_remaining));
            pairs.push(("X-RateLimit-Reset", &self.x_reset));
        }
        if let Some(retry) = &self.retry_after {
            pairs.push(("Retry-After", retry));
        }
        pairs
    }
}

/// `"<name>";q=<quota>;w=<window seconds, rounded up>`.
pub fn rate_limit_policy(policy: &Policy) -> String {
    format!(
        "{};q={};w={}",
        sf_string(policy.name()),
        policy.quota(),
        delay_seconds(policy.window()).max(1)
    )
}

/// `"<name>";r=<remaining>;t=<effective window seconds>`. The effective window is the wait
/// until the next request is admitted on a refusal (so `Retry-After` never names a time
/// before its end, draft §6), else the time until the key's full burst is back.
pub fn rate_limit(policy: &Policy, decision: &Decision) -> String {
    format!(
        "{};r={};t={}",
        sf_string(policy.name()),
        decision.remaining,
        delay_seconds(effective_window(decision))
    )
}

/// Whole seconds, rounded up, so a client that waits them is never early.
pub fn delay_seconds(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

fn effective_window(decision: &Decision) -> Duration {
    match decision.retry_after {
        Some(wait) if !decision.allowed => wait,
        _ => decision.reset_after,
    }
}

/// An sf-string: quoted, with `\` and `"` escaped (policy names are printable ASCII).
fn sf_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use aurum_ports::PolicyMatch;

    use super::*;

    fn tenant_policy() -> Policy {
        Policy::new(
            "tenant",
            PolicyMatch::default(),
            600,
            Duration::from_mins(1),
            5,
        )
        .unwrap()
    }

    #[test]
    fn an_admission_renders_draft_11_and_legacy_headers() {
        let decision = Decision {
            allowed: true,
            limit: 600,
            remaining: 17,
            reset_after: Duration::from_millis(11_200),
            retry_after: None,
        };
        let headers = RateLimitHeaders::new(&tenant_policy(), &decision);
        assert_eq!(
            headers.pairs(true),
            vec![
                ("RateLimit-Policy", r#""tenant";q=600;w=60"#),
                ("RateLimit", r#""tenant";r=17;t=12"#),
                ("X-RateLimit-Limit", "600"),
                ("X-RateLimit-Remaining", "17"),
                ("X-RateLimit-Reset", "12"),
            ]
        );
        assert_eq!(headers.pairs(false).len(), 2);
    }

    #[test]
    fn a_refusal_rounds_retry_after_up_and_uses_it_as_the_window() {
        let decision = Decision {
            allowed: false,
            limit: 600,
            remaining: 0,
            reset_after: Duration::from_secs(30),
            retry_after: Some(Duration::from_millis(100)),
        };
        let headers = RateLimitHeaders::new(&tenant_policy(), &decision);
        assert_eq!(headers.rate_limit, r#""tenant";r=0;t=1"#);
        assert_eq!(headers.retry_after.as_deref(), Some("1"));
        assert_eq!(headers.x_reset, "1");
    }

    #[test]
    fn names_are_escaped_as_structured_field_strings() {
        let p = Policy::new(
            r#"a"b\c"#,
            PolicyMatch::default(),
            1,
            Duration::from_millis(1500),
            0,
        )
        .unwrap();
        assert_eq!(rate_limit_policy(&p), r#""a\"b\\c";q=1;w=2"#);
    }
}
