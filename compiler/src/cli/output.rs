//! Writing output files atomically: a temporary file in the destination directory, renamed over
//! the target only once it is complete, so a crash or error never leaves a half-written file.

use std::io::Write;
use std::path::Path;

use miette::Diagnostic;
use thiserror::Error;

#[derive(Debug, Error, Diagnostic)]
pub enum OutputError {
    #[error("cannot write `{file}`: {reason}")]
    #[diagnostic(
        code(flowc::output::write_failed),
        help("check that the directory exists and that you may write to it")
    )]
    WriteFailed { file: String, reason: String },

    #[error("`{file}` is out of date")]
    #[diagnostic(code(flowc::output::stale), help("run `{command}` to update it"))]
    Stale { file: String, command: String },
}

/// Replaces `path` with `contents` atomically (same-directory temp file, then rename).
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), OutputError> {
    let fail = |reason: String| OutputError::WriteFailed {
        file: path.display().to_string(),
        reason,
    };
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(".flowc-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| fail(e.to_string()))?;
    temp.write_all(contents).map_err(|e| fail(e.to_string()))?;
    temp.as_file().sync_all().map_err(|e| fail(e.to_string()))?;
    temp.persist(path).map_err(|e| fail(e.error.to_string()))?;
    Ok(())
}

/// Writes `text` to stdout; a closed pipe (`flowc ... | head`) is not an error worth a report.
pub fn print_stdout(text: &str) -> Result<(), OutputError> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(err) => Err(OutputError::WriteFailed {
            file: "<stdout>".to_owned(),
            reason: err.to_string(),
        }),
    }
}

/// Whether `path` already holds exactly `contents` (a missing file does not).
pub fn is_up_to_date(path: &Path, contents: &[u8]) -> bool {
    std::fs::read(path).is_ok_and(|existing| existing == contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_replaces_the_file_and_leaves_no_temp_files() -> Result<(), Box<dyn std::error::Error>>
    {
        let dir = tempfile::tempdir()?;
        let target = dir.path().join("out.asl.json");
        std::fs::write(&target, "old")?;
        write_atomic(&target, b"new")?;
        assert_eq!(std::fs::read_to_string(&target)?, "new");
        assert_eq!(std::fs::read_dir(dir.path())?.count(), 1);
        Ok(())
    }

    #[test]
    fn write_into_missing_directory_fails_cleanly() {
        let err = write_atomic(Path::new("/nonexistent-flowc-dir/out.json"), b"x");
        assert!(matches!(err, Err(OutputError::WriteFailed { .. })));
    }

    #[test]
    fn up_to_date_compares_bytes() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let target = dir.path().join("x");
        assert!(!is_up_to_date(&target, b"a"));
        std::fs::write(&target, "a")?;
        assert!(is_up_to_date(&target, b"a"));
        assert!(!is_up_to_date(&target, b"b"));
        Ok(())
    }
}
