//! The files findings are written to: JSON (`{"Findings": [...]}`, what `import` reads back) and
//! CSV (one record per finding, for spreadsheets), chosen by the file's extension. Shared by
//! `hubtriage findings` and the workbench's `:export`.

use std::io::{self, Write};
use std::path::Path;

use serde_json::Value;

use crate::model::finding::Summary;
use crate::model::sanitize;

/// A findings file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Json,
    Csv,
}

impl ExportFormat {
    /// `.csv` (any case) is CSV; anything else is JSON, which `import` reads back.
    pub fn for_path(path: &Path) -> ExportFormat {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("csv") => ExportFormat::Csv,
            _ => ExportFormat::Json,
        }
    }

    pub fn write(self, found: &[Value], out: &mut impl Write) -> io::Result<()> {
        let mut w = FindingsWriter::new(self, out)?;
        for doc in found {
            w.write(doc)?;
        }
        w.finish()
    }
}

/// `{"Findings": [...]}`, pretty, with every character a terminal acts on escaped.
pub fn write_json(found: &[Value], out: &mut impl Write) -> io::Result<()> {
    ExportFormat::Json.write(found, out)
}

/// One record per finding: its summary columns, each cell sanitised as the table's are.
pub fn write_csv(found: &[Value], out: &mut impl Write) -> io::Result<()> {
    ExportFormat::Csv.write(found, out)
}

/// The CSV header: the summary columns of `FindingsWriter`'s records.
/// `Format` is last, so the ASFF columns keep their places; an OCSF finding's row is its neutral
/// summary (`FindingSummary::from_ocsf`: `metadata.uid`, `metadata.product.uid`, its own severity
/// and status text such as FATAL or IN_PROGRESS).
const CSV_HEADER: [&str; 15] = [
    "Id",
    "ProductArn",
    "SeverityLabel",
    "WorkflowStatus",
    "RecordState",
    "AwsAccountId",
    "Region",
    "ProductName",
    "ResourceType",
    "ResourceId",
    "ComplianceStatus",
    "SecurityControlId",
    "Title",
    "UpdatedAt",
    "Format",
];

/// One finding made ready for a `FindingsWriter`: the costly part of writing it (summary, escaping,
/// pretty-printing), which can run on any thread.
pub enum Rendered {
    /// Pretty JSON, indented to sit in the envelope's list.
    Json(String),
    /// The CSV record's cells, sanitised.
    Csv(Vec<String>),
}

/// `doc` rendered for `format`.
pub fn render(format: ExportFormat, doc: &Value) -> io::Result<Rendered> {
    Ok(match format {
        ExportFormat::Json => {
            // Pretty-printed on its own, then indented two levels: inside the envelope's list. Pretty
            // JSON has no newline inside a string (they are escaped), so indenting by line is exact.
            let text = sanitize::json::to_string_pretty(doc).map_err(io::Error::from)?;
            let mut out = String::with_capacity(text.len() + text.len() / 8);
            for (i, line) in text.split('\n').enumerate() {
                if i > 0 {
                    out.push('\n');
                }
                out.push_str("    ");
                out.push_str(line);
            }
            Rendered::Json(out)
        }
        ExportFormat::Csv if crate::model::finding::Format::of(doc) == Some(crate::model::finding::Format::Ocsf) => {
            let s = crate::model::summary::FindingSummary::from_ocsf(doc);
            let cells = [
                s.key.display_id(),
                crate::model::ocsf::Ocsf(doc).product_uid(),
                s.severity_text(),
                s.workflow_text(),
                s.record_state.map_or("", |l| l.as_str()),
                &s.account,
                &s.region,
                &s.product,
                &s.resource_type,
                &s.resource_id,
                s.compliance.map_or("", |l| l.as_str()),
                &s.control_id,
                &s.title,
                &s.updated_at(),
                "ocsf",
            ];
            Rendered::Csv(cells.iter().map(|c| sanitize::line(c).into_owned()).collect())
        }
        ExportFormat::Csv => {
            let s = Summary::of(doc);
            // Provider text, shown as the table shows it: a CSV piped to a terminal (or opened by a
            // pager) must not let a title's escape sequences act. Newlines in a value become spaces,
            // so each finding stays one line.
            let cells = [
                s.id.as_str(),
                &s.product_arn,
                s.severity_label.map_or("", |l| l.as_str()),
                s.workflow_status.map_or("", |l| l.as_str()),
                s.record_state.map_or("", |l| l.as_str()),
                &s.aws_account_id,
                &s.region,
                &s.product_name,
                &s.resource_type,
                &s.resource_id,
                s.compliance_status.map_or("", |l| l.as_str()),
                &s.control_id,
                &s.title,
                &s.updated_at,
                "asff",
            ];
            Rendered::Csv(cells.iter().map(|c| sanitize::line(c).into_owned()).collect())
        }
    })
}

/// Writes findings one at a time as they are read, so a listing of any size holds one finding in
/// memory: the JSON is byte for byte what pretty-printing `{"Findings": [all of them]}` at once gives.
pub struct FindingsWriter<W: Write> {
    inner: Inner<W>,
    written: usize,
}

enum Inner<W: Write> {
    Json(W),
    Csv(Box<csv::Writer<W>>),
}

impl<W: Write> FindingsWriter<W> {
    /// Starts the file: the JSON envelope's opening or the CSV header.
    pub fn new(format: ExportFormat, mut out: W) -> io::Result<Self> {
        let inner = match format {
            ExportFormat::Json => {
                out.write_all(b"{\n  \"Findings\": [")?;
                Inner::Json(out)
            }
            ExportFormat::Csv => {
                let mut w = csv::Writer::from_writer(out);
                w.write_record(CSV_HEADER)?;
                Inner::Csv(Box::new(w))
            }
        };
        Ok(FindingsWriter { inner, written: 0 })
    }

    pub fn write(&mut self, doc: &Value) -> io::Result<()> {
        let format = match self.inner {
            Inner::Json(_) => ExportFormat::Json,
            Inner::Csv(_) => ExportFormat::Csv,
        };
        self.write_rendered(render(format, doc)?)
    }

    /// Writes a finding `render` made (possibly on another thread) for this writer's format.
    pub fn write_rendered(&mut self, rendered: Rendered) -> io::Result<()> {
        match (&mut self.inner, rendered) {
            (Inner::Json(out), Rendered::Json(text)) => {
                out.write_all(if self.written == 0 { b"\n" } else { b",\n" })?;
                out.write_all(text.as_bytes())?;
            }
            (Inner::Csv(w), Rendered::Csv(cells)) => w.write_record(&cells)?,
            _ => return Err(io::Error::other("a finding rendered for another format")),
        }
        self.written += 1;
        Ok(())
    }

    /// Ends the file (the envelope's closing) and flushes it.
    pub fn finish(self) -> io::Result<()> {
        match self.inner {
            Inner::Json(mut out) => {
                out.write_all(if self.written == 0 { b"]\n}\n" } else { b"\n  ]\n}\n" })?;
                out.flush()
            }
            Inner::Csv(mut w) => w.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use serde_json::json;

    use super::*;

    // Streaming changes nothing in the file: for no finding, one, and several (with empty and nested
    // members), the JSON is what pretty-printing the whole envelope at once writes.
    #[test]
    fn streamed_json_is_the_whole_envelope_pretty_printed() {
        let docs = [
            json!({"Id": "a", "Types": [], "ProductFields": {}, "Resources": [{"Type": "Other", "Details": {"X": [1, {"y": null}]}}]}),
            json!({"Id": "b\nc \u{9b}", "Note": {"Text": "line one\nline two"}}),
            json!({"Id": "d"}),
        ];
        for n in 0..=docs.len() {
            let mut streamed = Vec::new();
            write_json(&docs[..n], &mut streamed).unwrap();
            let mut whole = Vec::new();
            sanitize::json::to_writer_pretty(&mut whole, &json!({"Findings": &docs[..n]})).unwrap();
            whole.push(b'\n');
            assert_eq!(String::from_utf8(streamed).unwrap(), String::from_utf8(whole).unwrap(), "{n} findings");
        }
    }

    #[test]
    fn the_extension_chooses_the_format() {
        assert_eq!(ExportFormat::for_path(&PathBuf::from("x.csv")), ExportFormat::Csv);
        assert_eq!(ExportFormat::for_path(&PathBuf::from("/tmp/X.CSV")), ExportFormat::Csv);
        assert_eq!(ExportFormat::for_path(&PathBuf::from("x.json")), ExportFormat::Json);
        assert_eq!(ExportFormat::for_path(&PathBuf::from("findings")), ExportFormat::Json);
    }

    /// Every character a terminal acts on: C0 controls, DEL, C1 controls.
    fn is_terminal_control(c: char) -> bool {
        c.is_control()
    }

    // Provider text reaches the CSV as it does the table: OSC 52 (clipboard), a window title, a
    // screen clear, BEL, BS, CR and C1 CSI/OSC are made visible and inert, the value still readable.
    #[test]
    fn csv_cells_cannot_drive_the_terminal() {
        let hostile = json!({
            "Id": "id-1\u{1b}]52;c;cHduZWQ=\u{7}",
            "ProductArn": "arn:aws:securityhub:us-east-1::product/aws/guardduty",
            "Title": "Open port\u{1b}]0;pwned\u{7}\u{1b}[2J\u{8}\u{8}\r\u{9b}31m\u{9d}2;x\u{9c}\nnext\tcol",
            "Resources": [{"Type": "AwsEc2Instance\u{7f}", "Id": "i-0abc\u{1b}[H"}],
            "UpdatedAt": "2024-01-01T00:00:00Z",
        });
        let mut out = Vec::new();
        write_csv(&[hostile], &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let records: Vec<&str> = text.strip_suffix('\n').unwrap().split('\n').collect();
        assert_eq!(records.len(), 2, "one header and one record, no newline inside a cell: {text:?}");
        for r in &records {
            assert!(!r.chars().any(is_terminal_control), "{r:?}");
        }
        let row = records[1];
        assert!(row.starts_with("id-1␛]52;c;cHduZWQ=␇,"), "{row}");
        assert!(row.contains("Open port␛]0;pwned␇␛[2J␈␈ \u{fffd}31m\u{fffd}2;x\u{fffd} next col"), "{row}");
        assert!(row.contains("AwsEc2Instance␡,i-0abc␛[H,"), "{row}");
    }

    // JSON escapes C0 controls itself; C1 controls (CSI, OSC), DEL and the bidi overrides and
    // isolates that reorder what the analyst reads are written as \u escapes too: the same value
    // when parsed, nothing raw for a terminal to act on.
    #[test]
    fn json_output_escapes_c1_del_and_bidi_and_parses_back_the_same() {
        let hostile = json!({
            "Id": "id\u{9b}2J\u{7f}",
            "Title": "abc\u{202e}fdp.exe\u{2066}x\u{2069}\u{202a}\u{202b}\u{202c}\u{202d}\u{2067}\u{2068}",
            "ProductFields": {"k\u{9d}0;t\u{9c}": "\u{85}\u{80}\u{9f}\u{1b}[31m ok … ✓ é"},
        });
        let mut out = Vec::new();
        write_json(std::slice::from_ref(&hostile), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let bad =
            |c: char| c.is_control() && c != '\n' || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        assert!(!text.chars().any(bad), "{text:?}");
        assert!(text.contains(r"abc\u202efdp.exe\u2066x"), "{text}");
        let parsed: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed, json!({"Findings": [hostile]}));
    }
}
