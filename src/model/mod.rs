//! The findings model: ASFF documents, their typed summary, and the rules of the Security Hub APIs as
//! pure functions over JSON. No I/O.
pub mod change;
pub mod enums;
pub mod filter;
pub mod finding;
pub mod import;
pub mod raw;
pub mod sanitize;
pub mod timestamp;
pub mod update;
