//! `hubtriage generate`: deterministic synthetic findings as ASFF or JSON lines.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::ValueEnum;

use super::Outcome;
use crate::generate::{self, GenOptions};

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum GenFormat {
    /// {"Findings": [...]}, compact
    Asff,
    /// one finding per line
    Jsonl,
}

/// `ocsf`: the percentage of findings written in their OCSF (Security Hub V2) form; 0 writes what
/// `generate` always wrote, byte for byte.
pub(super) fn gen(count: usize, seed: u64, format: GenFormat, output: Option<PathBuf>, ocsf: u8) -> Result<Outcome> {
    let opts = GenOptions { count, seed, ..GenOptions::default() };
    let findings = generate::ocsf::generate_mixed(&opts, ocsf);
    let sink: Box<dyn Write> = match &output {
        Some(p) => Box::new(std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut w = std::io::BufWriter::new(sink);
    match format {
        GenFormat::Asff => {
            w.write_all(b"{\"Findings\":[")?;
            for (i, f) in findings.enumerate() {
                if i > 0 {
                    w.write_all(b",")?;
                }
                serde_json::to_writer(&mut w, &f)?;
            }
            w.write_all(b"]}\n")?;
        }
        GenFormat::Jsonl => {
            for f in findings {
                serde_json::to_writer(&mut w, &f)?;
                w.write_all(b"\n")?;
            }
        }
    }
    w.flush()?;
    Ok(Outcome::Ok)
}
