//! Trino types end to end: values rendered by the fake in Trino's JSON encodings (decimals and
//! NaN/Infinity as strings, timestamps with a space and a zone, nulls) decode to the values
//! PostgreSQL computed.

use aurum_adapter_trino::fake::FakeBehaviour;
use aurum_adapter_trino::{TrinoType, TrinoValue};
use chrono::{DateTime, NaiveDate, Utc};

use crate::support::{Env, client, settings};

fn instant(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .expect("a valid RFC 3339 instant")
        .with_timezone(&Utc)
}

#[tokio::test]
async fn every_supported_type_decodes_through_the_protocol() {
    let Some(env) = Env::connect().await else {
        return;
    };
    let schema = env.empty_schema().await;
    let fake = env.fake(&schema, FakeBehaviour::default()).await;
    let mut s = settings(&fake);
    s.time_zone = Some("America/New_York".to_owned());
    let out = client(&s)
        .query(
            "SELECT CAST(42.5 AS decimal(10,4)) AS d, CAST('NaN' AS double precision) AS nan, \
             CAST('-Infinity' AS double precision) AS ninf, CAST(NULL AS varchar) AS n, \
             TIMESTAMP '2025-01-06 10:00:00.123456' AS ts, \
             CAST('2025-01-06 10:00:00.123456 UTC' AS timestamp(6) with time zone) AS tstz, \
             DATE '2025-01-06' AS day, true AS yes, CAST(7 AS smallint) AS small, \
             CAST(1.5 AS real) AS r, 9007199254740993 AS big, CAST('ab' AS char(4)) AS c, \
             'it''s' AS quoted",
        )
        .await
        .unwrap();
    let types: Vec<String> = out.columns.iter().map(|c| c.ty.to_string()).collect();
    assert_eq!(
        types,
        [
            "decimal(10,4)",
            "double",
            "double",
            "varchar",
            "timestamp(6)",
            "timestamp(6) with time zone",
            "date",
            "boolean",
            "smallint",
            "real",
            "bigint",
            "char(4)",
            "varchar",
        ]
    );
    assert_eq!(out.columns[12].ty, TrinoType::Varchar(None));
    let row = &out.rows[0];
    assert_eq!(row[0], TrinoValue::Decimal("42.5000".to_owned()));
    assert!(matches!(row[1], TrinoValue::Double(x) if x.is_nan()));
    assert_eq!(row[2], TrinoValue::Double(f64::NEG_INFINITY));
    assert_eq!(row[3], TrinoValue::Null);
    let day = NaiveDate::from_ymd_opt(2025, 1, 6).unwrap();
    assert_eq!(
        row[4],
        TrinoValue::Timestamp(day.and_hms_micro_opt(10, 0, 0, 123_456).unwrap())
    );
    assert_eq!(
        row[5],
        TrinoValue::TimestampTz {
            instant: instant("2025-01-06T10:00:00.123456Z"),
            zone: "America/New_York".to_owned(),
        }
    );
    assert_eq!(row[6], TrinoValue::Date(day));
    assert_eq!(row[7], TrinoValue::Boolean(true));
    assert_eq!(row[8], TrinoValue::Integer(7));
    assert_eq!(row[9], TrinoValue::Double(1.5));
    assert_eq!(row[10], TrinoValue::Integer(9_007_199_254_740_993));
    assert_eq!(row[11], TrinoValue::Varchar("ab  ".to_owned()));
    assert_eq!(row[12], TrinoValue::Varchar("it's".to_owned()));
}

#[tokio::test]
async fn empty_results_still_carry_their_columns() {
    let Some(env) = Env::connect().await else {
        return;
    };
    let schema = env.empty_schema().await;
    let fake = env.fake(&schema, FakeBehaviour::default()).await;
    let out = client(&settings(&fake))
        .query("SELECT CAST(1 AS bigint) AS n WHERE false")
        .await
        .unwrap();
    assert!(out.rows.is_empty());
    assert_eq!(out.columns[0].name, "n");
    assert_eq!(out.columns[0].ty, TrinoType::BigInt);
}
