//! Logging setup: structured JSON or pretty lines, filtered by `AURUM_LOG`.

use std::io::IsTerminal as _;

use tracing_subscriber::EnvFilter;

use crate::settings::{LogFormat, LogSettings};

/// Installs the process-wide tracing subscriber (once, from `main`).
///
/// # Errors
/// When the filter does not parse or a subscriber is already installed.
pub fn init(settings: &LogSettings) -> anyhow::Result<()> {
    let filter = EnvFilter::try_new(&settings.log)?;
    let json = match settings.log_format {
        LogFormat::Json => true,
        LogFormat::Pretty => false,
        LogFormat::Auto => !std::io::stdout().is_terminal(),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder
            .json()
            .flatten_event(true)
            .try_init()
            .map_err(|e| anyhow::anyhow!(e))?;
    } else {
        builder.try_init().map_err(|e| anyhow::anyhow!(e))?;
    }
    Ok(())
}
