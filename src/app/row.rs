//! One list row: the model's neutral finding summary (sanitised once when built), and the filter
//! fields a row answers exactly. Rows never carry documents; the live filter's lower-case copy of the
//! search fields lives in `RowStore`.

pub use crate::model::summary::FindingSummary as Row;

/// Filter fields a row answers exactly (its first resource alone would not answer resource filters):
/// derived from the field registry (`model::filter::fields`).
pub static IN_MEMORY_FIELDS: std::sync::LazyLock<Vec<&'static str>> =
    std::sync::LazyLock::new(|| crate::model::filter::fields::in_memory().collect());
