//! GetFindingsV2's `OcsfFindingFilters` (placeholder; filled in with the GetFindingsV2 request).
