//! The SLO definition (`deploy/slo.yaml`): route groups and objectives, parsed and validated
//! (unique names, known route groups, regexes that compile, numbers in range). Regexes are
//! anchored like Prometheus label matchers: `/v2/curves` does not match `/v2/curves/diff`.

use regex::Regex;
use serde::Deserialize;

/// The definition embedded in the binary: `deploy/slo.yaml` at build time.
pub const EMBEDDED: &str = include_str!("../../../deploy/slo.yaml");

/// Why a definition was rejected.
#[derive(Debug, thiserror::Error)]
pub enum DefinitionError {
    /// Not YAML of the expected shape.
    #[error("the SLO file is not valid: {0}")]
    Syntax(#[from] yaml_serde::Error),
    /// A regex does not compile.
    #[error("{context}: invalid regex {pattern:?}: {source}")]
    Regex {
        /// Where the regex is.
        context: String,
        /// The regex.
        pattern: String,
        /// The compiler's complaint.
        source: regex::Error,
    },
    /// Names, references or numbers are wrong.
    #[error("{0}")]
    Invalid(String),
}

/// A regex matched against a whole label value, as Prometheus' `=~` does.
#[derive(Debug, Clone)]
pub struct LabelRegex {
    source: String,
    compiled: Regex,
}

impl LabelRegex {
    /// Compiles `pattern` anchored at both ends.
    ///
    /// # Errors
    /// [`DefinitionError::Regex`] when it does not compile.
    pub fn new(pattern: &str, context: &str) -> Result<Self, DefinitionError> {
        let compiled =
            Regex::new(&format!("^(?:{pattern})$")).map_err(|source| DefinitionError::Regex {
                context: context.to_owned(),
                pattern: pattern.to_owned(),
                source,
            })?;
        Ok(Self {
            source: pattern.to_owned(),
            compiled,
        })
    }

    /// Whether the whole of `value` matches.
    pub fn is_match(&self, value: &str) -> bool {
        self.compiled.is_match(value)
    }

    /// The regex as written in the file.
    pub fn as_str(&self) -> &str {
        &self.source
    }
}

/// A set of requests: methods and route templates, minus excluded routes.
#[derive(Debug, Clone)]
pub struct RouteGroup {
    /// Name referenced by SLOs.
    pub name: String,
    /// One line.
    pub description: String,
    /// `http_request_method` regex.
    pub methods: LabelRegex,
    /// `http_route` regex.
    pub routes: LabelRegex,
    /// `http_route` values left out even when `routes` matches.
    pub exclude_routes: Option<LabelRegex>,
}

impl RouteGroup {
    /// Whether a request with this method and route template belongs to the group.
    pub fn contains(&self, method: &str, route: &str) -> bool {
        self.methods.is_match(method)
            && self.routes.is_match(route)
            && !self
                .exclude_routes
                .as_ref()
                .is_some_and(|x| x.is_match(route))
    }
}

/// What an objective measures and its target.
#[derive(Debug, Clone)]
pub enum Objective {
    /// At most `1 - objective` of the group's requests end in `error_statuses`.
    ErrorRatio {
        /// Requests counted.
        group: RouteGroup,
        /// `http_response_status_code` values that are errors.
        error_statuses: LabelRegex,
        /// Fraction of good requests, e.g. 0.999.
        objective: f64,
    },
    /// The `quantile` of the group's request durations is at most `threshold_seconds`.
    Latency {
        /// Requests counted.
        group: RouteGroup,
        /// `http_response_status_code` values counted (5xx belong to availability).
        statuses: LabelRegex,
        /// E.g. 0.99.
        quantile: f64,
        /// Upper bound of the quantile.
        threshold_seconds: f64,
    },
    /// Hits are at least `min_ratio` of the cache lookups of `namespaces` (errors and
    /// oversized values count as misses, bypasses are no lookups); fewer than `min_requests`
    /// lookups is "no data".
    CacheHitRatio {
        /// `namespace` regex.
        namespaces: LabelRegex,
        /// Lower bound of the hit ratio.
        min_ratio: f64,
        /// Requests needed for a verdict.
        min_requests: f64,
    },
    /// The `quantile` of scenario runs' queue wait is at most `threshold_seconds`.
    QueueWait {
        /// E.g. 0.99.
        quantile: f64,
        /// Upper bound of the quantile.
        threshold_seconds: f64,
    },
}

/// One named objective.
#[derive(Debug, Clone)]
pub struct Slo {
    /// Unique name (also the `slo` label of the Prometheus rules).
    pub name: String,
    /// One line.
    pub description: String,
    /// What is measured and the target.
    pub objective: Objective,
}

/// A parsed and validated definition.
#[derive(Debug, Clone)]
pub struct Definition {
    /// Service name.
    pub service: String,
    /// Error-budget window, e.g. `30d`.
    pub window: String,
    /// The objectives, in file order.
    pub slos: Vec<Slo>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    version: u32,
    service: String,
    window: String,
    route_groups: Vec<RawGroup>,
    slos: Vec<RawSlo>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    name: String,
    #[serde(default)]
    description: String,
    methods: String,
    routes: String,
    exclude_routes: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSlo {
    name: String,
    kind: Kind,
    #[serde(default)]
    description: String,
    route_group: Option<String>,
    error_statuses: Option<String>,
    objective: Option<f64>,
    statuses: Option<String>,
    quantile: Option<f64>,
    threshold_seconds: Option<f64>,
    namespaces: Option<String>,
    min_ratio: Option<f64>,
    min_requests: Option<f64>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum Kind {
    ErrorRatio,
    Latency,
    CacheHitRatio,
    QueueWait,
}

impl Definition {
    /// The definition embedded in the binary.
    ///
    /// # Errors
    /// Never for a binary whose tests pass (a unit test parses it).
    pub fn embedded() -> Result<Self, DefinitionError> {
        Self::parse(EMBEDDED)
    }

    /// Parses and validates a definition.
    ///
    /// # Errors
    /// [`DefinitionError`] when the YAML, a regex, a reference or a number is wrong.
    pub fn parse(yaml: &str) -> Result<Self, DefinitionError> {
        let raw: RawFile = yaml_serde::from_str(yaml)?;
        if raw.version != 1 {
            return Err(invalid(format!(
                "version {} is not supported (expected 1)",
                raw.version
            )));
        }
        let mut groups: Vec<RouteGroup> = Vec::new();
        for g in raw.route_groups {
            if groups.iter().any(|x| x.name == g.name) {
                return Err(invalid(format!(
                    "route group {:?} is defined twice",
                    g.name
                )));
            }
            let ctx = format!("route group {}", g.name);
            groups.push(RouteGroup {
                methods: LabelRegex::new(&g.methods, &ctx)?,
                routes: LabelRegex::new(&g.routes, &ctx)?,
                exclude_routes: g
                    .exclude_routes
                    .as_deref()
                    .map(|r| LabelRegex::new(r, &ctx))
                    .transpose()?,
                name: g.name,
                description: g.description,
            });
        }
        let mut slos: Vec<Slo> = Vec::new();
        for s in raw.slos {
            if slos.iter().any(|x| x.name == s.name) {
                return Err(invalid(format!("SLO {:?} is defined twice", s.name)));
            }
            let objective = objective(&s, &groups)?;
            slos.push(Slo {
                name: s.name,
                description: s.description,
                objective,
            });
        }
        if slos.is_empty() {
            return Err(invalid("the file defines no SLO".to_owned()));
        }
        Ok(Self {
            service: raw.service,
            window: raw.window,
            slos,
        })
    }
}

fn invalid(message: String) -> DefinitionError {
    DefinitionError::Invalid(message)
}

/// Builds the objective of `s`, requiring exactly the fields of its kind.
fn objective(s: &RawSlo, groups: &[RouteGroup]) -> Result<Objective, DefinitionError> {
    let ctx = format!("SLO {}", s.name);
    let need_f = |v: Option<f64>, field: &str| {
        v.ok_or_else(|| invalid(format!("{ctx}: `{field}` is required for its kind")))
    };
    let need_s = |v: &Option<String>, field: &str| {
        v.clone()
            .ok_or_else(|| invalid(format!("{ctx}: `{field}` is required for its kind")))
    };
    let fraction = |v: f64, field: &str| {
        if v > 0.0 && v < 1.0 {
            Ok(v)
        } else {
            Err(invalid(format!(
                "{ctx}: `{field}` must be between 0 and 1 (exclusive), not {v}"
            )))
        }
    };
    let positive = |v: f64, field: &str| {
        if v > 0.0 && v.is_finite() {
            Ok(v)
        } else {
            Err(invalid(format!(
                "{ctx}: `{field}` must be positive, not {v}"
            )))
        }
    };
    let group = || {
        let name = need_s(&s.route_group, "route_group")?;
        groups
            .iter()
            .find(|g| g.name == name)
            .cloned()
            .ok_or_else(|| invalid(format!("{ctx}: unknown route group {name:?}")))
    };
    let allowed: &[&str] = match s.kind {
        Kind::ErrorRatio => &["route_group", "error_statuses", "objective"],
        Kind::Latency => &["route_group", "statuses", "quantile", "threshold_seconds"],
        Kind::CacheHitRatio => &["namespaces", "min_ratio", "min_requests"],
        Kind::QueueWait => &["quantile", "threshold_seconds"],
    };
    let present = [
        ("route_group", s.route_group.is_some()),
        ("error_statuses", s.error_statuses.is_some()),
        ("objective", s.objective.is_some()),
        ("statuses", s.statuses.is_some()),
        ("quantile", s.quantile.is_some()),
        ("threshold_seconds", s.threshold_seconds.is_some()),
        ("namespaces", s.namespaces.is_some()),
        ("min_ratio", s.min_ratio.is_some()),
        ("min_requests", s.min_requests.is_some()),
    ];
    if let Some((field, _)) = present.iter().find(|(f, p)| *p && !allowed.contains(f)) {
        return Err(invalid(format!(
            "{ctx}: `{field}` does not apply to its kind"
        )));
    }
    Ok(match s.kind {
        Kind::ErrorRatio => Objective::ErrorRatio {
            group: group()?,
            error_statuses: LabelRegex::new(&need_s(&s.error_statuses, "error_statuses")?, &ctx)?,
            objective: fraction(need_f(s.objective, "objective")?, "objective")?,
        },
        Kind::Latency => Objective::Latency {
            group: group()?,
            statuses: LabelRegex::new(s.statuses.as_deref().unwrap_or(".*"), &ctx)?,
            quantile: fraction(need_f(s.quantile, "quantile")?, "quantile")?,
            threshold_seconds: positive(
                need_f(s.threshold_seconds, "threshold_seconds")?,
                "threshold_seconds",
            )?,
        },
        Kind::CacheHitRatio => Objective::CacheHitRatio {
            namespaces: LabelRegex::new(&need_s(&s.namespaces, "namespaces")?, &ctx)?,
            min_ratio: fraction(need_f(s.min_ratio, "min_ratio")?, "min_ratio")?,
            min_requests: positive(s.min_requests.unwrap_or(1.0), "min_requests")?,
        },
        Kind::QueueWait => Objective::QueueWait {
            quantile: fraction(need_f(s.quantile, "quantile")?, "quantile")?,
            threshold_seconds: positive(
                need_f(s.threshold_seconds, "threshold_seconds")?,
                "threshold_seconds",
            )?,
        },
    })
}

#[cfg(test)]
mod tests;
