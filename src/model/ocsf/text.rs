//! A stored OCSF document edited as its text. BatchUpdateFindingsV2 changes only top-level members
//! (`comment`, `severity_id` with `severity`, `status_id` with `status`: `OcsfUpdate::apply`), so
//! an update need not parse the whole document into a `serde_json::Value` and serialise it again
//! (most of what it cost): the top-level members are found in the text, the few the update and the
//! row's changed columns read are parsed, and the changed ones are written over their old text
//! (a new one is appended), as the ASFF update splices its stored text (`raw::StoredDoc`).
//!
//! The stored text is compact JSON: serde_json's form of the document (`store::ocsf`), or for a
//! finding imported from a file the text as read (`raw::OcsfIncoming`). The members the update does
//! not change keep their text, so the edited text is exactly what the whole-`Value` path writes
//! for serde_json's form (`tests::the_text_edit_writes_what_the_value_edit_writes`), and reads as
//! the same document for the other.

use std::ops::Range;

use serde_json::{Map, Value};

use super::OcsfUpdate;
use crate::model::change::FieldChange;
use crate::model::scan::Scanner;

/// The top-level members `OcsfUpdate::apply` reads and writes, and `activity_id`, which the row's
/// record state reads beside `status_id` (`Ocsf::is_closed`).
pub const EDITED_MEMBERS: [&str; 6] = ["comment", "severity_id", "severity", "status_id", "status", "activity_id"];

/// A JSON object's top-level members, found in its text: each name and where its value is.
pub struct TopLevel<'a> {
    text: &'a str,
    members: Vec<(&'a str, Range<usize>)>,
    /// Where the object's closing brace is.
    close: usize,
}

impl<'a> TopLevel<'a> {
    /// The members of the object `text` holds (nothing after it); `None` when `text` is not one,
    /// or a member's name has an escape (the caller then parses the whole text).
    pub fn read(text: &'a str) -> Option<TopLevel<'a>> {
        let mut scan = Scanner::new(text, 0);
        let mut members = Vec::new();
        scan.object(|s, name| {
            let start = s.pos;
            s.skip_value()?;
            members.push((name, start..s.pos));
            Some(())
        })?;
        let close = scan.pos.checked_sub(1)?;
        if scan.skip_ws().is_some() || text.as_bytes().get(close) != Some(&b'}') {
            return None;
        }
        Some(TopLevel { text, members, close })
    }

    /// A member's value's text.
    pub fn get(&self, name: &str) -> Option<&'a str> {
        self.members.iter().find(|(n, _)| *n == name).map(|(_, r)| &self.text[r.clone()])
    }

    /// An object of the named members the document has, parsed.
    pub fn pick(&self, names: &[&str]) -> serde_json::Result<Value> {
        let mut out = Map::new();
        for (name, range) in &self.members {
            if names.contains(name) {
                out.insert((*name).to_string(), serde_json::from_str(&self.text[range.clone()])?);
            }
        }
        Ok(Value::Object(out))
    }
}

/// An update applied to a stored document's text.
pub struct TextEdit {
    /// What changed, member by member, as `OcsfUpdate::apply` answers.
    pub changes: Vec<FieldChange>,
    /// The `EDITED_MEMBERS` the document has after the update: what the changed row columns read.
    pub edited: Value,
}

impl OcsfUpdate {
    /// `apply` on a stored document's compact JSON text: the new text is written into `out` when
    /// anything changed. `None` when the text is not an object whose member names `TopLevel` reads
    /// (the caller applies the update to the whole `Value`).
    pub fn apply_to_text(&self, text: &str, out: &mut Vec<u8>) -> Option<serde_json::Result<TextEdit>> {
        let top = TopLevel::read(text)?;
        Some(self.apply_to_members(&top, out))
    }

    fn apply_to_members(&self, top: &TopLevel<'_>, out: &mut Vec<u8>) -> serde_json::Result<TextEdit> {
        let mut edited = top.pick(&EDITED_MEMBERS)?;
        let changes = self.apply(&mut edited);
        out.clear();
        if changes.is_empty() {
            return Ok(TextEdit { changes, edited });
        }
        let new_value = |name: &str| changes.iter().any(|c| c.field == name).then(|| &edited[name]);
        // Each changed member's value written over its old text, in the members' order...
        let mut copied = 0;
        for (name, range) in &top.members {
            if let Some(v) = new_value(name) {
                out.extend_from_slice(&top.text.as_bytes()[copied..range.start]);
                serde_json::to_writer(&mut *out, v)?;
                copied = range.end;
            }
        }
        out.extend_from_slice(&top.text.as_bytes()[copied..top.close]);
        // ...and the members it did not have appended, in the order `apply` inserts them.
        let mut any = !top.members.is_empty();
        for c in &changes {
            if top.get(&c.field).is_some() {
                continue;
            }
            if any {
                out.push(b',');
            }
            serde_json::to_writer(&mut *out, &c.field)?;
            out.push(b':');
            serde_json::to_writer(&mut *out, &edited[c.field.as_str()])?;
            any = true;
        }
        out.push(b'}');
        Ok(TextEdit { changes, edited })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::ocsf::tests::sample;
    use crate::model::ocsf::{SeverityId, StatusId};

    fn updates() -> Vec<OcsfUpdate> {
        let mut out = Vec::new();
        for comment in [None, Some("accepted \"risk\" \u{1b}é"), Some("x")] {
            for severity_id in [None, Some(SeverityId::Fatal), Some(SeverityId::High)] {
                for status_id in [None, Some(StatusId::Resolved), Some(StatusId::Archived)] {
                    out.push(OcsfUpdate { comment: comment.map(str::to_string), severity_id, status_id });
                }
            }
        }
        out
    }

    fn documents() -> Vec<Value> {
        let full = sample();
        let mut bare = full.clone();
        for m in ["comment", "severity_id", "severity", "status_id", "status"] {
            bare.as_object_mut().unwrap().remove(m);
        }
        let mut odd = full.clone();
        odd["severity_id"] = json!("4");
        odd["status"] = json!(null);
        odd["comment"] = json!({"nested": ["a", 1.5, 1e300]});
        vec![full, bare, odd, json!({}), json!({"metadata": {"uid": "m"}})]
    }

    #[test]
    fn the_text_edit_writes_what_the_value_edit_writes() {
        for doc in documents() {
            let text = serde_json::to_string(&doc).unwrap();
            for u in updates() {
                let mut whole = doc.clone();
                let changes = u.apply(&mut whole);
                let mut out = Vec::new();
                let edit = u.apply_to_text(&text, &mut out).unwrap().unwrap();
                assert_eq!(edit.changes, changes, "{u:?} on {text}");
                if changes.is_empty() {
                    assert!(out.is_empty());
                } else {
                    assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(&whole).unwrap(), "{u:?}");
                }
                for m in EDITED_MEMBERS {
                    assert_eq!(edit.edited.get(m), whole.get(m), "{m}");
                }
            }
        }
    }

    #[test]
    fn text_the_reader_does_not_take_is_left_to_the_value_path() {
        let u = OcsfUpdate { comment: Some("x".into()), ..Default::default() };
        for text in ["[1]", "{\"a\\u0062\":1}", "{\"a\":1} x", "{\"a\":1", "nope"] {
            assert!(u.apply_to_text(text, &mut Vec::new()).is_none(), "{text}");
        }
        let top = TopLevel::read(r#"{"a":{"b":[1,2]},"c":"d"}"#).unwrap();
        assert_eq!((top.get("a"), top.get("c"), top.get("e")), (Some(r#"{"b":[1,2]}"#), Some("\"d\""), None));
    }
}
