//! The findings model: ASFF documents, their identity (`finding::FindingId`), the neutral summary
//! both formats map into (`summary`), the detail view (`detail`), the rules of the Security Hub
//! APIs as pure functions over JSON, and the operations' request and response JSON (`wire`). No I/O.
pub mod call;
pub mod change;
pub mod control;
pub mod detail;
pub mod enums;
pub mod filter;
pub mod finding;
pub mod history;
pub mod import;
pub mod ocsf;
pub mod plan;
pub mod raw;
pub mod resource;
pub mod sanitize;
pub mod scan;
pub mod source;
pub mod summary;
pub mod timestamp;
pub mod undo;
pub mod update;
pub mod wire;
pub mod words;

/// The 64-bit FNV-1a hash of some bytes: cheap for the short names and Ids it is used on. The
/// store keeps it (`store::id_hash`), so it must never change.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}
