use super::*;

#[test]
fn slugs_lowercase_and_collapse_runs_of_other_characters() {
    assert_eq!(
        Slug::of("  Clean Power: 2030! ").as_str(),
        "clean-power-2030"
    );
    assert_eq!(Slug::of("a--b__c").as_str(), "a-b-c");
    assert_eq!(Slug::of("--Already-Slugged--").as_str(), "already-slugged");
}

#[test]
fn slugs_keep_unicode_letters_and_digits() {
    assert_eq!(Slug::of("Été 2025 — Base").as_str(), "été-2025-base");
    assert_eq!(Slug::of("東京 ケース").as_str(), "東京-ケース");
}

#[test]
fn a_name_without_letters_or_digits_slugs_to_scenario() {
    for name in ["", "   ", "!!!", "-_-"] {
        assert_eq!(Slug::of(name).as_str(), "scenario", "{name:?}");
    }
}

#[test]
fn unique_keys_join_the_tenant_and_the_slug() {
    let tenant = TenantId::parse("Acme").unwrap();
    let key = UniqueKey::new(&tenant, "Base Case (v2)");
    assert_eq!(key.as_str(), "acme:base-case-v2");
    assert_eq!(UniqueKey::parse(key.as_str()), Ok(key));
}

#[test]
fn unique_keys_reject_other_shapes() {
    for bad in [
        "acme",
        "Acme:base",
        "acme:Base",
        "acme:base-",
        ":base",
        "acme:",
        "a b:c",
    ] {
        assert_eq!(UniqueKey::parse(bad), Err(InvalidUniqueKey), "{bad:?}");
    }
}

#[test]
fn unique_keys_deserialise_only_when_valid() {
    let ok: UniqueKey = serde_json::from_str(r#""acme:base""#).unwrap();
    assert_eq!(ok.as_str(), "acme:base");
    assert!(serde_json::from_str::<UniqueKey>(r#""acme:Base""#).is_err());
}

#[test]
fn idempotency_keys_accept_the_documented_alphabet() {
    let all = "AZaz09_-.:/";
    assert_eq!(IdempotencyKey::parse(all).unwrap().as_str(), all);
    assert!(IdempotencyKey::parse(&"k".repeat(255)).is_ok());
}

#[test]
fn idempotency_keys_reject_empty_long_and_foreign_characters() {
    for bad in [
        "",
        " key",
        "key ",
        "a+b",
        "é",
        "a?b",
        "k".repeat(256).as_str(),
    ] {
        assert_eq!(
            IdempotencyKey::parse(bad),
            Err(InvalidIdempotencyKey),
            "{bad:?}"
        );
    }
}

#[test]
fn ids_parse_and_display_as_hyphenated_lowercase() {
    let raw = "0190F0A2-7C1E-7D3A-9B1E-5F0C2A4B6D8E";
    let id = ScenarioId::parse(raw).unwrap();
    assert_eq!(id.to_string(), raw.to_ascii_lowercase());
    assert_eq!(
        RunId::parse("nope"),
        Err(InvalidId { kind: "run_id" }),
        "a run id names itself in the error"
    );
    let json = serde_json::to_string(&id).unwrap();
    assert_eq!(json, format!("\"{}\"", raw.to_ascii_lowercase()));
    assert_eq!(serde_json::from_str::<ScenarioId>(&json).unwrap(), id);
}
