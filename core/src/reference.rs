//! Reference data (DOMAIN §5), pure and embedded in the binary: ISO trading calendars with
//! their blocks and DST-aware hour expansion, the ISO nodes (locations) and listings of the
//! units map. The shell serves these under `/v1/metadata/…`; nothing here does I/O.

pub mod calendars;
pub mod hours;
pub mod locations;
pub mod rules;
pub mod units;

pub use calendars::{Calendar, CalendarDataError, CalendarError, Calendars};
pub use hours::{HourStart, MAX_EXPAND_DAYS};
pub use locations::{Location, Locations, LocationsError};
pub use rules::{Block, HourRange, InvalidBlockRule, Rule};
pub use units::{UnitEntry, UnitMapping, units_list, units_mapping};
