//! Writes pgbench scripts that run exactly the SQL `PgCurveStore::list` sends for the queries
//! of `benches/load/curves.lua` (first page, limit 100), each `$n` turned into a `:variable`
//! whose value goes in `defines.txt` (`-Dname=value` per line). Used by
//! `benches/load/pg_curves.sh` with `pgbench -M extended`.
//!
//! `cargo run --release -p aurum-adapter-postgres --example pgbench_list -- OUT_DIR`

use std::fmt::Write as _;
use std::path::PathBuf;

use aurum_adapter_postgres::curve_store::list_statement;
use aurum_ports::{AssetClass, CurveFilters, DimValue, ListQuery, PageRequest, TenorType};

fn dim(v: &str) -> Option<DimValue> {
    DimValue::parse(v).ok()
}

fn main() -> std::io::Result<()> {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".to_owned()));
    std::fs::create_dir_all(&out)?;
    let queries = [
        CurveFilters {
            iso: dim("PJM"),
            block: dim("ON_PEAK"),
            market: dim("DA"),
            ..CurveFilters::default()
        },
        CurveFilters {
            iso: dim("ERCOT"),
            tenor_type: Some(TenorType::Monthly),
            ..CurveFilters::default()
        },
        CurveFilters {
            asset_class: Some(AssetClass::Gas),
            ..CurveFilters::default()
        },
        CurveFilters {
            iso: dim("CAISO"),
            block: dim("OFF_PEAK"),
            market: dim("RT"),
            ..CurveFilters::default()
        },
        CurveFilters {
            iso: dim("MISO"),
            market: dim("DA"),
            ..CurveFilters::default()
        },
    ];
    let mut defines = String::new();
    for (i, filters) in queries.into_iter().enumerate() {
        let statement = list_statement(&ListQuery {
            filters,
            asof: None,
            page: PageRequest::first(100),
        });
        let mut sql = statement.sql.clone();
        // Replace from the highest number down so `$1` does not clobber `$10`.
        for (n, arg) in statement.args.iter().enumerate().rev() {
            let var = format!("q{i}p{}", n + 1);
            sql = sql.replace(&format!("${}::", n + 1), &format!(":{var}::"));
            let _ = writeln!(defines, "-D{var}={arg}");
        }
        std::fs::write(out.join(format!("q{i}.sql")), format!("{sql};\n"))?;
    }
    std::fs::write(out.join("defines.txt"), defines)?;
    Ok(())
}
