//! `aurum`: parses the command line and calls into the library.

use std::process::ExitCode;

use clap::Parser as _;

use aurum::cli::{Cli, Command, IngestCommand};
use aurum::telemetry::{self, Telemetry};
use aurum::{Application, loader};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // Telemetry comes first: the process-wide subscriber bridges spans to its tracer.
    let telemetry = match telemetry_for(&cli.command) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("aurum: cannot set up telemetry: {e:#}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = telemetry::init(&cli.log, telemetry.as_ref()) {
        eprintln!("aurum: cannot set up logging: {e:#}");
        return ExitCode::from(2);
    }
    match run(cli.command, telemetry).await {
        Ok(code) => code,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "aurum failed");
            eprintln!("aurum: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The telemetry of the long-running commands (`serve`, `worker`); none for one-shot ones.
fn telemetry_for(command: &Command) -> anyhow::Result<Option<Telemetry>> {
    Ok(match command {
        Command::Serve(settings) => Some(Telemetry::new(&settings.telemetry)?),
        Command::Worker(args) => Some(Telemetry::new(&args.telemetry)?),
        _ => None,
    })
}

async fn run(command: Command, telemetry: Option<Telemetry>) -> anyhow::Result<ExitCode> {
    let telemetry = match telemetry {
        Some(t) => t,
        None => Telemetry::local()?,
    };
    match command {
        Command::Serve(settings) => {
            let started = std::time::Instant::now();
            let clock = std::sync::Arc::new(aurum::clock::SystemClock);
            let app = Application::build_with_telemetry(settings, clock, telemetry.clone()).await?;
            tracing::info!(
                port = app.port(),
                startup_ms = started.elapsed().as_millis(),
                "aurum is ready"
            );
            let result = app.run_until_stopped().await;
            telemetry.shutdown().await;
            result?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Ingest {
            what: IngestCommand::Curves(args),
        } => loader::ingest_command(&args).await,
        Command::Migrate(args) => loader::migrate_command(&args).await,
        Command::Worker(args) => {
            aurum::worker::command(&args.database, &args.worker, &telemetry).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Scenario(args) => aurum::scenario_cli::run(&args).await,
        Command::Slo(args) => Ok(aurum::slo::command(&args).await),
        Command::DemoData(args) => {
            loader::demo_data_command(&args)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Openapi => {
            let doc = aurum::http::openapi::document();
            println!("{}", doc.to_pretty_json()?);
            Ok(ExitCode::SUCCESS)
        }
    }
}
