//! The literal encoder against a real SQL parser: any string, date, timestamp and finite double
//! written by `aurum_adapter_trino::sql` and selected through the fake comes back as the same
//! value (PostgreSQL reads these literals as Trino does; ADR 0008).

use aurum_adapter_trino::fake::FakeBehaviour;
use aurum_adapter_trino::sql::{date, double, timestamp, varchar};
use aurum_adapter_trino::{TrinoClient, TrinoValue};
use chrono::{DateTime, NaiveDate};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::support::{Env, client, settings};

#[test]
fn values_round_trip_through_the_literal_encoder_and_a_sql_engine() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let Some(env) = runtime.block_on(Env::connect()) else {
        return;
    };
    let schema = runtime.block_on(env.empty_schema());
    let fake = runtime.block_on(env.fake(
        &schema,
        FakeBehaviour {
            queued_polls: 0,
            ..FakeBehaviour::default()
        },
    ));
    let client: TrinoClient = client(&settings(&fake));
    let select = |sql: String| -> Vec<TrinoValue> {
        let out = runtime
            .block_on(client.query(&sql))
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        out.rows.into_iter().next().unwrap()
    };
    let strategy = (
        "\\PC{0,40}|[' \\\\%_\";\\-]{0,12}",
        0_i64..3_652_058,
        -62_135_596_800_i64..253_402_300_799,
        0_u32..1_000_000,
        any::<f64>().prop_filter("finite", |x| x.is_finite()),
    );
    let mut runner = TestRunner::new(Config::with_cases(96));
    runner
        .run(&strategy, |(text, days, secs, micros, x)| {
            prop_assume!(!text.contains('\0'));
            let day =
                NaiveDate::from_ymd_opt(1, 1, 1).unwrap() + chrono::Days::new(days.unsigned_abs());
            let ts = DateTime::from_timestamp(secs, micros * 1000)
                .unwrap()
                .naive_utc();
            let row = select(format!(
                "SELECT {} AS s, {} AS d, {} AS t, {} AS x",
                varchar(&text).unwrap(),
                date(day).unwrap(),
                timestamp(ts).unwrap(),
                double(x).unwrap()
            ));
            prop_assert_eq!(&row[0], &TrinoValue::Varchar(text));
            prop_assert_eq!(&row[1], &TrinoValue::Date(day));
            prop_assert_eq!(&row[2], &TrinoValue::Timestamp(ts));
            prop_assert_eq!(&row[3], &TrinoValue::Double(x));
            Ok(())
        })
        .unwrap();
}
