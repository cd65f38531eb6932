//! The `:` line's history file: one line run per line of text, oldest first, at most
//! `app::cmdline::MAX_HISTORY`. The worker reads it at start and writes it after each line that
//! runs; the terminal loop writes it once more at quit, after the last frame.

use std::io::Write;
use std::path::Path;

use crate::app::cmdline::MAX_HISTORY;

/// The lines of the file, oldest first; a missing file is an empty history. A line with a control
/// character (the file edited by hand) is left out: the `:` line never holds one.
pub fn read(path: &Path) -> Result<Vec<String>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let mut lines: Vec<String> =
        text.lines().filter(|l| !l.trim().is_empty() && !l.chars().any(char::is_control)).map(str::to_string).collect();
    let over = lines.len().saturating_sub(MAX_HISTORY);
    lines.drain(..over);
    Ok(lines)
}

/// Replaces the file with `entries` (the newest `MAX_HISTORY`), creating its directory. Written
/// to a temporary file renamed over it, so a reader never sees half a file; readable by its owner
/// only, as the lines name accounts and resources.
pub fn write(path: &Path, entries: &[String]) -> Result<(), String> {
    let fail = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let skip = entries.len().saturating_sub(MAX_HISTORY);
    let mut text = String::new();
    for line in entries.iter().skip(skip).filter(|l| !l.contains(['\n', '\r'])) {
        text.push_str(line);
        text.push('\n');
    }
    let tmp = path.with_extension(format!("tmp-{}-{:?}", std::process::id(), std::thread::current().id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(&tmp).and_then(|mut f| f.write_all(text.as_bytes()));
    if let Err(e) = written.and_then(|()| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(fail(e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_reads_back_the_newest_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state").join("command_history");
        assert_eq!(read(&path).unwrap(), Vec::<String>::new(), "no file yet");
        let entries: Vec<String> = (0..MAX_HISTORY + 3).map(|i| format!("sev>=high q{i}")).collect();
        write(&path, &entries).unwrap();
        let back = read(&path).unwrap();
        assert_eq!(back.len(), MAX_HISTORY);
        assert_eq!(back[0], "sev>=high q3");
        assert_eq!(back.last().unwrap(), &format!("sev>=high q{}", MAX_HISTORY + 2));
        std::fs::write(&path, "a\n\u{1b}[31mred\n\nb\n").unwrap();
        assert_eq!(read(&path).unwrap(), ["a", "b"], "control characters and blank lines left out");
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file left behind");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            write(&path, &["x".into()]).unwrap();
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }
}
