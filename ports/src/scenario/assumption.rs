//! Driver assumptions of a scenario: one typed payload per driver type, parsed from the raw
//! JSON a client sends with every problem listed (DOMAIN.md §2, assumption table).

mod reader;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{FieldProblem, FieldProblems};
use reader::Reader;

snake_enum!(
    /// The kind of driver an assumption describes; also the attribution component name.
    DriverType, "driver_type", {
        /// A named policy.
        Policy => "policy",
        /// Annual load growth, optionally phased in over years.
        LoadGrowth => "load_growth",
        /// A fuel price curve with a basis adjustment.
        FuelCurve => "fuel_curve",
        /// Capacity added to or retired from a fleet.
        FleetChange => "fleet_change",
    }
);

snake_enum!(
    /// Fuels a `fuel_curve` driver can reference.
    Fuel, "fuel", {
        /// Natural gas.
        NaturalGas => "natural_gas",
        /// Coal.
        Coal => "coal",
        /// Carbon allowances.
        Co2 => "co2",
        /// Oil.
        Oil => "oil",
    }
);

snake_enum!(
    /// Direction of a `fleet_change`.
    ChangeType, "change_type", {
        /// Capacity leaves the fleet.
        Retire => "retire",
        /// Capacity joins the fleet.
        Add => "add",
    }
);

/// The typed payload of an assumption; the variant is the driver type.
/// Serialised adjacently tagged: `{"driver_type": "policy", "payload": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "driver_type", content = "payload", rename_all = "snake_case")]
pub enum DriverPayload {
    /// A named policy.
    Policy {
        /// The policy's name (its length drives the effect).
        policy_name: String,
        /// First year the policy applies, 1900..=2100.
        #[serde(skip_serializing_if = "Option::is_none")]
        start_year: Option<i32>,
        /// Free text.
        #[serde(skip_serializing_if = "Option::is_none")]
        description: Option<String>,
    },
    /// Annual load growth.
    LoadGrowth {
        /// Growth in percent per year (2.5 means 2.5 %).
        annual_growth_pct: f64,
        /// Region the growth applies to.
        #[serde(skip_serializing_if = "Option::is_none")]
        region: Option<String>,
        /// First year of the ramp, 1900..=2100.
        #[serde(skip_serializing_if = "Option::is_none")]
        start_year: Option<i32>,
        /// Last year of the ramp, 1900..=2100.
        #[serde(skip_serializing_if = "Option::is_none")]
        end_year: Option<i32>,
        /// Curve whose level scales the effect.
        #[serde(skip_serializing_if = "Option::is_none")]
        reference_curve_key: Option<String>,
    },
    /// A fuel price curve.
    FuelCurve {
        /// Which fuel.
        fuel: Fuel,
        /// The series the fuel price follows.
        reference_series: String,
        /// Basis adjustment in basis points of the fuel baseline (default 0).
        basis_points_adjustment: f64,
        /// Curve to take the fuel baseline from instead of `reference_series`.
        #[serde(skip_serializing_if = "Option::is_none")]
        reference_curve_key: Option<String>,
    },
    /// Capacity added to or retired from a fleet.
    FleetChange {
        /// The fleet.
        fleet_id: String,
        /// Add or retire.
        change_type: ChangeType,
        /// When the change takes effect.
        effective_date: NaiveDate,
        /// Capacity in MW, > 0.
        capacity_mw: f64,
    },
}

impl DriverPayload {
    /// The driver type of this payload.
    pub const fn driver_type(&self) -> DriverType {
        match self {
            Self::Policy { .. } => DriverType::Policy,
            Self::LoadGrowth { .. } => DriverType::LoadGrowth,
            Self::FuelCurve { .. } => DriverType::FuelCurve,
            Self::FleetChange { .. } => DriverType::FleetChange,
        }
    }
}

/// An assumption exactly as a client sends it, before validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssumptionInput {
    /// `policy`, `load_growth`, `fuel_curve` or `fleet_change`.
    pub driver_type: String,
    /// The driver's fields, as a JSON object.
    #[serde(default)]
    pub payload: Value,
    /// Client's version label of this assumption.
    #[serde(default)]
    pub version: Option<String>,
}

/// A validated driver assumption. Only [`Assumption::parse`] (or deserialising, which calls
/// it) makes one, so every payload obeys its driver's rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "AssumptionInput")]
pub struct Assumption {
    #[serde(flatten)]
    payload: DriverPayload,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
}

/// Longest assumption version label, in characters.
const MAX_VERSION_LEN: usize = 64;

impl Assumption {
    /// Validates one assumption. Unknown payload fields are ignored (and dropped); numbers
    /// must be JSON numbers, years whole numbers in 1900..=2100, dates `YYYY-MM-DD`, and
    /// required text non-blank. Enumerated values are matched case-insensitively.
    ///
    /// # Errors
    /// Every problem found, each with a pointer relative to the assumption object
    /// (`/driver_type`, `/payload/capacity_mw`, `/version`); prefix them with
    /// [`FieldProblem::under`] to place them in a larger document.
    pub fn parse(
        driver_type: &str,
        payload: &Value,
        version: Option<&str>,
    ) -> Result<Self, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        if let Some(v) = version
            && (v.trim().is_empty() || v.chars().count() > MAX_VERSION_LEN)
        {
            problems.push(FieldProblem::new(
                "/version",
                format!("must be 1 to {MAX_VERSION_LEN} characters when given"),
            ));
        }
        let parsed = match driver_type.parse::<DriverType>() {
            Ok(kind) => match payload {
                Value::Object(fields) => parse_payload(kind, &mut Reader::new(fields)),
                _ => Err(vec![FieldProblem::new(
                    "/payload",
                    "must be a JSON object of the driver's fields",
                )]),
            },
            Err(_) => Err(vec![FieldProblem::new(
                "/driver_type",
                format!(
                    "unknown driver type '{driver_type}'; use one of policy, load_growth, \
                     fuel_curve, fleet_change"
                ),
            )]),
        };
        match parsed {
            Ok(payload) if problems.is_empty() => Ok(Self {
                payload,
                version: version.map(str::to_owned),
            }),
            Ok(_) => Err(problems),
            Err(mut more) => {
                more.append(&mut problems);
                Err(more)
            }
        }
    }

    /// Rebuilds an assumption from its serialised JSON (`{"driver_type", "payload",
    /// "version"?}`, as [`Serialize`] writes it), validating it like [`Assumption::parse`].
    ///
    /// # Errors
    /// Every problem found; a value that is not such an object is one problem at `""`.
    pub fn from_json(value: &Value) -> Result<Self, Vec<FieldProblem>> {
        let input: AssumptionInput = serde_json::from_value(value.clone())
            .map_err(|e| vec![FieldProblem::new("", e.to_string())])?;
        Self::parse(&input.driver_type, &input.payload, input.version.as_deref())
    }

    /// The driver type.
    pub const fn driver_type(&self) -> DriverType {
        self.payload.driver_type()
    }

    /// The typed payload.
    pub const fn payload(&self) -> &DriverPayload {
        &self.payload
    }

    /// The client's version label.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }
}

impl TryFrom<AssumptionInput> for Assumption {
    type Error = FieldProblems;

    fn try_from(input: AssumptionInput) -> Result<Self, Self::Error> {
        Self::parse(&input.driver_type, &input.payload, input.version.as_deref())
            .map_err(FieldProblems)
    }
}

fn parse_payload(kind: DriverType, r: &mut Reader<'_>) -> Result<DriverPayload, Vec<FieldProblem>> {
    let payload = match kind {
        DriverType::Policy => {
            let policy_name = r.required("policy_name", reader::text);
            let start_year = r.optional("start_year", reader::year);
            let description = r.optional("description", reader::any_text);
            policy_name.map(|policy_name| DriverPayload::Policy {
                policy_name,
                start_year,
                description,
            })
        }
        DriverType::LoadGrowth => {
            let annual_growth_pct = r.required("annual_growth_pct", reader::number);
            let region = r.optional("region", reader::any_text);
            let start_year = r.optional("start_year", reader::year);
            let end_year = r.optional("end_year", reader::year);
            let reference_curve_key = r.optional("reference_curve_key", reader::text);
            annual_growth_pct.map(|annual_growth_pct| DriverPayload::LoadGrowth {
                annual_growth_pct,
                region,
                start_year,
                end_year,
                reference_curve_key,
            })
        }
        DriverType::FuelCurve => {
            let fuel = r.required("fuel", reader::variant::<Fuel>);
            let reference_series = r.required("reference_series", reader::text);
            let bp = r.optional("basis_points_adjustment", reader::number);
            let reference_curve_key = r.optional("reference_curve_key", reader::text);
            fuel.zip(reference_series)
                .map(|(fuel, reference_series)| DriverPayload::FuelCurve {
                    fuel,
                    reference_series,
                    basis_points_adjustment: bp.unwrap_or(0.0),
                    reference_curve_key,
                })
        }
        DriverType::FleetChange => {
            let fleet_id = r.required("fleet_id", reader::text);
            let change_type = r.required("change_type", reader::variant::<ChangeType>);
            let effective_date = r.required("effective_date", reader::date);
            let capacity_mw = r.required("capacity_mw", reader::positive);
            match (fleet_id, change_type, effective_date, capacity_mw) {
                (Some(fleet_id), Some(change_type), Some(effective_date), Some(capacity_mw)) => {
                    Some(DriverPayload::FleetChange {
                        fleet_id,
                        change_type,
                        effective_date,
                        capacity_mw,
                    })
                }
                _ => None,
            }
        }
    };
    r.finish(payload)
}

#[cfg(test)]
mod tests;
