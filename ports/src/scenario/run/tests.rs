use serde_json::json;

use super::*;

#[test]
fn omitted_run_options_take_their_documented_defaults() {
    let options: RunOptions = serde_json::from_value(json!({})).unwrap();
    assert_eq!(options, RunOptions::default());
    let settings = options.validate().unwrap();
    assert_eq!(settings.priority(), Priority::Normal);
    assert_eq!(settings.timeout_minutes(), 60);
    assert_eq!(settings.max_retries(), 3);
    assert!(settings.curve_keys().is_empty());
    assert_eq!(settings.idempotency_key(), None);
}

#[test]
fn valid_run_options_keep_their_values() {
    let options: RunOptions = serde_json::from_value(json!({
        "code_version": "v1.2", "seed": 7, "priority": "critical", "timeout_minutes": 1440,
        "max_retries": 0, "parameters": {"a": 1}, "environment": {"region": "eu"},
        "asof_date": "2025-03-15", "curve_keys": ["PJM_WEST", "abc"], "idempotency_key": "job/42:a"
    }))
    .unwrap();
    let s = options.validate().unwrap();
    assert_eq!(s.code_version(), Some("v1.2"));
    assert_eq!(s.seed(), Some(7));
    assert_eq!(s.priority(), Priority::Critical);
    assert_eq!((s.timeout_minutes(), s.max_retries()), (1440, 0));
    assert_eq!(s.parameters()["a"], 1);
    assert_eq!(s.environment()["region"], "eu");
    assert_eq!(s.asof_date(), NaiveDate::from_ymd_opt(2025, 3, 15));
    let keys: Vec<&str> = s.curve_keys().iter().map(CurveKey::as_str).collect();
    assert_eq!(keys, ["PJM_WEST", "abc"]);
    assert_eq!(
        s.idempotency_key().map(IdempotencyKey::as_str),
        Some("job/42:a")
    );
}

#[test]
fn every_bad_run_option_is_listed() {
    let options: RunOptions = serde_json::from_value(json!({
        "timeout_minutes": 0, "max_retries": 11, "curve_keys": ["ok", "bad key", ""],
        "idempotency_key": "no spaces"
    }))
    .unwrap();
    let problems = options.validate().unwrap_err();
    let pointers: Vec<&str> = problems.iter().map(|p| p.pointer.as_str()).collect();
    assert_eq!(
        pointers,
        [
            "/timeout_minutes",
            "/max_retries",
            "/curve_keys/1",
            "/curve_keys/2",
            "/idempotency_key"
        ]
    );
    assert_eq!(problems[0].detail, "must be a whole number from 1 to 1440");
}

#[test]
fn negative_and_huge_numbers_are_problems_not_wraparounds() {
    let options = RunOptions {
        timeout_minutes: i64::from(u32::MAX) + 61,
        max_retries: -1,
        ..RunOptions::default()
    };
    assert_eq!(options.validate().unwrap_err().len(), 2);
}
