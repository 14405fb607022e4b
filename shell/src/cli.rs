//! The `aurum` command line: `serve`, `ingest curves`, `demo-data`, `openapi`, `slo check`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::settings::{DatabaseSettings, LogSettings, ServeSettings};

/// Aurum: market intelligence for energy.
#[derive(Debug, Parser)]
#[command(name = "aurum", version, about)]
pub struct Cli {
    /// Logging.
    #[command(flatten)]
    pub log: LogSettings,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
#[expect(
    clippy::large_enum_variant,
    reason = "parsed once per process; boxing the settings buys nothing"
)]
pub enum Command {
    /// Serve the HTTP API (with no settings: the in-memory store filled with the demo dataset).
    Serve(ServeSettings),
    /// Ingest data files.
    Ingest {
        /// What to ingest.
        #[command(subcommand)]
        what: IngestCommand,
    },
    /// Write the deterministic demo dataset as CSV.
    DemoData(DemoDataArgs),
    /// Apply pending database migrations (or list them with --status).
    Migrate(MigrateArgs),
    /// Run the scenario worker: run loops, outbox relay, lease reclamation.
    Worker(WorkerArgs),
    /// Scenario commands against a running server (`--url`, `--tenant`).
    Scenario(crate::scenario_cli::ScenarioArgs),
    /// Print the `OpenAPI` document.
    Openapi,
    /// Service level objectives: `aurum slo check --metrics-url URL` (see docs/slo.md).
    Slo(crate::slo::SloArgs),
}

/// `aurum ingest …`
#[derive(Debug, Subcommand)]
pub enum IngestCommand {
    /// Ingest curve files (CSV or NDJSON, chosen by extension).
    Curves(IngestCurvesArgs),
}

/// `aurum ingest curves`
#[derive(Debug, Args)]
pub struct IngestCurvesArgs {
    /// Files to ingest (`.csv`, `.ndjson` or `.jsonl`).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Read and validate only; print the summary without storing.
    #[arg(long)]
    pub dry_run: bool,
    /// Write quarantined rows (file, line, reason, raw) to this CSV file.
    #[arg(long, value_name = "FILE")]
    pub quarantine_out: Option<PathBuf>,
    /// Ingest even when a file with the same checksum was ingested before.
    #[arg(long)]
    pub force: bool,
    /// Database (without one, rows go to a temporary in-memory store: a validation run).
    /// Redis, whose shared cache the ingestion invalidates.
    #[command(flatten)]
    pub redis: crate::traffic::RedisSettings,
    #[command(flatten)]
    pub database: DatabaseSettings,
}

/// `aurum worker`
#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// Database.
    #[command(flatten)]
    pub database: DatabaseSettings,
    /// Worker.
    #[command(flatten)]
    pub worker: crate::worker::WorkerSettings,
    /// OpenTelemetry export.
    #[command(flatten)]
    pub telemetry: crate::telemetry::TelemetrySettings,
}

/// `aurum migrate`
#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// List applied and pending migrations instead of applying them.
    #[arg(long)]
    pub status: bool,
    /// Database.
    #[command(flatten)]
    pub database: DatabaseSettings,
}

/// `aurum demo-data`
#[derive(Debug, Args)]
pub struct DemoDataArgs {
    /// Output CSV file (`-` for standard output).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Number of rows.
    #[arg(long, default_value_t = 200_000)]
    pub rows: usize,
    /// Random seed.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}
