use proptest::prelude::*;

use super::*;

/// `printf '%s' 'power|pjm|us|west hub|da|||' | sha256sum`
const PJM_WEST_DA: &str = "45ed4b8dacf37f0a57b2374b2599ffa9f2a0ba15234ca1a4051dc62e0a9f74c3";

fn pjm_west(location: &str) -> CurveIdentity<'_> {
    CurveIdentity {
        asset_class: AssetClass::Power,
        iso: Some("PJM"),
        region: Some("US"),
        location: Some(location),
        market: Some("DA"),
        product: None,
        block: None,
        spark_location: None,
    }
}

#[test]
fn curve_key_is_the_sha256_of_the_normalised_identity() {
    assert_eq!(
        derive_curve_key(&pjm_west("West Hub")).as_str(),
        PJM_WEST_DA
    );
}

#[test]
fn curve_key_ignores_case_padding_and_whitespace_runs() {
    let messy = CurveIdentity {
        iso: Some(" pjm "),
        region: Some("us"),
        market: Some("\tda"),
        ..pjm_west("  WEST \t  hub ")
    };
    assert_eq!(derive_curve_key(&messy).as_str(), PJM_WEST_DA);
}

#[test]
fn missing_and_blank_fields_hash_as_empty() {
    let blank = CurveIdentity {
        product: Some("   "),
        block: Some(""),
        ..pjm_west("West Hub")
    };
    assert_eq!(derive_curve_key(&blank).as_str(), PJM_WEST_DA);
}

#[test]
fn preimage_joins_the_eight_fields_with_pipes() {
    let mut out = String::new();
    let id = CurveIdentity {
        spark_location: Some("Ünïcode  Hub"),
        ..pjm_west("West Hub")
    };
    id.write_preimage(&mut out);
    assert_eq!(out, "power|pjm|us|west hub|da|||ünïcode hub");
}

#[test]
fn cache_hashes_each_identity_once_and_agrees_with_the_function() {
    let mut cache = CurveKeyCache::new();
    let a = cache.derive(&pjm_west("West Hub"));
    let b = cache.derive(&pjm_west("west  hub"));
    assert_eq!(a.as_str(), PJM_WEST_DA);
    assert_eq!(a, b);
    assert!(Arc::ptr_eq(a.shared(), b.shared()));
    assert_eq!(cache.len(), 1);
}

#[test]
fn cache_validates_given_keys() {
    let mut cache = CurveKeyCache::new();
    assert_eq!(
        cache.given(" vendor:KEY-1 ").unwrap().as_str(),
        "vendor:KEY-1"
    );
    assert!(cache.given("bad key").is_err());
}

/// Random case and white-space padding of the same word sequence.
fn respell(words: &[String], upper: &[bool], gaps: &[&'static str]) -> String {
    let mut out = String::from(gaps[0]);
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            out.push_str(gaps[i % gaps.len()]);
        }
        if upper[i % upper.len()] {
            out.push_str(&w.to_uppercase());
        } else {
            out.push_str(w);
        }
    }
    out.push_str(gaps[words.len() % gaps.len()]);
    out
}

fn gap() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![" ", "  ", "\t", " \t ", "\n "])
}

proptest! {
    #[test]
    fn curve_key_is_insensitive_to_case_and_whitespace_runs(
        fields in prop::collection::vec(prop::collection::vec("[a-z0-9_./-]{1,6}", 0..4), 7),
        upper in prop::collection::vec(any::<bool>(), 1..5),
        gaps in prop::collection::vec(gap(), 1..5),
    ) {
        let plain: Vec<String> = fields.iter().map(|w| w.join(" ")).collect();
        let messy: Vec<String> = fields.iter().map(|w| respell(w, &upper, &gaps)).collect();
        let id = |f: &[String]| -> CurveKey {
            derive_curve_key(&CurveIdentity {
                asset_class: AssetClass::Gas,
                iso: Some(&f[0]),
                region: Some(&f[1]),
                location: Some(&f[2]),
                market: Some(&f[3]),
                product: Some(&f[4]),
                block: Some(&f[5]),
                spark_location: Some(&f[6]),
            })
        };
        prop_assert_eq!(id(&plain), id(&messy));
    }
}
