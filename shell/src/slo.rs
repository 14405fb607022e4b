//! `aurum slo check`: fetches a running instance's `/metrics`, evaluates the service level
//! objectives of `deploy/slo.yaml` (embedded; `--file` overrides) on the counters accumulated
//! since that instance started, prints a table or JSON, and exits 0 when every SLO holds, 1 on
//! a breach, 2 when the definition or the metrics cannot be had. See `docs/slo.md`.

pub mod definition;
pub mod evaluate;
pub mod exposition;
pub mod report;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};

pub use definition::{Definition, DefinitionError};
pub use report::Report;

/// `aurum slo …`
#[derive(Debug, Args)]
pub struct SloArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: SloCommand,
}

/// SLO subcommands.
#[derive(Debug, Subcommand)]
pub enum SloCommand {
    /// Evaluate the SLOs against a running instance's metrics (exit 0 pass, 1 breach, 2 error).
    Check(CheckArgs),
}

/// `aurum slo check`
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Prometheus metrics of a running instance, e.g. `http://127.0.0.1:8080/metrics`.
    #[arg(long, value_name = "URL")]
    pub metrics_url: String,
    /// SLO definition (default: the `deploy/slo.yaml` built into this binary).
    #[arg(long, value_name = "PATH")]
    pub file: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Count an SLO without data (no requests yet) as a breach.
    #[arg(long)]
    pub strict: bool,
    /// Seconds to wait for the metrics.
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub timeout_secs: u64,
}

/// How the report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// An aligned table.
    Text,
    /// JSON.
    Json,
}

/// Why a check could not be made (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The `--file` could not be read.
    #[error("cannot read {path}")]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The definition is wrong.
    #[error(transparent)]
    Definition(#[from] DefinitionError),
    /// The request failed (connection, timeout, body).
    #[error("cannot fetch {url}")]
    Fetch {
        /// The metrics URL.
        url: String,
        /// The cause.
        source: reqwest::Error,
    },
    /// The server answered with an error status.
    #[error("{url} answered HTTP {status}")]
    Status {
        /// The metrics URL.
        url: String,
        /// The status code.
        status: u16,
    },
    /// The body is not in the Prometheus text format.
    #[error("{url} did not answer Prometheus text: {source}")]
    Parse {
        /// The metrics URL.
        url: String,
        /// The first bad line.
        source: exposition::ParseError,
    },
}

/// The definition in `file`, or the embedded one.
///
/// # Errors
/// [`CheckError::ReadFile`] or [`CheckError::Definition`].
pub async fn load_definition(file: Option<&Path>) -> Result<Definition, CheckError> {
    match file {
        None => Ok(Definition::embedded()?),
        Some(path) => {
            let yaml =
                tokio::fs::read_to_string(path)
                    .await
                    .map_err(|source| CheckError::ReadFile {
                        path: path.to_owned(),
                        source,
                    })?;
            Ok(Definition::parse(&yaml)?)
        }
    }
}

/// Fetches and parses the metrics at `url`.
///
/// # Errors
/// [`CheckError::Fetch`], [`CheckError::Status`] or [`CheckError::Parse`].
pub async fn fetch(url: &str, timeout: Duration) -> Result<exposition::Exposition, CheckError> {
    let fetch_error = |source| CheckError::Fetch {
        url: url.to_owned(),
        source,
    };
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .build()
        .map_err(fetch_error)?;
    let res = client
        .get(url)
        .header(reqwest::header::ACCEPT, "text/plain; version=0.0.4")
        .send()
        .await
        .map_err(fetch_error)?;
    if !res.status().is_success() {
        return Err(CheckError::Status {
            url: url.to_owned(),
            status: res.status().as_u16(),
        });
    }
    let text = res.text().await.map_err(fetch_error)?;
    exposition::parse(&text).map_err(|source| CheckError::Parse {
        url: url.to_owned(),
        source,
    })
}

/// Evaluates `definition` against the metrics at `metrics_url`.
///
/// # Errors
/// When the metrics cannot be fetched or parsed (see [`fetch`]).
pub async fn check(
    metrics_url: &str,
    definition: &Definition,
    strict: bool,
    timeout: Duration,
) -> Result<Report, CheckError> {
    let scrape = fetch(metrics_url, timeout).await?;
    let results = evaluate::evaluate(definition, &scrape);
    Ok(Report::new(metrics_url.to_owned(), results, strict))
}

/// An error and its causes, `: `-separated, skipping a cause its parent already quotes.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        cause = c.source();
    }
    out
}

/// Runs `aurum slo …`, printing the report on standard output and problems on standard error.
pub async fn command(args: &SloArgs) -> ExitCode {
    let SloCommand::Check(args) = &args.command;
    let outcome = async {
        let definition = load_definition(args.file.as_deref()).await?;
        check(
            &args.metrics_url,
            &definition,
            args.strict,
            Duration::from_secs(args.timeout_secs.max(1)),
        )
        .await
    }
    .await;
    match outcome {
        Ok(report) => {
            match args.format {
                Format::Text => print!("{}", report.to_text()),
                Format::Json => println!("{}", report.to_json()),
            }
            if report.passed {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("aurum slo check: {}", chain(&e));
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_chains_skip_causes_their_parent_already_quotes() {
        let yaml = Definition::parse("version: 1\nslos: 3\n").unwrap_err();
        let err = CheckError::from(yaml);
        let text = chain(&err);
        assert!(text.starts_with("the SLO file is not valid: "), "{text}");
        assert_eq!(text.matches("invalid type").count(), 1, "{text}");
        let io = CheckError::ReadFile {
            path: PathBuf::from("/nope.yaml"),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        };
        assert_eq!(chain(&io), "cannot read /nope.yaml: no such file");
    }

    #[tokio::test]
    async fn a_definition_file_overrides_the_embedded_one() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("slo.yaml");
        std::fs::write(
            &path,
            "version: 1\nservice: s\nwindow: 7d\nroute_groups: []\nslos:\n  \
             - {name: q, kind: queue_wait, quantile: 0.5, threshold_seconds: 1}\n",
        )
        .unwrap();
        let file = load_definition(Some(&path)).await.unwrap();
        assert_eq!(file.window, "7d");
        assert_eq!(file.slos.len(), 1);
        let embedded = load_definition(None).await.unwrap();
        assert_eq!(embedded.window, "30d");
        let missing = load_definition(Some(Path::new("/no/such/slo.yaml"))).await;
        assert!(matches!(missing, Err(CheckError::ReadFile { .. })));
    }
}
