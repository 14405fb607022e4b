//! The application: `Application::build(settings)` composes adapters and services, binds the
//! HTTP server and returns something with `.port()` and `.run_until_stopped()`. `main` and the
//! integration tests both use it.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use anyhow::Context as _;
use utoipa_swagger_ui::SwaggerUi;

use aurum_core::cursor::CursorCodec;
use aurum_core::service::CurveService;
use aurum_core::service::scenarios::ScenarioService;
use aurum_ports::Clock;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::backend::Backend;
use crate::clock::SystemClock;
use crate::http::deprecation::V1Deprecation;
use crate::http::metrics::HttpMetrics;
use crate::http::ops::RouteTable;
use crate::http::{self, openapi};
use crate::lifecycle::{Lifecycle, Stoppable, step};
use crate::loader;
use crate::settings::ServeSettings;
use crate::state::AppState;
use crate::telemetry::Telemetry;
use crate::traffic::Traffic;

/// A bound, not yet running, server.
pub struct Application {
    port: u16,
    server: Server,
    lifecycle: Arc<Lifecycle>,
    stoppable: Stoppable,
}

impl Application {
    /// Builds the application: store, data, services, HTTP server bound to the configured port.
    ///
    /// # Errors
    /// When data cannot be loaded, the cursor secret is empty, or the port cannot be bound.
    pub async fn build(settings: ServeSettings) -> anyhow::Result<Self> {
        Self::build_with_clock(settings, Arc::new(SystemClock)).await
    }

    /// [`Self::build`] with an injected clock (tests pin `ingest_ts` with it).
    ///
    /// # Errors
    /// As [`Self::build`].
    pub async fn build_with_clock(
        settings: ServeSettings,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Self> {
        let telemetry = Telemetry::new(&settings.telemetry)?;
        Self::build_with_telemetry(settings, clock, telemetry).await
    }

    /// [`Self::build_with_clock`] with the instance's [`Telemetry`] built by the caller (`main`
    /// builds it first, to bridge the process-wide subscriber's spans to its tracer).
    ///
    /// # Errors
    /// As [`Self::build`].
    pub async fn build_with_telemetry(
        settings: ServeSettings,
        clock: Arc<dyn Clock>,
        telemetry: Telemetry,
    ) -> anyhow::Result<Self> {
        let backend = step(
            "startup",
            "pools and migrations",
            Backend::open(&settings.database),
        )
        .await?;
        if let Some(pool) = &backend.pool {
            telemetry.observe_pool(pool);
        }
        let loaded = step(
            "startup",
            "data",
            load_data(&settings, &backend, &clock, &telemetry),
        )
        .await?;
        let state = web::Data::new(compose(
            &settings,
            &backend,
            Arc::clone(&clock),
            &telemetry,
        )?);
        let token = CancellationToken::new();
        let tracker = TaskTracker::new();
        let default_policy = settings.traffic.default_policy()?;
        let policies = step(
            "startup",
            "caches and rate limits",
            state.traffic.reload_policies(Some(&default_policy)),
        )
        .await;
        if let Err(e) = policies {
            tracing::warn!(
                error = format!("{e:#}"),
                "cannot load the rate-limit policies yet; enforcing the default policy"
            );
        }
        state
            .traffic
            .spawn_refresher(default_policy, &token, &tracker);
        if loaded && let Err(e) = state.traffic.invalidate_curve_data().await {
            tracing::warn!(error = %e, "cannot invalidate the shared cache after loading; cached answers expire by TTL");
        }
        let in_process = settings
            .in_process_worker
            .unwrap_or(backend.kind == "memory");
        if in_process {
            crate::worker::spawn(
                &backend,
                &clock,
                &settings.worker,
                &telemetry,
                &token,
                &tracker,
            )?;
        }
        if let Some(metrics) = &backend.trino_metrics {
            crate::trino::spawn_metrics_export(
                Arc::clone(metrics),
                &*telemetry.meter(),
                Duration::from_secs(1),
                &token,
                &tracker,
            );
        }
        crate::lifecycle::spawn_dependency_monitor(
            &state,
            &*telemetry.meter(),
            Duration::from_secs(10),
            &token,
            &tracker,
        );
        let listener = TcpListener::bind((settings.host.as_str(), settings.port))
            .with_context(|| format!("while binding {}:{}", settings.host, settings.port))?;
        let port = listener.local_addr()?.port();
        let lifecycle = Arc::clone(&state.lifecycle);
        let server = serve(listener, state, &settings)?;
        tracing::info!(phase = "startup", step = "http", port, "listening");
        Ok(Self {
            port,
            server,
            lifecycle,
            stoppable: Stoppable {
                token,
                tracker,
                telemetry,
                pool: backend.pool.clone(),
                timeout: settings.shutdown_timeout(),
                drain_delay: Duration::from_millis(settings.shutdown_drain_delay_ms),
            },
        })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The lifecycle: [`Lifecycle::request_stop`] starts the same graceful shutdown as
    /// SIGTERM (tests and embedding programs use it).
    pub fn lifecycle(&self) -> Arc<Lifecycle> {
        Arc::clone(&self.lifecycle)
    }

    /// Serves until SIGTERM or SIGINT (or a requested stop), then shuts down in order: drain,
    /// HTTP, worker, telemetry, pools (see [`crate::lifecycle`]). A second signal forces the
    /// HTTP stop.
    ///
    /// # Errors
    /// When the server fails.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        crate::lifecycle::run(self.server, self.lifecycle, self.stoppable).await
    }
}

/// Loads `--load` files (or the demo dataset into the embedded store); `true` when rows were
/// stored from files (the shared cache's curve namespaces are then invalidated).
async fn load_data(
    settings: &ServeSettings,
    backend: &Backend,
    clock: &Arc<dyn Clock>,
    telemetry: &Telemetry,
) -> anyhow::Result<bool> {
    let mut loaded = false;
    if !settings.load.is_empty() {
        let opts = loader::IngestOptions {
            clock: Arc::clone(clock),
            rows: loader::ingest_rows(&*telemetry.meter()),
            ..loader::IngestOptions::default()
        };
        for file in &settings.load {
            let s = loader::ingest_file(&backend.ingestor, file, &opts).await?;
            tracing::info!(
                file = s.file,
                stored = s.stored,
                quarantined = s.quarantined,
                skipped = s.skipped,
                "loaded"
            );
            loaded |= s.stored > 0;
        }
    } else if backend.kind == "memory" {
        loader::load_demo(
            &backend.ingestor,
            settings.demo_rows,
            settings.demo_seed,
            Arc::clone(clock),
        )
        .await?;
    }
    Ok(loaded)
}

/// The composition root: settings and a store in, application state out.
///
/// # Errors
/// When the cursor secret is empty or metrics cannot be registered.
pub fn compose(
    settings: &ServeSettings,
    backend: &Backend,
    clock: Arc<dyn Clock>,
    telemetry: &Telemetry,
) -> anyhow::Result<AppState> {
    let meter = telemetry.meter();
    let secret = if let Some(s) = &settings.cursor_secret {
        s.as_bytes().to_vec()
    } else {
        let mut bytes = [0_u8; 32];
        rand::fill(&mut bytes);
        bytes.to_vec()
    };
    let cursors = CursorCodec::new(&secret).context("AURUM_CURSOR_SECRET must not be empty")?;
    anyhow::ensure!(
        settings.api.v1_deprecated_at <= settings.api.v1_sunset,
        "AURUM_API_V1_SUNSET must not be earlier than AURUM_API_V1_DEPRECATED_AT (RFC 9745 §4)"
    );
    let traffic = Arc::new(Traffic::build(
        &settings.traffic,
        backend.pool.as_ref(),
        &clock,
        &*meter,
    )?);
    Ok(AppState {
        traffic,
        lifecycle: crate::lifecycle::Lifecycle::new(),
        curves: CurveService::new(Arc::clone(&backend.curves), cursors.clone()),
        scenarios: ScenarioService::new(
            Arc::clone(&backend.scenarios),
            Arc::new(crate::worker::UuidV7Ids),
            Arc::clone(&clock),
            cursors,
        ),
        idempotency: Arc::clone(&backend.idempotency),
        outbox: Arc::clone(&backend.outbox),
        clock,
        registry: telemetry.registry().clone(),
        telemetry: telemetry.clone(),
        reference: Arc::new(crate::state::ReferenceData::embedded()?),
        store_kind: backend.kind,
    })
}

fn serve(
    listener: TcpListener,
    state: web::Data<AppState>,
    settings: &ServeSettings,
) -> anyhow::Result<Server> {
    let meter = state.telemetry.meter();
    let metrics = web::Data::new(HttpMetrics::new(&*meter));
    let doc = http::registry::document(&settings.api);
    let routes = web::Data::new(RouteTable(openapi::route_table(&doc)));
    let api = web::Data::new(settings.api.clone());
    let v1 = if settings.api.v1_enabled {
        Some(web::Data::new(V1Deprecation::new(&settings.api, &*meter)))
    } else {
        None
    };
    let max_body = settings.max_body_bytes;
    let extra_routes = settings.extra_routes;
    let mut server = HttpServer::new(move || {
        let (query, path, json, payload) = http::extractor_config(max_body);
        let mut app = App::new();
        if let Some(v1) = &v1 {
            app = app.app_data(v1.clone());
        }
        app.app_data(state.clone())
            .app_data(api.clone())
            .app_data(metrics.clone())
            .app_data(routes.clone())
            .app_data(query)
            .app_data(path)
            .app_data(json)
            .app_data(payload)
            .app_data(web::Data::new(http::body_limit::MaxBodyBytes(max_body)))
            .wrap(from_fn(http::body_limit::body_limit))
            .wrap(from_fn(http::rate_limit::rate_limit))
            .wrap(from_fn(http::deprecation::deprecation))
            .wrap(from_fn(http::metrics::observe))
            .wrap(from_fn(http::request_id::request_id))
            .configure(http::registry::configure_routes(&api))
            .configure(|cfg| {
                if let Some(extra) = extra_routes {
                    extra(cfg);
                }
            })
            .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", doc.clone()))
            .default_service(web::to(http::ops::fallback))
    })
    .shutdown_timeout(settings.shutdown_timeout_secs)
    .disable_signals()
    .listen(listener)?;
    if let Some(w) = settings.workers {
        server = server.workers(w.max(1));
    }
    Ok(server.run())
}
