//! Driving ingestion from the shell: files (CLI `ingest curves`, `serve --load`) and the demo
//! dataset go through the same core pipeline. Reading and normalising run on a blocking
//! thread; batches cross a bounded channel to the async store writes, so memory stays bounded
//! by a few batches whatever the file size.

use std::fs::File;
use std::io::{BufReader, IsTerminal as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressStyle};

use aurum_core::demo::{self, DemoConfig};
use aurum_core::ingest::{
    IngestContext, IngestPipeline, InputFormat, Normaliser, QuarantineRecord, RowReader, RowSource,
};
use aurum_ports::telemetry::{Counter, InstrumentSpec, Meter};
use aurum_ports::{Clock, CurveIngestor, IngestFile, IngestTotals, QuarantinedRow};
use sha2::{Digest as _, Sha256};

use crate::backend::Backend;
use crate::cli::{DemoDataArgs, IngestCurvesArgs};
use crate::clock::SystemClock;

/// `aurum.ingest.rows{outcome=stored|quarantined}` → `aurum_ingest_rows_total`.
pub const INGEST_ROWS: InstrumentSpec = InstrumentSpec::new(
    "aurum.ingest.rows",
    "{row}",
    "Ingested curve rows, by outcome (stored, quarantined).",
);

/// The ingested-rows counter of `meter`.
pub fn ingest_rows(meter: &dyn Meter) -> Counter {
    meter.counter(INGEST_ROWS)
}

/// Options of one ingestion.
#[derive(Clone)]
pub struct IngestOptions {
    /// Validate only; store nothing.
    pub dry_run: bool,
    /// Write quarantined rows to this CSV file.
    pub quarantine_out: Option<PathBuf>,
    /// Rows per store write.
    pub batch_size: usize,
    /// Show a progress bar (only on a terminal).
    pub progress: bool,
    /// Ingest even when the same checksum was ingested before.
    pub force: bool,
    /// The clock that stamps `ingest_ts`.
    pub clock: Arc<dyn Clock>,
    /// Counts stored and quarantined rows ([`INGEST_ROWS`]; the default counts nothing).
    pub rows: Counter,
}

impl Default for IngestOptions {
    fn default() -> Self {
        Self {
            dry_run: false,
            quarantine_out: None,
            batch_size: 50_000,
            progress: false,
            force: false,
            clock: Arc::new(SystemClock),
            rows: Counter::noop(),
        }
    }
}

impl std::fmt::Debug for IngestOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IngestOptions")
            .field("dry_run", &self.dry_run)
            .field("quarantine_out", &self.quarantine_out)
            .field("batch_size", &self.batch_size)
            .field("force", &self.force)
            .finish_non_exhaustive()
    }
}

/// What one ingestion did.
#[derive(Debug, Clone, PartialEq)]
pub struct IngestSummary {
    /// Input name.
    pub file: String,
    /// Records read (good and bad).
    pub read: u64,
    /// Rows inserted or updated in the store (derived strips included).
    pub stored: u64,
    /// Records quarantined.
    pub quarantined: u64,
    /// Derived strip rows.
    pub derived_strips: u64,
    /// Wall time.
    pub elapsed: Duration,
    /// True when the input was skipped because the same checksum was ingested before.
    pub skipped: bool,
}

impl IngestSummary {
    /// Records read per second.
    pub fn rows_per_sec(&self) -> f64 {
        #[expect(clippy::cast_precision_loss, reason = "a rate for humans")]
        let read = self.read as f64;
        read / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Ingests one curve file (`.csv`, `.ndjson`, `.jsonl`) through `ingestor`. A file whose
/// checksum was ingested before is skipped unless `opts.force`.
///
/// # Errors
/// When the file cannot be opened or read, its header lacks required columns, or the store
/// fails (a durable store then keeps nothing of the file). Bad rows are quarantined, not errors.
pub async fn ingest_file(
    ingestor: &Arc<dyn CurveIngestor>,
    path: &Path,
    opts: &IngestOptions,
) -> anyhow::Result<IngestSummary> {
    let format = InputFormat::from_path(path)?;
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let checksum = file_checksum(path).await?;
    if !opts.force
        && !opts.dry_run
        && let Some(done) = ingestor.completed(&checksum).await?
    {
        tracing::info!(file = name, finished_at = %done.finished_at, "already ingested; skipping (use --force)");
        return Ok(IngestSummary {
            file: name,
            read: 0,
            stored: 0,
            quarantined: 0,
            derived_strips: 0,
            elapsed: Duration::ZERO,
            skipped: true,
        });
    }
    let file = File::open(path).with_context(|| format!("while opening {}", path.display()))?;
    let reader = RowReader::new(format, BufReader::with_capacity(1 << 16, file))
        .with_context(|| format!("while reading the header of {}", path.display()))?;
    run(ingestor, reader, &name, checksum, opts).await
}

/// SHA-256 of a file's bytes, read on a blocking thread in 1 MiB steps.
async fn file_checksum(path: &Path) -> anyhow::Result<String> {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || -> anyhow::Result<String> {
        let mut file =
            File::open(&path).with_context(|| format!("while opening {}", path.display()))?;
        let mut hasher = Sha256::new();
        std::io::copy(&mut file, &mut hasher)
            .with_context(|| format!("while reading {}", path.display()))?;
        Ok(hex::encode(hasher.finalize()))
    })
    .await
    .context("the checksum task failed")?
}

/// Fills the store behind `ingestor` with the deterministic demo dataset.
///
/// # Errors
/// When the store fails.
pub async fn load_demo(
    ingestor: &Arc<dyn CurveIngestor>,
    rows: usize,
    seed: u64,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<IngestSummary> {
    let source = demo::source(&DemoConfig { rows, seed });
    let opts = IngestOptions {
        batch_size: 20_000,
        clock,
        ..IngestOptions::default()
    };
    let checksum = hex::encode(Sha256::digest(format!("aurum-demo:{rows}:{seed}")));
    let summary = run(ingestor, source, "demo", checksum, &opts).await?;
    tracing::info!(
        rows = summary.stored,
        quarantined = summary.quarantined,
        ms = summary.elapsed.as_millis(),
        "demo dataset loaded"
    );
    Ok(summary)
}

async fn run<S>(
    ingestor: &Arc<dyn CurveIngestor>,
    source: S,
    name: &str,
    checksum: String,
    opts: &IngestOptions,
) -> anyhow::Result<IngestSummary>
where
    S: RowSource + Send + 'static,
{
    let started = Instant::now();
    let started_at = opts.clock.now();
    let ctx = IngestContext::new(name, started_at);
    let normaliser = Normaliser::embedded().context("while loading the embedded units map")?;
    let pipeline = IngestPipeline::new(source, normaliser, ctx, opts.batch_size.max(1));
    let (mut rx, reader) = spawn_reader(pipeline);
    let mut quarantine = match &opts.quarantine_out {
        Some(path) => Some(QuarantineWriter::create(path)?),
        None => None,
    };
    let progress = progress_bar(opts.progress);
    // A dry run opens no session: nothing reaches the store.
    let mut session = if opts.dry_run {
        None
    } else {
        let file = IngestFile {
            name: name.to_owned(),
            checksum,
            started_at,
        };
        Some(
            ingestor
                .begin(file)
                .await
                .with_context(|| format!("while starting to ingest {name}"))?,
        )
    };
    let mut written = 0_u64;
    while let Some(item) = rx.recv().await {
        let (batch, read) = item.with_context(|| format!("while reading {name}"))?;
        if let Some(q) = quarantine.as_mut() {
            q.write(&batch.quarantined)?;
        }
        if let Some(session) = session.as_mut() {
            if !batch.quarantined.is_empty() {
                let rows = batch.quarantined.iter().map(quarantined_row).collect();
                session
                    .quarantine(rows)
                    .await
                    .with_context(|| format!("while quarantining rows of {name}"))?;
            }
            if !batch.rows.is_empty() {
                written += batch.rows.len() as u64;
                session
                    .write(batch.rows)
                    .await
                    .with_context(|| format!("while storing rows of {name}"))?;
            }
        }
        if let Some(bar) = &progress {
            bar.set_position(read);
        } else if opts.progress {
            tracing::info!(file = name, read, written, "ingest progress");
        } else {
            tracing::debug!(file = name, read, written, "ingest progress");
        }
    }
    let report = reader.await.context("the ingestion reader panicked")?;
    let totals = IngestTotals {
        read: report.read,
        quarantined: report.quarantined,
        derived_strips: report.derived_strips,
    };
    let stored = match session {
        Some(session) => {
            let upsert = session
                .commit(totals, opts.clock.now())
                .await
                .with_context(|| format!("while committing {name}"))?;
            upsert.inserted + upsert.updated
        }
        None => 0,
    };
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    if let Some(q) = quarantine {
        q.finish()?;
    }
    if !opts.dry_run {
        opts.rows.add(stored, &[("outcome", "stored")]);
        opts.rows
            .add(report.quarantined, &[("outcome", "quarantined")]);
    }
    Ok(IngestSummary {
        file: name.to_owned(),
        read: report.read,
        stored,
        quarantined: report.quarantined,
        derived_strips: report.derived_strips,
        elapsed: started.elapsed(),
        skipped: false,
    })
}

type BatchResult = Result<(aurum_core::ingest::Batch, u64), aurum_core::ingest::IngestError>;

/// Runs the pipeline on a blocking thread; batches (with the records read so far) arrive on a
/// channel of capacity one, so at most two batches are in memory.
fn spawn_reader<S>(
    mut pipeline: IngestPipeline<S>,
) -> (
    tokio::sync::mpsc::Receiver<BatchResult>,
    tokio::task::JoinHandle<aurum_core::ingest::IngestReport>,
)
where
    S: RowSource + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    let reader = tokio::task::spawn_blocking(move || {
        loop {
            match pipeline.next_batch() {
                Ok(Some(batch)) => {
                    let read = pipeline.report().read;
                    if tx.blocking_send(Ok((batch, read))).is_err() {
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    let _ = tx.blocking_send(Err(e));
                    break;
                }
            }
        }
        pipeline.report()
    });
    (rx, reader)
}

fn quarantined_row(r: &QuarantineRecord) -> QuarantinedRow {
    QuarantinedRow {
        file: r.file.to_string(),
        line: r.line,
        reason: r.reason.to_string(),
        raw: r.raw.clone(),
    }
}

fn progress_bar(wanted: bool) -> Option<ProgressBar> {
    if !wanted || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {pos} rows read ({per_sec}) {elapsed}").ok()?,
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    Some(bar)
}

/// Quarantined rows as CSV: `file,line,reason,raw`.
struct QuarantineWriter {
    out: csv::Writer<File>,
}

impl QuarantineWriter {
    fn create(path: &Path) -> anyhow::Result<Self> {
        let file =
            File::create(path).with_context(|| format!("while creating {}", path.display()))?;
        let mut out = csv::Writer::from_writer(file);
        out.write_record(["file", "line", "reason", "raw"])?;
        Ok(Self { out })
    }

    fn write(&mut self, records: &[QuarantineRecord]) -> anyhow::Result<()> {
        for r in records {
            self.out.write_record([
                &*r.file,
                &r.line.to_string(),
                &r.reason.to_string(),
                &r.raw,
            ])?;
        }
        Ok(())
    }

    fn finish(mut self) -> anyhow::Result<()> {
        self.out.flush()?;
        Ok(())
    }
}

/// `aurum ingest curves FILE…`
///
/// # Errors
/// When a file cannot be read or the store fails.
pub async fn ingest_command(args: &IngestCurvesArgs) -> anyhow::Result<ExitCode> {
    let backend = Backend::open(&args.database).await?;
    let opts = IngestOptions {
        dry_run: args.dry_run,
        quarantine_out: args.quarantine_out.clone(),
        progress: true,
        force: args.force,
        ..IngestOptions::default()
    };
    println!(
        "{:<32} {:>10} {:>10} {:>11} {:>9} {:>12}",
        "file", "read", "stored", "quarantined", "strips", "rows/s"
    );
    let mut total_quarantined = 0;
    let shared_cache = args.redis.shared_cache()?;
    for file in &args.files {
        let s = ingest_file(&backend.ingestor, file, &opts).await?;
        if s.stored > 0
            && !args.dry_run
            && let Some(cache) = &shared_cache
        {
            invalidate_curve_namespaces(cache).await;
        }
        if s.skipped {
            println!(
                "{:<32} already ingested (same checksum); use --force to ingest again",
                s.file
            );
            continue;
        }
        total_quarantined += s.quarantined;
        println!(
            "{:<32} {:>10} {:>10} {:>11} {:>9} {:>12.0}",
            s.file,
            s.read,
            s.stored,
            s.quarantined,
            s.derived_strips,
            s.rows_per_sec()
        );
    }
    if args.dry_run {
        println!("dry run: nothing was stored");
    } else if backend.kind == "memory" {
        println!(
            "no AURUM_DATABASE_URL: rows went to a temporary in-memory store (a validation run); \
             serve files with `aurum serve --load FILE…`"
        );
    }
    if total_quarantined > 0 && args.quarantine_out.is_none() {
        println!(
            "{total_quarantined} rows were quarantined; pass --quarantine-out FILE to see them"
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Invalidates the curve namespaces of the shared cache after an ingestion; a failure is a
/// warning (servers' entries then expire by TTL).
async fn invalidate_curve_namespaces(cache: &dyn aurum_ports::Cache) {
    for ns in aurum_core::cache::curve_namespaces() {
        if let Err(e) = cache.invalidate_namespace(ns.name).await {
            tracing::warn!(
                namespace = ns.name,
                error = %e,
                "cannot invalidate the shared cache; cached answers expire by TTL"
            );
            eprintln!(
                "warning: cannot invalidate the shared cache namespace {}: {e}",
                ns.name
            );
        }
    }
}

/// `aurum migrate [--status]`
///
/// # Errors
/// Without a database URL, when the database fails, or when migrations conflict.
pub async fn migrate_command(args: &crate::cli::MigrateArgs) -> anyhow::Result<ExitCode> {
    let pool = crate::backend::pg_pool(&args.database)?.context(
        "set AURUM_DATABASE_URL (or --database-url) to the PostgreSQL database to migrate",
    )?;
    let migrator = aurum_adapter_postgres::Migrator::new(pool);
    if args.status {
        println!("{:>7}  {:<12} state", "version", "name");
        for s in migrator.status().await? {
            println!("{:>7}  {:<12} {}", s.version, s.name, state_text(&s.state));
        }
        return Ok(ExitCode::SUCCESS);
    }
    let applied = migrator.migrate().await?;
    if applied.is_empty() {
        println!("the database is up to date");
    } else {
        println!("applied migrations {applied:?}");
    }
    Ok(ExitCode::SUCCESS)
}

fn state_text(state: &aurum_adapter_postgres::MigrationState) -> String {
    use aurum_adapter_postgres::MigrationState;
    match state {
        MigrationState::Applied { at } => format!("applied {at}"),
        MigrationState::Pending => "pending".to_owned(),
        MigrationState::Changed => "CHANGED since applied".to_owned(),
        MigrationState::UnknownNewer => "unknown to this release (newer)".to_owned(),
    }
}

/// `aurum demo-data --out FILE`
///
/// # Errors
/// When the file cannot be written.
pub fn demo_data_command(args: &DemoDataArgs) -> anyhow::Result<()> {
    let config = DemoConfig {
        rows: args.rows,
        seed: args.seed,
    };
    let rows = if args.out.as_os_str() == "-" {
        demo::write_csv(&config, std::io::stdout().lock())?
    } else {
        let file = File::create(&args.out)
            .with_context(|| format!("while creating {}", args.out.display()))?;
        demo::write_csv(&config, std::io::BufWriter::with_capacity(1 << 16, file))?
    };
    eprintln!("wrote {rows} rows to {}", args.out.display());
    Ok(())
}
