//! How to reach Trino: coordinator URL, session headers, table names, credentials, time budgets
//! and the concurrency bound. [`TrinoSettings::validate`] checks everything once, before the
//! client is built, so a bad setting fails at startup with a message naming it.

use std::fmt;
use std::time::Duration;

use crate::sql::Ident;

/// Credentials sent as `Authorization` on every request of a query.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum TrinoAuth {
    /// No `Authorization` header.
    #[default]
    None,
    /// HTTP Basic (Trino's password authenticator).
    Basic {
        /// User name.
        user: String,
        /// Password.
        password: String,
    },
    /// `Authorization: Bearer <token>` (a JWT or an `OAuth2` access token).
    Bearer {
        /// The token.
        token: String,
    },
}

impl fmt::Debug for TrinoAuth {
    /// Never prints a secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => f.write_str("None"),
            Self::Basic { user, .. } => {
                write!(f, "Basic {{ user: {user:?}, password: <redacted> }}")
            }
            Self::Bearer { .. } => f.write_str("Bearer { token: <redacted> }"),
        }
    }
}

/// Retries of a request that a gateway answered 502/503/504, or that failed to connect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 = never retry).
    pub max_retries: u32,
    /// Delay before the first retry; doubles on each further one (with ±50 % jitter).
    pub base_delay: Duration,
    /// Upper bound of one delay.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// 5 retries, 50 ms doubling up to 1 s.
    fn default() -> Self {
        Self {
            max_retries: 5,
            base_delay: Duration::from_millis(50),
            max_delay: Duration::from_secs(1),
        }
    }
}

/// Everything the Trino adapter needs. Build with [`TrinoSettings::new`] and adjust fields.
#[derive(Debug, Clone, PartialEq)]
pub struct TrinoSettings {
    /// Coordinator base URL, `http://host:8080` or `https://host:8443` (no path).
    pub url: String,
    /// `X-Trino-User`: the session user.
    pub user: String,
    /// `X-Trino-Source`: the client name shown in Trino's UI and used by resource groups.
    pub source: String,
    /// Catalog of the curve table (also sent as `X-Trino-Catalog`).
    pub catalog: String,
    /// Schema of the curve table (also sent as `X-Trino-Schema`).
    pub schema: String,
    /// The curve table, with the columns of the PostgreSQL adapter's `curve_observation`.
    pub table: String,
    /// Credentials.
    pub auth: TrinoAuth,
    /// Send credentials over plain `http://` (tests, or TLS terminated by a sidecar). Off by
    /// default: credentials are refused over `http://`.
    pub allow_insecure_auth: bool,
    /// Budget of one query from submission to its last row (for an export stream: the longest
    /// wait for its next page). Past it the query is cancelled and the call answers
    /// `StoreError::Timeout`.
    pub query_timeout: Duration,
    /// Budget of one HTTP request (connect included).
    pub request_timeout: Duration,
    /// Queries this process runs on Trino at once; further ones wait for a slot.
    pub max_concurrent_queries: usize,
    /// Longest wait for a slot before answering `StoreError::Unavailable`.
    pub acquire_timeout: Duration,
    /// `X-Trino-Client-Tags` (resource-group selection); empty = not sent.
    pub client_tags: Vec<String>,
    /// `X-Trino-Time-Zone`, an IANA zone id or `±HH:MM`; `None` = the cluster's zone.
    pub time_zone: Option<String>,
    /// Retries of gateway errors and failed connections.
    pub retry: RetryPolicy,
}

impl TrinoSettings {
    /// Defaults for `url`, `catalog` and `schema`: user and source `aurum`, table
    /// `curve_observation`, no auth, 30 s per query, 10 s per request, 8 concurrent queries
    /// (1 s wait for a slot), time zone UTC, default retries.
    pub fn new(
        url: impl Into<String>,
        catalog: impl Into<String>,
        schema: impl Into<String>,
    ) -> Self {
        Self {
            url: url.into(),
            user: "aurum".to_owned(),
            source: "aurum".to_owned(),
            catalog: catalog.into(),
            schema: schema.into(),
            table: "curve_observation".to_owned(),
            auth: TrinoAuth::None,
            allow_insecure_auth: false,
            query_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(10),
            max_concurrent_queries: 8,
            acquire_timeout: Duration::from_secs(1),
            client_tags: Vec::new(),
            time_zone: Some("UTC".to_owned()),
            retry: RetryPolicy::default(),
        }
    }

    /// Checks every setting; the client and the store call this when they are built.
    ///
    /// # Errors
    /// [`InvalidSettings`] naming the first bad setting.
    pub fn validate(&self) -> Result<(), InvalidSettings> {
        let bad = |setting: &'static str, reason: String| InvalidSettings { setting, reason };
        let url = reqwest::Url::parse(&self.url)
            .map_err(|e| bad("url", format!("'{}' does not parse: {e}", self.url)))?;
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            return Err(bad(
                "url",
                "must be http:// or https:// with a host".to_owned(),
            ));
        }
        if url.path() != "/" && !url.path().is_empty() || url.query().is_some() {
            return Err(bad(
                "url",
                "must have no path or query (Trino serves /v1/statement)".to_owned(),
            ));
        }
        if self.auth != TrinoAuth::None && url.scheme() == "http" && !self.allow_insecure_auth {
            return Err(bad(
                "auth",
                "credentials are refused over plain http://; use https:// or set \
                 allow_insecure_auth"
                    .to_owned(),
            ));
        }
        for (setting, value) in [("user", &self.user), ("source", &self.source)] {
            if value.is_empty() || !header_safe(value) {
                return Err(bad(setting, "must be non-empty printable ASCII".to_owned()));
            }
        }
        for (setting, value) in [
            ("catalog", &self.catalog),
            ("schema", &self.schema),
            ("table", &self.table),
        ] {
            Ident::parse(value).map_err(|e| bad(setting, e.to_string()))?;
        }
        match &self.auth {
            TrinoAuth::None => {}
            TrinoAuth::Basic { user, password } => {
                if user.is_empty()
                    || user.contains(':')
                    || !header_safe(user)
                    || !header_safe(password)
                {
                    return Err(bad(
                        "auth",
                        "basic user must be non-empty printable ASCII without ':'".to_owned(),
                    ));
                }
            }
            TrinoAuth::Bearer { token } => {
                if token.is_empty() || !header_safe(token) {
                    return Err(bad(
                        "auth",
                        "bearer token must be non-empty printable ASCII".to_owned(),
                    ));
                }
            }
        }
        if self
            .client_tags
            .iter()
            .any(|t| t.is_empty() || t.contains(',') || !header_safe(t))
        {
            return Err(bad(
                "client_tags",
                "each tag must be printable ASCII without ','".to_owned(),
            ));
        }
        if let Some(zone) = &self.time_zone
            && !valid_time_zone(zone)
        {
            return Err(bad(
                "time_zone",
                format!("'{zone}' is neither an IANA zone nor ±HH:MM"),
            ));
        }
        for (setting, d) in [
            ("query_timeout", self.query_timeout),
            ("request_timeout", self.request_timeout),
        ] {
            if d.is_zero() {
                return Err(bad(setting, "must be positive".to_owned()));
            }
        }
        if self.max_concurrent_queries == 0 {
            return Err(bad(
                "max_concurrent_queries",
                "must be at least 1".to_owned(),
            ));
        }
        Ok(())
    }
}

/// A setting that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid Trino setting {setting}: {reason}")]
pub struct InvalidSettings {
    /// The field of [`TrinoSettings`].
    pub setting: &'static str,
    /// Why.
    pub reason: String,
}

/// Visible ASCII and spaces only: safe as an HTTP header value.
fn header_safe(value: &str) -> bool {
    value.bytes().all(|b| (0x20..0x7f).contains(&b))
}

/// An IANA zone id known to chrono-tz, or a `±HH:MM` offset.
pub(crate) fn valid_time_zone(zone: &str) -> bool {
    zone.parse::<chrono_tz::Tz>().is_ok() || crate::types::parse_offset(zone).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok() -> TrinoSettings {
        TrinoSettings::new("http://trino:8080", "iceberg", "market")
    }

    #[test]
    fn defaults_validate() {
        assert_eq!(ok().validate(), Ok(()));
    }

    #[test]
    fn credentials_are_refused_over_plain_http_unless_allowed() {
        let mut s = ok();
        s.auth = TrinoAuth::Basic {
            user: "u".to_owned(),
            password: "p".to_owned(),
        };
        assert_eq!(s.validate().unwrap_err().setting, "auth");
        s.allow_insecure_auth = true;
        assert_eq!(s.validate(), Ok(()));
        s.allow_insecure_auth = false;
        s.url = "https://trino:8443".to_owned();
        assert_eq!(s.validate(), Ok(()));
    }

    #[test]
    fn names_must_be_plain_identifiers() {
        for (field, value) in [
            ("catalog", "ice\"berg"),
            ("schema", ""),
            ("table", "Curves"),
        ] {
            let mut s = ok();
            match field {
                "catalog" => s.catalog = value.to_owned(),
                "schema" => s.schema = value.to_owned(),
                _ => s.table = value.to_owned(),
            }
            assert_eq!(s.validate().unwrap_err().setting, field, "{value}");
        }
    }

    #[test]
    fn time_zones_are_iana_ids_or_offsets() {
        let mut s = ok();
        for zone in ["UTC", "Europe/Berlin", "+01:00", "-05:30"] {
            s.time_zone = Some(zone.to_owned());
            assert_eq!(s.validate(), Ok(()), "{zone}");
        }
        s.time_zone = Some("Mars/Olympus".to_owned());
        assert_eq!(s.validate().unwrap_err().setting, "time_zone");
    }

    #[test]
    fn secrets_are_not_printed() {
        let auth = TrinoAuth::Bearer {
            token: "s3cret".to_owned(),
        };
        assert!(!format!("{auth:?}").contains("s3cret"));
    }

    #[test]
    fn urls_with_paths_or_other_schemes_are_refused() {
        for url in [
            "ftp://trino",
            "http://trino/v1",
            "trino:8080",
            "http://trino?x=1",
        ] {
            let mut s = ok();
            s.url = url.to_owned();
            assert_eq!(s.validate().unwrap_err().setting, "url", "{url}");
        }
    }
}
