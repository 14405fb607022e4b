//! Demo curve catalog: power curves for every ISO hub/zone of the embedded `iso_nodes.csv`
//! (DA and RT × `ON_PEAK`, `OFF_PEAK`, `ATC`), plus gas hubs, carbon allowances and RECs, each with
//! its price family, units and the way its vendor quotes it.

use super::model::{
    FLAT, Family, GAS_EUROPE, GAS_MID_ATLANTIC, GAS_NORTHEAST, GAS_US, OFF_CAISO, OFF_ERCOT,
    OFF_STANDARD, ON_CAISO, ON_ERCOT, ON_STANDARD, POWER_AESO, POWER_CAISO, POWER_ERCOT,
    POWER_ISONE, POWER_SUMMER, PeakShape, Season, fnv1a,
};

const ISO_NODES: &str = include_str!("../../data/iso_nodes.csv");

/// Power delivery block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Block {
    OnPeak,
    OffPeak,
    Atc,
}

impl Block {
    const ALL: [Self; 3] = [Self::OnPeak, Self::OffPeak, Self::Atc];

    fn code(self) -> &'static str {
        match self {
            Self::OnPeak => "ON_PEAK",
            Self::OffPeak => "OFF_PEAK",
            Self::Atc => "ATC",
        }
    }
}

/// Which price columns a curve's vendor fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Quote {
    /// `bid` and `ask`; `mid` left for ingestion to derive.
    BidAsk,
    /// `value` only.
    Value,
    /// The `bid_ask` text cell, e.g. `45.25 / 47.75`.
    BidAskText,
}

/// One demo curve: identity cells (cloned into every row) and how it is priced and quoted.
#[derive(Debug, Clone)]
pub(super) struct Curve {
    pub(super) family: usize,
    pub(super) sheet_name: Option<String>,
    pub(super) asset_class: Option<String>,
    pub(super) region: Option<String>,
    pub(super) iso: Option<String>,
    pub(super) location: Option<String>,
    pub(super) market: Option<String>,
    pub(super) product: Option<String>,
    pub(super) block_code: Option<String>,
    pub(super) units_raw: Option<String>,
    pub(super) currency: Option<String>,
    pub(super) per_unit: Option<String>,
    pub(super) price_type: &'static str,
    pub(super) block: Option<Block>,
    pub(super) realtime: bool,
    pub(super) quote: Quote,
    pub(super) decimals: usize,
    /// Whether the vendor sometimes sends `Calendar`/`Qn` strip rows for this curve.
    pub(super) vendor_strips: bool,
}

/// All demo curves and their price families, in row order.
#[derive(Debug, Clone)]
pub(super) struct Catalog {
    pub(super) families: Vec<Family>,
    pub(super) curves: Vec<Curve>,
}

struct IsoProfile {
    iso: &'static str,
    base: f64,
    season: &'static Season,
    on_premium: &'static Season,
    off_discount: &'static Season,
    units: &'static str,
}

const fn profile(iso: &'static str, base: f64, season: &'static Season) -> IsoProfile {
    IsoProfile {
        iso,
        base,
        season,
        on_premium: &ON_STANDARD,
        off_discount: &OFF_STANDARD,
        units: "$/MWh",
    }
}

/// Forward ATC day-ahead base prices per ISO (local currency per `MWh`).
const ISO_PROFILES: [IsoProfile; 8] = [
    profile("PJM", 58.0, &POWER_SUMMER),
    profile("MISO", 48.0, &POWER_SUMMER),
    profile("SPP", 40.0, &POWER_SUMMER),
    IsoProfile {
        on_premium: &ON_ERCOT,
        off_discount: &OFF_ERCOT,
        ..profile("ERCOT", 52.0, &POWER_ERCOT)
    },
    profile("NYISO", 62.0, &POWER_SUMMER),
    profile("ISONE", 68.0, &POWER_ISONE),
    IsoProfile {
        on_premium: &ON_CAISO,
        off_discount: &OFF_CAISO,
        ..profile("CAISO", 56.0, &POWER_CAISO)
    },
    IsoProfile {
        units: "CAD/MWh",
        ..profile("AESO", 85.0, &POWER_AESO)
    },
];

/// Known basis of some locations to their ISO's base price (by `location_id`).
const LOCATION_BASIS: [(&str, f64); 18] = [
    ("COMED", 0.86),
    ("50271", 1.08),
    ("PECO", 0.97),
    ("51192", 0.96),
    ("AECO", 0.98),
    ("51290", 0.99),
    ("NEMA", 1.03),
    ("SEMA", 1.01),
    ("HB_HOUSTON", 1.04),
    ("HB_NORTH", 0.98),
    ("TH_NP15", 1.05),
    ("TH_ZP26", 0.97),
    ("MINN.HUB", 0.88),
    ("MS.HUB", 0.95),
    ("MICHIGAN.HUB", 1.04),
    ("TEXAS.HUB", 0.93),
    ("SPP_NORTH", 0.92),
    ("SPP_SOUTH", 1.02),
];

struct Instrument {
    asset_class: &'static str,
    location: &'static str,
    iso: Option<&'static str>,
    /// Given only when there is no ISO to derive it from.
    region: Option<&'static str>,
    product: &'static str,
    base: f64,
    season: &'static Season,
    carry: f64,
    vol: f64,
    units: &'static str,
    /// Explicit currency and per-unit for units that are not in `units_map.csv`.
    currency: Option<(&'static str, &'static str)>,
    decimals: usize,
    quote: Quote,
    price_type: &'static str,
}

const fn gas(
    location: &'static str,
    iso: Option<&'static str>,
    base: f64,
    season: &'static Season,
) -> Instrument {
    Instrument {
        asset_class: "gas",
        location,
        iso,
        region: if iso.is_none() { Some("US") } else { None },
        product: "FWD",
        base,
        season,
        carry: 0.03,
        vol: 0.018,
        units: "$/MMBtu",
        currency: None,
        decimals: 3,
        quote: Quote::BidAsk,
        price_type: "MID",
    }
}

const fn european_gas(location: &'static str, base: f64, units: &'static str) -> Instrument {
    Instrument {
        units,
        decimals: 2,
        ..gas(location, Some(location), base, &GAS_EUROPE)
    }
}

const fn carbon(
    location: &'static str,
    iso: Option<&'static str>,
    base: f64,
    units: &'static str,
) -> Instrument {
    Instrument {
        asset_class: "carbon",
        region: if iso.is_none() { Some("US") } else { None },
        product: "FUT",
        season: &FLAT,
        carry: 0.04,
        vol: 0.015,
        units,
        decimals: 2,
        quote: Quote::Value,
        price_type: "SETTLE",
        ..gas(location, iso, base, &FLAT)
    }
}

const fn rec(location: &'static str, iso: &'static str, base: f64) -> Instrument {
    Instrument {
        asset_class: "renewable",
        product: "REC",
        carry: 0.0,
        vol: 0.006,
        units: "$/MWh",
        decimals: 2,
        quote: Quote::BidAskText,
        ..gas(location, Some(iso), base, &FLAT)
    }
}

const INSTRUMENTS: [Instrument; 17] = [
    Instrument {
        quote: Quote::Value,
        price_type: "SETTLE",
        ..gas("Henry Hub", None, 3.85, &GAS_US)
    },
    gas("TETCO M3", Some("PJM"), 3.55, &GAS_MID_ATLANTIC),
    gas("Chicago Citygate", Some("MISO"), 3.70, &GAS_US),
    gas("SoCal Citygate", Some("CAISO"), 4.70, &GAS_US),
    gas("Algonquin Citygates", Some("ISONE"), 4.10, &GAS_NORTHEAST),
    gas("Transco Z6 NY", Some("NYISO"), 3.60, &GAS_NORTHEAST),
    gas("Waha", Some("ERCOT"), 1.90, &GAS_US),
    european_gas("NBP", 30.50, "GBP/MWh"),
    european_gas("TTF", 33.00, "EUR/MWh"),
    european_gas("PEG", 33.80, "EUR/MWh"),
    Instrument {
        currency: Some(("EUR", "tonne")),
        ..carbon("ICE", Some("EUA"), 78.0, "EUR/tonne")
    },
    Instrument {
        currency: Some(("GBP", "tonne")),
        ..carbon("ICE", Some("UKA"), 46.0, "GBP/tonne")
    },
    carbon("ICE CCA", None, 31.0, "$/tonne"),
    carbon("ICE RGGI", None, 21.0, "$/ton"),
    rec("PJM-GATS", "PJM", 32.0),
    rec("ERCOT-RPS", "ERCOT", 2.40),
    rec("NEPOOL-GIS", "ISONE", 38.0),
];

fn sheet_for(asset_class: &str) -> &'static str {
    match asset_class {
        "power" => "Power",
        "gas" => "Gas",
        "carbon" => "Carbon",
        _ => "Renewables",
    }
}

/// Forward power locations from `iso_nodes.csv` (interfaces and unknown ISOs skipped): the
/// ISO, the `location` cell to write and the location's basis to its ISO base price.
fn power_nodes() -> Vec<(&'static IsoProfile, String, f64)> {
    let mut reader = csv::Reader::from_reader(ISO_NODES.as_bytes());
    let mut nodes = Vec::new();
    for record in reader.records().flatten() {
        let (Some(iso), Some(id), Some(name), Some(kind)) =
            (record.get(0), record.get(1), record.get(2), record.get(3))
        else {
            continue;
        };
        let Some(profile) = ISO_PROFILES.iter().find(|p| p.iso == iso) else {
            continue;
        };
        if kind == "INTERFACE" {
            continue;
        }
        let basis = LOCATION_BASIS
            .iter()
            .find(|(known, _)| *known == id)
            .map_or_else(
                || 0.97 + 0.06 * f64::from(fnv1a(id) % 1000) / 1000.0,
                |(_, b)| *b,
            );
        // Numeric pnode ids read badly as curve names; use the node name for those.
        let location = if id.bytes().all(|b| b.is_ascii_digit()) {
            name
        } else {
            id
        };
        nodes.push((profile, location.to_owned(), basis));
    }
    nodes
}

impl Catalog {
    pub(super) fn build() -> Self {
        let mut families = Vec::new();
        let mut curves = Vec::new();
        for (p, location, basis) in power_nodes() {
            let iso = p.iso;
            let family = families.len();
            families.push(Family {
                base: p.base * basis,
                season: p.season,
                carry: 0.02,
                level_vol: 0.012,
                front_vol: 0.008,
                peak: Some(PeakShape {
                    on_premium: p.on_premium,
                    off_discount: p.off_discount,
                }),
            });
            for realtime in [false, true] {
                for block in Block::ALL {
                    let quote = match (iso, realtime) {
                        ("NYISO" | "AESO", _) => Quote::BidAskText,
                        ("MISO" | "SPP", true) => Quote::Value,
                        _ => Quote::BidAsk,
                    };
                    curves.push(Curve {
                        family,
                        sheet_name: Some(sheet_for("power").to_owned()),
                        asset_class: Some("power".to_owned()),
                        region: None,
                        iso: Some(iso.to_owned()),
                        location: Some(location.clone()),
                        market: Some(if realtime { "RT" } else { "DA" }.to_owned()),
                        product: Some("FWD".to_owned()),
                        block_code: Some(block.code().to_owned()),
                        units_raw: Some(p.units.to_owned()),
                        currency: None,
                        per_unit: None,
                        price_type: "MID",
                        block: Some(block),
                        realtime,
                        quote,
                        decimals: 2,
                        vendor_strips: !realtime && block == Block::Atc,
                    });
                }
            }
        }
        for inst in &INSTRUMENTS {
            let family = families.len();
            families.push(Family {
                base: inst.base,
                season: inst.season,
                carry: inst.carry,
                level_vol: inst.vol,
                front_vol: inst.vol * 0.6,
                peak: None,
            });
            curves.push(Curve {
                family,
                sheet_name: Some(sheet_for(inst.asset_class).to_owned()),
                asset_class: Some(inst.asset_class.to_owned()),
                region: inst.region.map(str::to_owned),
                iso: inst.iso.map(str::to_owned),
                location: Some(inst.location.to_owned()),
                market: None,
                product: Some(inst.product.to_owned()),
                block_code: None,
                units_raw: Some(inst.units.to_owned()),
                currency: inst.currency.map(|(c, _)| c.to_owned()),
                per_unit: inst.currency.map(|(_, u)| u.to_owned()),
                price_type: inst.price_type,
                block: None,
                realtime: false,
                quote: inst.quote,
                decimals: inst.decimals,
                vendor_strips: inst.asset_class == "gas",
            });
        }
        Self { families, curves }
    }
}
