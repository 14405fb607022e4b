//! A curve row as read from a file, before validation: every canonical column as optional text.

/// One input row by canonical column name (DOMAIN.md §1). Absent columns and empty cells are
/// `None`; values are untrimmed text exactly as read. Unknown columns are not kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawCurveRow {
    pub asof_date: Option<String>,
    pub source_file: Option<String>,
    pub sheet_name: Option<String>,
    pub asset_class: Option<String>,
    pub region: Option<String>,
    pub iso: Option<String>,
    pub location: Option<String>,
    pub market: Option<String>,
    pub product: Option<String>,
    pub block: Option<String>,
    pub spark_location: Option<String>,
    pub price_type: Option<String>,
    pub units_raw: Option<String>,
    pub currency: Option<String>,
    pub per_unit: Option<String>,
    pub tenor_type: Option<String>,
    pub contract_month: Option<String>,
    pub tenor_label: Option<String>,
    pub value: Option<String>,
    pub bid: Option<String>,
    pub ask: Option<String>,
    pub mid: Option<String>,
    /// Bid/ask as one text cell, e.g. `45.25 / 47.75` (a single number is both sides).
    pub bid_ask: Option<String>,
    pub curve_key: Option<String>,
}

impl RawCurveRow {
    /// Canonical column names, in the order the demo generator and exports write them.
    pub const COLUMNS: [&'static str; 24] = [
        "asof_date",
        "source_file",
        "sheet_name",
        "asset_class",
        "region",
        "iso",
        "location",
        "market",
        "product",
        "block",
        "spark_location",
        "price_type",
        "units_raw",
        "currency",
        "per_unit",
        "tenor_type",
        "contract_month",
        "tenor_label",
        "value",
        "bid",
        "ask",
        "mid",
        "bid_ask",
        "curve_key",
    ];

    /// The slot for a canonical column name (exact, lowercase), or `None` for unknown columns.
    pub fn slot_mut(&mut self, column: &str) -> Option<&mut Option<String>> {
        Some(match column {
            "asof_date" => &mut self.asof_date,
            "source_file" => &mut self.source_file,
            "sheet_name" => &mut self.sheet_name,
            "asset_class" => &mut self.asset_class,
            "region" => &mut self.region,
            "iso" => &mut self.iso,
            "location" => &mut self.location,
            "market" => &mut self.market,
            "product" => &mut self.product,
            "block" => &mut self.block,
            "spark_location" => &mut self.spark_location,
            "price_type" => &mut self.price_type,
            "units_raw" => &mut self.units_raw,
            "currency" => &mut self.currency,
            "per_unit" => &mut self.per_unit,
            "tenor_type" => &mut self.tenor_type,
            "contract_month" => &mut self.contract_month,
            "tenor_label" => &mut self.tenor_label,
            "value" => &mut self.value,
            "bid" => &mut self.bid,
            "ask" => &mut self.ask,
            "mid" => &mut self.mid,
            "bid_ask" => &mut self.bid_ask,
            "curve_key" => &mut self.curve_key,
            _ => return None,
        })
    }

    /// The value of a canonical column (same order as [`Self::COLUMNS`]).
    pub fn get(&self, index: usize) -> Option<&str> {
        let v = match index {
            0 => &self.asof_date,
            1 => &self.source_file,
            2 => &self.sheet_name,
            3 => &self.asset_class,
            4 => &self.region,
            5 => &self.iso,
            6 => &self.location,
            7 => &self.market,
            8 => &self.product,
            9 => &self.block,
            10 => &self.spark_location,
            11 => &self.price_type,
            12 => &self.units_raw,
            13 => &self.currency,
            14 => &self.per_unit,
            15 => &self.tenor_type,
            16 => &self.contract_month,
            17 => &self.tenor_label,
            18 => &self.value,
            19 => &self.bid,
            20 => &self.ask,
            21 => &self.mid,
            22 => &self.bid_ask,
            23 => &self.curve_key,
            _ => return None,
        };
        v.as_deref()
    }
}
