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
use aurum_ports::{Clock as _, CurveStore};

use crate::cli::{DemoDataArgs, IngestCurvesArgs};
use crate::clock::SystemClock;

/// Options of one ingestion.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Validate only; store nothing.
    pub dry_run: bool,
    /// Write quarantined rows to this CSV file.
    pub quarantine_out: Option<PathBuf>,
    /// Rows per store write.
    pub batch_size: usize,
    /// Show a progress bar (only on a terminal).
    pub progress: bool,
}

impl Default for IngestOptions {
    fn default() -> Self {
        Self {
            dry_run: false,
            quarantine_out: None,
            batch_size: 50_000,
            progress: false,
        }
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
}

impl IngestSummary {
    /// Records read per second.
    pub fn rows_per_sec(&self) -> f64 {
        #[expect(clippy::cast_precision_loss, reason = "a rate for humans")]
        let read = self.read as f64;
        read / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Ingests one curve file (`.csv`, `.ndjson`, `.jsonl`) into `store`.
///
/// # Errors
/// When the file cannot be opened or read, its header lacks required columns, or the store
/// fails. Bad rows are quarantined, not errors.
pub async fn ingest_file(
    store: &Arc<dyn CurveStore>,
    path: &Path,
    opts: &IngestOptions,
) -> anyhow::Result<IngestSummary> {
    let format = InputFormat::from_path(path)?;
    let file = File::open(path).with_context(|| format!("while opening {}", path.display()))?;
    let reader = RowReader::new(format, BufReader::with_capacity(1 << 16, file))
        .with_context(|| format!("while reading the header of {}", path.display()))?;
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    run(store, reader, &name, opts).await
}

/// Fills `store` with the deterministic demo dataset.
///
/// # Errors
/// When the store fails.
pub async fn load_demo(
    store: &Arc<dyn CurveStore>,
    rows: usize,
    seed: u64,
) -> anyhow::Result<IngestSummary> {
    let source = demo::source(&DemoConfig { rows, seed });
    let opts = IngestOptions {
        batch_size: 20_000,
        ..IngestOptions::default()
    };
    let summary = run(store, source, "demo", &opts).await?;
    tracing::info!(
        rows = summary.stored,
        quarantined = summary.quarantined,
        ms = summary.elapsed.as_millis(),
        "demo dataset loaded"
    );
    Ok(summary)
}

async fn run<S>(
    store: &Arc<dyn CurveStore>,
    source: S,
    name: &str,
    opts: &IngestOptions,
) -> anyhow::Result<IngestSummary>
where
    S: RowSource + Send + 'static,
{
    let started = Instant::now();
    let ctx = IngestContext::new(name, SystemClock.now());
    let normaliser = Normaliser::embedded().context("while loading the embedded units map")?;
    let mut pipeline = IngestPipeline::new(source, normaliser, ctx, opts.batch_size.max(1));
    let (tx, mut rx) = tokio::sync::mpsc::channel(1);
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
    let mut quarantine = match &opts.quarantine_out {
        Some(path) => Some(QuarantineWriter::create(path)?),
        None => None,
    };
    let progress = progress_bar(opts.progress);
    let mut stored = 0;
    while let Some(item) = rx.recv().await {
        let (batch, read) = item.with_context(|| format!("while reading {name}"))?;
        if let Some(q) = quarantine.as_mut() {
            q.write(&batch.quarantined)?;
        }
        if !opts.dry_run && !batch.rows.is_empty() {
            let report = store
                .upsert(batch.rows)
                .await
                .with_context(|| format!("while storing rows of {name}"))?;
            stored += report.inserted + report.updated;
        }
        if let Some(bar) = &progress {
            bar.set_position(read);
        } else {
            tracing::debug!(file = name, read, stored, "ingest progress");
        }
    }
    let report = reader.await.context("the ingestion reader panicked")?;
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    if let Some(q) = quarantine {
        q.finish()?;
    }
    Ok(IngestSummary {
        file: name.to_owned(),
        read: report.read,
        stored,
        quarantined: report.quarantined,
        derived_strips: report.derived_strips,
        elapsed: started.elapsed(),
    })
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
    let store: Arc<dyn CurveStore> = Arc::new(aurum_adapter_memory::MemoryCurveStore::new());
    let opts = IngestOptions {
        dry_run: args.dry_run,
        quarantine_out: args.quarantine_out.clone(),
        progress: true,
        ..IngestOptions::default()
    };
    println!(
        "{:<32} {:>10} {:>10} {:>11} {:>9} {:>12}",
        "file", "read", "stored", "quarantined", "strips", "rows/s"
    );
    let mut total_quarantined = 0;
    for file in &args.files {
        let s = ingest_file(&store, file, &opts).await?;
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
    } else {
        println!(
            "stored in a temporary in-memory store (no database is configured); \
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
