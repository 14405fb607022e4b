//! Region of a curve derived from its ISO or exchange code (DOMAIN.md §1): North American ISOs
//! map to `US` or `CA`, European hubs and carbon markets to `EU`, `AP` to `APAC`. When the ISO
//! is absent or not listed, the location is tried the same way (a `NBP` location with no ISO
//! is European).

/// Codes and their regions; matched case-insensitively after trimming.
const REGIONS: [(&str, &str); 17] = [
    ("PJM", "US"),
    ("MISO", "US"),
    ("SPP", "US"),
    ("ERCOT", "US"),
    ("NYISO", "US"),
    ("ISONE", "US"),
    ("CAISO", "US"),
    ("IESO", "CA"),
    ("AESO", "CA"),
    ("NBP", "EU"),
    ("TTF", "EU"),
    ("EUA", "EU"),
    ("CEGH", "EU"),
    ("PEG", "EU"),
    ("UKA", "EU"),
    ("EU", "EU"),
    ("AP", "APAC"),
];

/// The region of one code, if listed.
fn region_of(code: &str) -> Option<&'static str> {
    let code = code.trim();
    REGIONS
        .iter()
        .find(|(c, _)| code.eq_ignore_ascii_case(c))
        .map(|&(_, region)| region)
}

/// The region derived from `iso`, else from `location`, else `None`.
pub fn derive_region(iso: Option<&str>, location: Option<&str>) -> Option<&'static str> {
    iso.and_then(region_of)
        .or_else(|| location.and_then(region_of))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_iso_maps_to_its_region() {
        let cases = [
            ("PJM", "US"),
            ("miso", "US"),
            ("Spp", "US"),
            ("ERCOT", "US"),
            ("NYISO", "US"),
            ("ISONE", "US"),
            (" caiso ", "US"),
            ("IESO", "CA"),
            ("aeso", "CA"),
            ("NBP", "EU"),
            ("ttf", "EU"),
            ("EUA", "EU"),
            ("CEGH", "EU"),
            ("PEG", "EU"),
            ("UKA", "EU"),
            ("eu", "EU"),
            ("AP", "APAC"),
        ];
        for (iso, region) in cases {
            assert_eq!(derive_region(Some(iso), None), Some(region), "{iso}");
        }
    }

    #[test]
    fn location_is_tried_when_the_iso_is_absent_or_unlisted() {
        assert_eq!(derive_region(None, Some("TTF")), Some("EU"));
        assert_eq!(derive_region(Some("ICE"), Some("nbp")), Some("EU"));
        assert_eq!(derive_region(Some("PJM"), Some("TTF")), Some("US"));
    }

    #[test]
    fn unknown_codes_have_no_region() {
        assert_eq!(derive_region(Some("ICE"), Some("Henry Hub")), None);
        assert_eq!(derive_region(None, None), None);
        assert_eq!(derive_region(Some("PJM West"), None), None);
    }
}
