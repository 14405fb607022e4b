//! Criterion benches of the curve hot paths: normalisation, ingestion, memory-store queries on
//! one million demo rows, and cursors. See `benches/README.md` for targets and measured figures.

use std::hint::black_box;
use std::time::{Duration, Instant};

use aurum_adapter_memory::MemoryCurveStore;
use aurum_benches::{
    LOAD_BATCH, LoadedStore, NORMALISE_ROWS, SEED, STORE_ROWS, block_on, demo_rows,
    dimensions_query, gas, ingest_context, list_binding, list_query, load_store, middle_keyset,
    normalise_count, pjm, pjm_da_on_peak, sample_keyset,
};
use aurum_core::cursor::CursorCodec;
use aurum_core::curves::Normaliser;
use aurum_core::demo::{self, DemoConfig};
use aurum_core::ingest::IngestPipeline;
use aurum_ports::{CurveFilters, CurveStore, DimensionsQuery, Direction, ListKeyset, ListQuery};
use criterion::measurement::WallTime;
use criterion::{
    BatchSize, BenchmarkGroup, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main,
};

/// Rows per batch of the pipeline bench (the server loads in batches of 50k; batch size only
/// bounds memory here, since nothing is stored).
const PIPELINE_BATCH: usize = 10_000;

/// `normalise/demo_rows`: 100k pre-generated rows through a fresh normaliser, one thread.
fn normalise(c: &mut Criterion) {
    let rows = demo_rows(NORMALISE_ROWS);
    let ctx = ingest_context();
    let mut group = c.benchmark_group("normalise");
    group.sample_size(10);
    group.throughput(Throughput::Elements(rows.len() as u64));
    group.bench_function("demo_rows", |b| {
        b.iter_batched(
            || Normaliser::embedded().expect("the embedded units map loads"),
            |mut normaliser| normalise_count(&mut normaliser, &rows, &ctx),
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

/// `ingest/demo_pipeline`: generation + normalisation + derived strips + batching of 100k rows.
fn ingest(c: &mut Criterion) {
    let config = DemoConfig {
        rows: NORMALISE_ROWS,
        seed: SEED,
    };
    let mut group = c.benchmark_group("ingest");
    group.sample_size(10);
    group.throughput(Throughput::Elements(NORMALISE_ROWS as u64));
    group.bench_function("demo_pipeline", |b| {
        b.iter_batched(
            || {
                let normaliser = Normaliser::embedded().expect("the embedded units map loads");
                IngestPipeline::new(
                    demo::source(&config),
                    normaliser,
                    ingest_context(),
                    PIPELINE_BATCH,
                )
            },
            |mut pipeline| {
                let mut rows = 0_usize;
                while let Some(batch) = pipeline.next_batch().expect("demo rows always read") {
                    rows += black_box(batch).rows.len();
                }
                rows
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

/// `memory_store/*`: list and dimensions queries on one store loaded once with 1M demo rows.
fn memory_store(c: &mut Criterion) {
    let started = Instant::now();
    let loaded = load_store(STORE_ROWS, LOAD_BATCH).expect("the 1M-row demo store loads");
    eprintln!(
        "memory_store: {} rows generated, normalised and loaded in {:.1?} (setup, not timed)",
        loaded.store.len(),
        started.elapsed()
    );
    let mut group = c.benchmark_group("memory_store");
    list_pages(&mut group, &loaded);
    dimensions_counts(&mut group, &loaded);
    group.finish();
}

fn list_pages(group: &mut BenchmarkGroup<'_, WallTime>, loaded: &LoadedStore) {
    let store = &loaded.store;
    let power = pjm_da_on_peak().expect("literal filters are valid");
    let mid = middle_keyset(loaded, &power).expect("the middle page has rows");
    let cases = [
        ("pjm_da_on_peak", list_query(power.clone(), None, None)),
        ("gas", list_query(gas(), None, None)),
        (
            "pjm_da_on_peak_mid_keyset",
            list_query(power, None, Some((Direction::Forward, mid))),
        ),
    ];
    for (name, query) in cases {
        bench_list(
            group,
            BenchmarkId::new("list_page_100", name),
            store,
            &query,
        );
    }
    let unfiltered = list_query(CurveFilters::default(), None, None);
    let id = BenchmarkId::from_parameter("list_page_100_unfiltered");
    bench_list(group, id, store, &unfiltered);
}

fn bench_list(
    group: &mut BenchmarkGroup<'_, WallTime>,
    id: BenchmarkId,
    store: &MemoryCurveStore,
    query: &ListQuery,
) {
    let page = block_on(store.list(query)).expect("the memory store answers");
    assert_eq!(page.items.len(), query.page.limit, "a full page");
    group.bench_function(id, |b| b.iter(|| block_on(store.list(black_box(query)))));
}

fn dimensions_counts(group: &mut BenchmarkGroup<'_, WallTime>, loaded: &LoadedStore) {
    let cases: [(&str, DimensionsQuery); 3] = [
        ("all", dimensions_query(CurveFilters::default(), None)),
        (
            "iso_pjm",
            dimensions_query(pjm().expect("literal filters are valid"), None),
        ),
        (
            "asof",
            dimensions_query(CurveFilters::default(), Some(loaded.middle_asof)),
        ),
    ];
    let store = &loaded.store;
    for (name, query) in cases {
        let dims = block_on(store.dimensions(&query)).expect("the memory store answers");
        assert!(
            dims.values.iter().any(|(_, values)| !values.is_empty()),
            "dimensions with values"
        );
        group.bench_with_input(
            BenchmarkId::new("dimensions_counts", name),
            &query,
            |b, query| b.iter(|| block_on(store.dimensions(black_box(query)))),
        );
    }
}

/// `cursor/*`: mint and open a signed `curves.list` cursor over a real keyset.
fn cursor(c: &mut Criterion) {
    let codec = CursorCodec::new(&[0x5a; 32]).expect("a non-empty secret");
    let filters = pjm_da_on_peak().expect("literal filters are valid");
    let binding = list_binding(&filters, None);
    let keyset = sample_keyset().expect("the first demo row normalises");
    let minted = codec.encode(&binding, Direction::Forward, &keyset);
    let opened = codec.decode::<ListKeyset>(&binding, &minted);
    assert_eq!(
        opened,
        Ok((Direction::Forward, keyset.clone())),
        "round trip"
    );

    let mut group = c.benchmark_group("cursor");
    group.bench_function("encode_decode", |b| {
        b.iter(|| {
            let raw = codec.encode(black_box(&binding), Direction::Forward, black_box(&keyset));
            codec.decode::<ListKeyset>(&binding, &raw)
        });
    });
    group.bench_function("encode", |b| {
        b.iter(|| codec.encode(black_box(&binding), Direction::Forward, black_box(&keyset)));
    });
    group.bench_function("decode", |b| {
        b.iter(|| codec.decode::<ListKeyset>(black_box(&binding), black_box(&minted)));
    });
    group.finish();
}

criterion_group! {
    name = curves;
    config = Criterion::default()
        .sample_size(50)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(5));
    targets = normalise, ingest, memory_store, cursor
}
criterion_main!(curves);
