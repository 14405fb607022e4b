//! Run fingerprints: the sha256 of a run's canonical inputs. Two submissions with the same
//! fingerprint are the same computation, so the service returns the existing run.

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use aurum_ports::scenario::{RunSettings, Scenario};

/// The identity of a run's inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// Lowercase sha256 hex of the canonical JSON of the inputs.
    pub input_hash: String,
    /// `<scenario_id>:<input_hash>`.
    pub run_key: String,
}

/// The fingerprint of running `scenario` with `settings` (DOMAIN.md §2): the sha256 of the
/// canonical JSON of `tenant_id`, `scenario_id`, `unique_key`, `assumptions` (typed, so
/// `120` and `120.0` or a reordered payload hash alike), the run's `parameters` and
/// `environment`, `code_version`, `seed` and `scenario_version`.
///
/// As DOMAIN.md lists, the pricing date, curve keys, priority, time budget and retry budget
/// are not inputs: runs that differ only in those share a fingerprint.
pub fn fingerprint(scenario: &Scenario, settings: &RunSettings) -> Fingerprint {
    let inputs = json!({
        "tenant_id": scenario.tenant_id().as_str(),
        "scenario_id": scenario.id,
        "unique_key": scenario.unique_key(),
        "assumptions": scenario.assumptions,
        "parameters": settings.parameters(),
        "environment": settings.environment(),
        "code_version": settings.code_version(),
        "seed": settings.seed(),
        "scenario_version": scenario.version,
    });
    let input_hash = hex::encode(Sha256::digest(canonical_json(&inputs).as_bytes()));
    let run_key = format!("{}:{input_hash}", scenario.id);
    Fingerprint {
        input_hash,
        run_key,
    }
}

/// Compact JSON with every object's keys in sorted (byte) order, whatever order the value was
/// built in and whether or not `serde_json` preserves insertion order.
pub fn canonical_json(value: &Value) -> String {
    // Serialising a `Value` cannot fail.
    serde_json::to_string(&sorted(value)).unwrap_or_default()
}

fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            let mut out = Map::with_capacity(entries.len());
            for (k, v) in entries {
                out.insert(k.clone(), sorted(v));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::scenarios::fixtures::{scenario, settings};

    #[test]
    fn canonical_json_sorts_keys_at_every_depth_and_is_compact() {
        let v: Value =
            serde_json::from_str(r#"{ "b": 1, "a": {"z": [ {"y": 2, "x": 1} ], "c": null} }"#)
                .unwrap();
        assert_eq!(
            canonical_json(&v),
            r#"{"a":{"c":null,"z":[{"x":1,"y":2}]},"b":1}"#
        );
    }

    #[test]
    fn key_order_in_the_input_does_not_change_the_hash() {
        let s1 = scenario(
            json!({"assumptions": [{"driver_type": "fleet_change", "payload":
            {"fleet_id": "f", "change_type": "add", "effective_date": "2025-06-01",
             "capacity_mw": 120}}]}),
        );
        let s2 = scenario(json!({"assumptions": [{"payload": {"capacity_mw": 120.0,
            "effective_date": "2025-06-01", "change_type": "ADD", "fleet_id": "f"},
            "driver_type": "fleet_change"}]}));
        let o1 = settings(
            json!({"parameters": {"b": 1, "a": {"y": 1, "x": 2}}, "environment": {"k": "v"}}),
        );
        let o2 = settings(
            json!({"environment": {"k": "v"}, "parameters": {"a": {"x": 2, "y": 1}, "b": 1}}),
        );
        assert_eq!(fingerprint(&s1, &o1), fingerprint(&s2, &o2));
    }

    #[test]
    fn the_hash_is_the_sha256_of_the_documented_fields() {
        let s = scenario(json!({}));
        let o = settings(json!({"seed": 7, "code_version": "v1"}));
        let expected = format!(
            concat!(
                r#"{{"assumptions":[],"code_version":"v1","environment":{{}},"parameters":{{}},"#,
                r#""scenario_id":"{}","scenario_version":1,"seed":7,"tenant_id":"acme","#,
                r#""unique_key":"acme:base-case"}}"#
            ),
            s.id
        );
        let print = fingerprint(&s, &o);
        assert_eq!(
            print.input_hash,
            hex::encode(Sha256::digest(expected.as_bytes()))
        );
        assert_eq!(print.input_hash.len(), 64);
        assert_eq!(print.run_key, format!("{}:{}", s.id, print.input_hash));
    }

    #[test]
    fn every_listed_input_changes_the_hash() {
        let base = fingerprint(&scenario(json!({})), &settings(json!({})));
        let mut bumped = scenario(json!({}));
        bumped.version = 2;
        let variants = [
            fingerprint(&bumped, &settings(json!({}))),
            fingerprint(&scenario(json!({"name": "Other"})), &settings(json!({}))),
            fingerprint(
                &scenario(json!({"assumptions": [
                    {"driver_type": "policy", "payload": {"policy_name": "p"}}
                ]})),
                &settings(json!({})),
            ),
            fingerprint(&scenario(json!({})), &settings(json!({"seed": 1}))),
            fingerprint(
                &scenario(json!({})),
                &settings(json!({"code_version": "x"})),
            ),
            fingerprint(
                &scenario(json!({})),
                &settings(json!({"parameters": {"a": 1}})),
            ),
            fingerprint(
                &scenario(json!({})),
                &settings(json!({"environment": {"a": "1"}})),
            ),
        ];
        for (i, v) in variants.iter().enumerate() {
            assert_ne!(v.input_hash, base.input_hash, "variant {i}");
        }
    }

    #[test]
    fn pricing_date_and_scheduling_options_are_not_inputs() {
        let base = fingerprint(&scenario(json!({})), &settings(json!({})));
        let other = settings(
            json!({"asof_date": "2025-01-02", "curve_keys": ["k"], "priority": "low",
            "timeout_minutes": 5, "max_retries": 0, "idempotency_key": "x"}),
        );
        assert_eq!(fingerprint(&scenario(json!({})), &other), base);
    }
}
