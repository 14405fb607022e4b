//! `aurum scenario …`: an HTTP client of a running server's /v2 scenario API, printing tables
//! by default and the server's JSON with `--json`.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Args, Subcommand};
use serde_json::{Value, json};

/// Where the server is and who is asking.
#[derive(Debug, Args)]
pub struct ScenarioArgs {
    /// Base URL of a running `aurum serve`.
    #[arg(
        long,
        env = "AURUM_URL",
        default_value = "http://127.0.0.1:8080",
        global = true
    )]
    pub url: String,
    /// Tenant id (sent as `X-Tenant-ID`).
    #[arg(long, env = "AURUM_TENANT", default_value = "default", global = true)]
    pub tenant: String,
    /// Print the server's JSON instead of a table.
    #[arg(long, global = true)]
    pub json: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: ScenarioCommand,
}

/// Scenario subcommands.
#[derive(Debug, Subcommand)]
pub enum ScenarioCommand {
    /// Create a scenario.
    Create {
        /// Name (unique per tenant).
        #[arg(long)]
        name: String,
        /// Description.
        #[arg(long)]
        description: Option<String>,
        /// Assumptions as a JSON array (`[{"driver_type":"policy","payload":{…}}]`), or `@FILE`.
        #[arg(long)]
        assumptions: Option<String>,
        /// Tags.
        #[arg(long = "tag")]
        tags: Vec<String>,
    },
    /// List scenarios.
    List {
        /// Status filter.
        #[arg(long)]
        status: Option<String>,
        /// Name substring.
        #[arg(long)]
        name: Option<String>,
        /// Tag filter.
        #[arg(long)]
        tag: Option<String>,
        /// Page size.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Show one scenario.
    Show {
        /// Scenario id.
        id: String,
    },
    /// Submit a run.
    Run {
        /// Scenario id.
        id: String,
        /// Pricing date (YYYY-MM-DD).
        #[arg(long)]
        asof: Option<String>,
        /// Curve keys to value.
        #[arg(long = "curve-key")]
        curve_keys: Vec<String>,
        /// low, normal, high, critical.
        #[arg(long)]
        priority: Option<String>,
        /// Idempotency key (retries with the same key never run twice).
        #[arg(long)]
        idempotency_key: Option<String>,
    },
    /// List a scenario's runs.
    Runs {
        /// Scenario id.
        id: String,
        /// Status filter.
        #[arg(long)]
        status: Option<String>,
    },
    /// Cancel a run.
    Cancel {
        /// Scenario id.
        id: String,
        /// Run id.
        run_id: String,
    },
    /// Show a scenario's outputs.
    Outputs {
        /// Scenario id.
        id: String,
        /// Only this run.
        #[arg(long)]
        run: Option<String>,
        /// Metric filter.
        #[arg(long)]
        metric: Option<String>,
        /// Page size.
        #[arg(long, default_value_t = 200)]
        limit: u32,
    },
}

/// Runs one scenario subcommand against the server.
///
/// # Errors
/// When the server cannot be reached or answers with an error (its problem is printed).
pub async fn run(args: &ScenarioArgs) -> anyhow::Result<ExitCode> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?;
    let base = args.url.trim_end_matches('/');
    let (method, url, body, query) = request_for(&args.command, base)?;
    let mut request = client
        .request(method, &url)
        .header("X-Tenant-ID", &args.tenant)
        .query(&query);
    if let ScenarioCommand::Run {
        idempotency_key: Some(key),
        ..
    } = &args.command
    {
        request = request.header("Idempotency-Key", key);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request
        .send()
        .await
        .with_context(|| format!("while calling {url}"))?;
    let status = response.status();
    let text = response.text().await?;
    let value: Value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    if !status.is_success() {
        eprintln!(
            "error {status}: {}",
            value.get("detail").and_then(Value::as_str).unwrap_or("")
        );
        if let Some(errors) = value.get("errors").and_then(Value::as_array) {
            for e in errors {
                let at = e
                    .get("pointer")
                    .or_else(|| e.get("parameter"))
                    .and_then(Value::as_str)
                    .unwrap_or("");
                eprintln!(
                    "  {at}: {}",
                    e.get("detail").and_then(Value::as_str).unwrap_or("")
                );
            }
        }
        return Ok(ExitCode::FAILURE);
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        print_table(&args.command, &value);
    }
    Ok(ExitCode::SUCCESS)
}

type Request<'a> = (
    reqwest::Method,
    String,
    Option<Value>,
    Vec<(&'a str, String)>,
);

/// Method, URL, body and query of one subcommand.
fn request_for<'a>(command: &ScenarioCommand, base: &str) -> anyhow::Result<Request<'a>> {
    let scenarios = format!("{base}/v2/scenarios");
    Ok(match command {
        ScenarioCommand::Create {
            name,
            description,
            assumptions,
            tags,
        } => {
            let assumptions = match assumptions {
                Some(a) => parse_json_arg(a)?,
                None => json!([]),
            };
            let body = json!({"name": name, "description": description, "assumptions": assumptions, "tags": tags});
            (reqwest::Method::POST, scenarios, Some(body), vec![])
        }
        ScenarioCommand::List {
            status,
            name,
            tag,
            limit,
        } => {
            let mut q = vec![("limit", limit.to_string())];
            q.extend(status.clone().map(|v| ("status", v)));
            q.extend(name.clone().map(|v| ("name", v)));
            q.extend(tag.clone().map(|v| ("tag", v)));
            (reqwest::Method::GET, scenarios, None, q)
        }
        ScenarioCommand::Show { id } => (
            reqwest::Method::GET,
            format!("{scenarios}/{id}"),
            None,
            vec![],
        ),
        ScenarioCommand::Run {
            id,
            asof,
            curve_keys,
            priority,
            ..
        } => {
            let mut body = serde_json::Map::new();
            if let Some(a) = asof {
                body.insert("asof_date".into(), json!(a));
            }
            if !curve_keys.is_empty() {
                body.insert("curve_keys".into(), json!(curve_keys));
            }
            if let Some(p) = priority {
                body.insert("priority".into(), json!(p));
            }
            let body = Value::Object(body);
            (
                reqwest::Method::POST,
                format!("{scenarios}/{id}/runs"),
                Some(body),
                vec![],
            )
        }
        ScenarioCommand::Runs { id, status } => {
            let q = status
                .clone()
                .map(|v| vec![("status", v)])
                .unwrap_or_default();
            (
                reqwest::Method::GET,
                format!("{scenarios}/{id}/runs"),
                None,
                q,
            )
        }
        ScenarioCommand::Cancel { id, run_id } => (
            reqwest::Method::POST,
            format!("{scenarios}/{id}/runs/{run_id}:cancel"),
            None,
            vec![],
        ),
        ScenarioCommand::Outputs {
            id,
            run,
            metric,
            limit,
        } => {
            let mut q = vec![("limit", limit.to_string())];
            q.extend(run.clone().map(|v| ("run_id", v)));
            q.extend(metric.clone().map(|v| ("metric", v)));
            (
                reqwest::Method::GET,
                format!("{scenarios}/{id}/outputs"),
                None,
                q,
            )
        }
    })
}

fn parse_json_arg(raw: &str) -> anyhow::Result<Value> {
    let text = match raw.strip_prefix('@') {
        Some(path) => {
            std::fs::read_to_string(path).with_context(|| format!("while reading {path}"))?
        }
        None => raw.to_owned(),
    };
    serde_json::from_str(&text).context("--assumptions must be a JSON array")
}

fn cell(v: &Value, key: &str) -> String {
    match v.get(key) {
        None | Some(Value::Null) => "-".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn print_rows(rows: &[Value], columns: &[&str]) {
    let widths: Vec<usize> = columns
        .iter()
        .map(|c| {
            rows.iter()
                .map(|r| cell(r, c).chars().count())
                .max()
                .unwrap_or(0)
                .max(c.len())
        })
        .collect();
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join("  ")
    };
    println!(
        "{}",
        line(columns.iter().map(|c| (*c).to_owned()).collect())
    );
    for r in rows {
        println!("{}", line(columns.iter().map(|c| cell(r, c)).collect()));
    }
}

fn print_table(command: &ScenarioCommand, value: &Value) {
    let data = value.get("data").cloned().unwrap_or(Value::Null);
    let rows: Vec<Value> = match &data {
        Value::Array(items) => items.clone(),
        Value::Object(_) => vec![data.clone()],
        _ => Vec::new(),
    };
    let columns: &[&str] = match command {
        ScenarioCommand::Create { .. }
        | ScenarioCommand::List { .. }
        | ScenarioCommand::Show { .. } => &["id", "name", "status", "version", "created_at"],
        ScenarioCommand::Run { .. }
        | ScenarioCommand::Runs { .. }
        | ScenarioCommand::Cancel { .. } => &[
            "id",
            "status",
            "priority",
            "attempt",
            "queued_at",
            "completed_at",
        ],
        ScenarioCommand::Outputs { .. } => &[
            "run_id",
            "curve_key",
            "tenor_label",
            "metric",
            "value",
            "band_lower",
            "band_upper",
        ],
    };
    print_rows(&rows, columns);
    if let Some(next) = value.pointer("/meta/next_cursor").and_then(Value::as_str) {
        println!("(more: cursor {next})");
    }
}
