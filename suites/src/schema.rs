//! The official JSON Schema of each protocol revision (`suites/schemas/<revision>.schema.json`, provenance in
//! `suites/schemas/README.md`), embedded at compile time.

use crate::REVISIONS;

const SCHEMA_FILES: [(&str, &str); 4] = [
    (REVISIONS[0], include_str!("../schemas/2025-03-26.schema.json")),
    (REVISIONS[1], include_str!("../schemas/2025-06-18.schema.json")),
    (REVISIONS[2], include_str!("../schemas/2025-11-25.schema.json")),
    (REVISIONS[3], include_str!("../schemas/2026-07-28.schema.json")),
];

/// The text of the official `schema.json` of `revision` (`"2025-11-25"`), or `None` for a revision without one.
pub fn official_schema(revision: &str) -> Option<&'static str> {
    SCHEMA_FILES.iter().find(|(r, _)| *r == revision).map(|(_, text)| *text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_revision_has_a_json_schema() {
        for rev in REVISIONS {
            let text = official_schema(rev).unwrap_or_else(|| panic!("no schema for {rev}"));
            let doc: serde_json::Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{rev}: {e}"));
            assert!(doc.get("$defs").or_else(|| doc.get("definitions")).is_some(), "{rev}");
        }
        assert!(official_schema("2024-11-05").is_none());
    }
}
