//! Writing what flowc produces: output files in place, stdout and stderr, and what happens when
//! they fail.
//!
//! - A regular file is replaced atomically (a temporary file in the same directory, renamed over
//!   it once complete, so an error or a crash never leaves a half-written file) and keeps its
//!   permission bits. A new file gets the usual `0666` less the umask.
//! - A symlink is written through: the file it points to is replaced, the link stays.
//! - A FIFO, a character device or a socket is written to as a stream (`-o /dev/stdout`,
//!   `-o fifo`), never replaced by a regular file.
//! - A write to stdout that fails (full disk, `> /dev/full`) is an [`OutputError`], which the
//!   command reports in one line and exits 1. A closed pipe (`flowc ... | head`) ends the output
//!   quietly, as it ends `cat` or `grep`: the reader has all it wanted.
//! - stderr that cannot be written (closed, full) is ignored: there is nowhere left to say
//!   anything, and the exit code still tells.

use std::fs::Permissions;
use std::io::Write;
use std::path::{Path, PathBuf};

use miette::Diagnostic;
use thiserror::Error;

use crate::diagnostics::{Emitter, Format};

#[derive(Debug, Error, Diagnostic)]
pub enum OutputError {
    #[error("cannot write `{file}`: {reason}")]
    #[diagnostic(
        code(flowc::output::write_failed),
        help(
            "check that the directory exists, that you may write to it and that the disk has room"
        )
    )]
    WriteFailed { file: String, reason: String },

    #[error("`{file}` is out of date")]
    #[diagnostic(code(flowc::output::stale), help("run `{command}` to update it"))]
    Stale { file: String, command: String },
}

impl OutputError {
    fn write_failed(file: &Path, reason: impl std::fmt::Display) -> Self {
        OutputError::WriteFailed {
            file: file.display().to_string(),
            reason: reason.to_string(),
        }
    }

    /// A failed write, said as the OS says it: tempfile's errors also name the temporary
    /// file, which the user never asked for.
    fn io(file: &Path, err: &std::io::Error) -> Self {
        match err.raw_os_error() {
            Some(code) => Self::write_failed(file, std::io::Error::from_raw_os_error(code)),
            None => Self::write_failed(file, err),
        }
    }
}

/// Writes `contents` to `path` as the module documentation says: regular files replaced
/// atomically keeping their mode, symlinks written through, streams written as streams.
pub fn write_file(path: &Path, contents: &[u8]) -> Result<(), OutputError> {
    write_file_with(path, |out| out.write_all(contents))
}

/// [`write_file`] of what `write` writes as it makes it (a text too large to hold whole, such
/// as a long execution history); a failed `write` leaves a replaced file as it was.
pub fn write_file_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), OutputError> {
    let target = resolve_symlinks(path)?;
    match std::fs::metadata(&target) {
        Ok(metadata) if metadata.is_dir() => Err(OutputError::write_failed(
            path,
            "it is a directory; name a file",
        )),
        Ok(metadata) if !metadata.is_file() => write_stream(path, &target, write),
        Ok(metadata) => replace_atomically(path, &target, write, Some(metadata.permissions())),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            replace_atomically(path, &target, write, None)
        }
        Err(err) => Err(OutputError::write_failed(path, err)),
    }
}

/// The file a chain of symlinks at `path` ends at (`path` itself when it is no link). A link to
/// a file that does not exist yet resolves to that file, which is then created.
fn resolve_symlinks(path: &Path) -> Result<PathBuf, OutputError> {
    let mut target = path.to_path_buf();
    // The kernel's own limit on links followed in one lookup (Linux's MAXSYMLINKS).
    for _ in 0..40 {
        match std::fs::symlink_metadata(&target) {
            Ok(metadata) if metadata.file_type().is_symlink() => {
                let link = std::fs::read_link(&target)
                    .map_err(|err| OutputError::write_failed(path, err))?;
                target = match target.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
            }
            _ => return Ok(target),
        }
    }
    Err(OutputError::write_failed(
        path,
        "too many levels of symbolic links",
    ))
}

/// Writes into an existing FIFO, device or socket without replacing it.
fn write_stream(
    path: &Path,
    target: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), OutputError> {
    let mut stream = std::fs::OpenOptions::new()
        .write(true)
        .open(target)
        .map_err(|err| OutputError::io(path, &err))?;
    write(&mut stream)
        .and_then(|()| stream.flush())
        .map_err(|err| OutputError::io(path, &err))
}

/// Temporary file beside `target`, then a rename over it. `permissions`: the replaced file's,
/// kept; `None` for a new file, which gets `0666` less the umask like any created file.
fn replace_atomically(
    path: &Path,
    target: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    permissions: Option<Permissions>,
) -> Result<(), OutputError> {
    let fail = |err: std::io::Error| OutputError::io(path, &err);
    let dir = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".flowc-").suffix(".tmp");
    #[cfg(unix)]
    if permissions.is_none() {
        use std::os::unix::fs::PermissionsExt as _;
        // Applied at creation, so the umask applies too.
        builder.permissions(Permissions::from_mode(0o666));
    }
    // The temporary file is deleted when dropped on any error below.
    let mut temp = builder.tempfile_in(dir).map_err(fail)?;
    write(&mut temp).map_err(fail)?;
    if let Some(permissions) = permissions {
        temp.as_file().set_permissions(permissions).map_err(fail)?;
    }
    temp.as_file().sync_all().map_err(fail)?;
    temp.persist(target).map_err(|err| fail(err.error))?;
    Ok(())
}

/// Writes `text` to stdout. A closed pipe is not an error (see the module documentation).
pub fn print_stdout(text: &str) -> Result<(), OutputError> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(err) => Err(OutputError::io(Path::new("<stdout>"), &err)),
    }
}

/// Writes one line to stderr; a stderr that cannot be written is ignored (where else to say
/// so?). Every message the CLI prints outside the diagnostic emitter goes through here:
/// `eprintln!` panics when stderr fails.
pub fn eprint_line(line: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr
        .write_all(line.as_bytes())
        .and_then(|()| stderr.write_all(b"\n"));
}

/// Reports an output error. A failed write is one line for people (`error[code]: cannot write
/// ...`: the reason says it all); anything else, and everything in `--message-format json`, is
/// the usual diagnostic.
pub fn report(emitter: &mut Emitter, error: &OutputError, file: &str) {
    match (emitter.format(), error) {
        (Format::Human { .. }, OutputError::WriteFailed { .. }) => {
            emitter.count_error();
            let code = error
                .code()
                .map(|code| code.to_string())
                .unwrap_or_default();
            eprint_line(&format!("error[{code}]: {error}"));
        }
        _ => emitter.emit_about(error, file),
    }
}

/// Whether `path` already holds exactly `contents` (a missing or unreadable file does not).
/// Reads no more than `contents` and one byte: `-o /dev/zero --check` is not an endless read.
pub fn is_up_to_date(path: &Path, contents: &[u8]) -> bool {
    use std::io::Read as _;
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let limit = u64::try_from(contents.len())
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let mut existing = Vec::with_capacity(contents.len());
    file.take(limit).read_to_end(&mut existing).is_ok() && existing == contents
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
        write_file(&target, b"new")?;
        assert_eq!(std::fs::read_to_string(&target)?, "new");
        assert_eq!(std::fs::read_dir(dir.path())?.count(), 1);
        Ok(())
    }

    #[test]
    fn write_into_missing_directory_fails_cleanly() {
        let err = write_file(Path::new("/nonexistent-flowc-dir/out.json"), b"x");
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
        assert!(!is_up_to_date(&target, b""));
        assert!(!is_up_to_date(&target, b"ab"));
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn mode_symlinks_and_devices_survive_a_write() -> Result<(), Box<dyn std::error::Error>> {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir()?;
        let file = dir.path().join("real.json");
        std::fs::write(&file, "old")?;
        std::fs::set_permissions(&file, Permissions::from_mode(0o644))?;
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink("real.json", &link)?;
        write_file(&link, b"new")?;
        assert!(std::fs::symlink_metadata(&link)?.file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&file)?, "new");
        assert_eq!(
            std::fs::metadata(&file)?.permissions().mode() & 0o777,
            0o644
        );
        write_file(Path::new("/dev/null"), b"into the void")?;
        assert!(!std::fs::metadata("/dev/null")?.is_file());
        Ok(())
    }
}
