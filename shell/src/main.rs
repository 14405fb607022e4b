//! `aurum`: parses the command line and calls into the library.

use std::process::ExitCode;

use clap::Parser as _;

use aurum::cli::{Cli, Command, IngestCommand};
use aurum::{Application, loader, telemetry};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(e) = telemetry::init(&cli.log) {
        eprintln!("aurum: cannot set up logging: {e:#}");
        return ExitCode::from(2);
    }
    match run(cli.command).await {
        Ok(code) => code,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "aurum failed");
            eprintln!("aurum: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve(settings) => {
            let started = std::time::Instant::now();
            let app = Application::build(settings).await?;
            tracing::info!(
                port = app.port(),
                startup_ms = started.elapsed().as_millis(),
                "aurum is ready"
            );
            app.run_until_stopped().await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Ingest {
            what: IngestCommand::Curves(args),
        } => loader::ingest_command(&args).await,
        Command::Migrate(args) => loader::migrate_command(&args).await,
        Command::Worker(args) => {
            aurum::worker::command(&args.database, &args.worker).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Scenario(args) => aurum::scenario_cli::run(&args).await,
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
