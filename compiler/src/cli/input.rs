//! Reading input files, shared by every subcommand.
//!
//! Everything a user can point flowc at is checked here before any stage sees it: missing and
//! unreadable files, directories, empty files, non-UTF-8 bytes (with the line, column and byte
//! offset of the first bad byte) and absurd sizes. Each problem is a diagnostic naming the file.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use std::sync::Arc;

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

use crate::diagnostics::{SourceText, line_col};

/// Inputs larger than this are refused rather than parsed: a state machine definition is capped
/// at 1 MB by AWS, so 16 MB leaves room for comments and formatting while keeping memory bounded.
pub const MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;

/// A state machine source (`.flow` or ASL JSON) larger than this is refused before it is
/// parsed. AWS deploys definitions of up to 1 MB, so 4 MiB leaves room for comments and
/// formatting; the bound keeps every command on any source within 10 s and 1 GiB on a 2-core
/// machine (measured: 16 MiB of minimal `.flow` states took 21 s and 2.1 GB, 16 MiB of JSON
/// values in an ASL `Result` 19 s and 1.3 GB; 4 MiB of either takes about a quarter).
pub const MAX_DEFINITION_BYTES: usize = 4 * 1024 * 1024;

/// What kind of source a file holds, decided by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// `.flow` source.
    Flow,
    /// ASL JSON (`.asl.json` or any `.json`).
    Asl,
}

/// A file read into memory as UTF-8 text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user wrote it; used in every message.
    pub name: String,
    pub path: PathBuf,
    pub text: String,
}

impl SourceFile {
    /// The kind of source, from the file extension.
    pub fn kind(&self) -> Result<InputKind, InputError> {
        kind_of(&self.path)
    }
}

/// Decides the input kind from the extension: `.flow` or `.json` (which covers `.asl.json`).
pub fn kind_of(path: &Path) -> Result<InputKind, InputError> {
    match path.extension().and_then(|e| e.to_str()) {
        Some("flow") => Ok(InputKind::Flow),
        Some("json") => Ok(InputKind::Asl),
        _ => Err(InputError::UnknownKind {
            file: path.display().to_string(),
        }),
    }
}

#[derive(Debug, Error, Diagnostic)]
pub enum InputError {
    #[error("cannot read `{file}`: no such file")]
    #[diagnostic(
        code(flowc::input::not_found),
        help("check the path; it is relative to the current directory")
    )]
    NotFound { file: String },

    #[error("cannot read `{file}`: {reason}")]
    #[diagnostic(
        code(flowc::input::unreadable),
        help("check that the file exists and that you may read it")
    )]
    Unreadable { file: String, reason: String },

    #[error("`{file}` is a directory, not a file")]
    #[diagnostic(
        code(flowc::input::is_directory),
        help("name a .flow or .asl.json file inside it")
    )]
    IsDirectory { file: String },

    #[error("`{file}` is empty")]
    #[diagnostic(
        code(flowc::input::empty),
        help("a .flow file needs a workflow and an .asl.json file a state machine object")
    )]
    Empty { file: String },

    #[error(
        "`{file}` is not valid UTF-8: byte 0x{byte:02X} at line {line}, column {column} (byte offset {offset})"
    )]
    #[diagnostic(
        code(flowc::input::not_utf8),
        help("flowc reads UTF-8 text; re-save the file as UTF-8")
    )]
    NotUtf8 {
        file: String,
        byte: u8,
        offset: usize,
        line: usize,
        column: usize,
        /// Decoded lossily, so the report can show the line with the bad byte.
        #[source_code]
        source_code: Arc<SourceText>,
        #[label("this byte is not valid UTF-8")]
        span: SourceSpan,
    },

    #[error("`{file}` is too large: flowc reads at most {limit} bytes from one file")]
    #[diagnostic(
        code(flowc::input::too_large),
        help("AWS caps a state machine definition at 1 MB; split the workflow")
    )]
    TooLarge { file: String, limit: u64 },

    #[error(
        "`{file}` is too large for a state machine: {size} bytes (flowc reads definitions of up to {limit} bytes)"
    )]
    #[diagnostic(
        code(flowc::input::definition_too_large),
        help(
            "AWS deploys state machine definitions of up to 1 MB; split the workflow into several state machines"
        )
    )]
    DefinitionTooLarge {
        file: String,
        size: usize,
        limit: usize,
    },

    #[error("`{file}`: flowc does not know what kind of file this is")]
    #[diagnostic(
        code(flowc::input::unknown_kind),
        help("name .flow sources `NAME.flow` and ASL files `NAME.asl.json`")
    )]
    UnknownKind { file: String },

    #[error("`flowc {command}` takes {expected}, not `{file}`")]
    #[diagnostic(code(flowc::input::wrong_kind), help("{help}"))]
    WrongKind {
        file: String,
        command: &'static str,
        expected: &'static str,
        help: &'static str,
    },
}

/// Reads `path` as UTF-8 text, refusing missing, empty, oversized and non-UTF-8 files.
pub fn read_source(path: &Path) -> Result<SourceFile, InputError> {
    let name = path.display().to_string();
    let bytes = read_capped(path).map_err(|err| match err {
        CappedReadError::Io(err) => io_error(&name, &err),
        CappedReadError::IsDirectory => InputError::IsDirectory { file: name.clone() },
        CappedReadError::TooLarge => InputError::TooLarge {
            file: name.clone(),
            limit: MAX_INPUT_BYTES,
        },
    })?;
    if bytes.len() > MAX_DEFINITION_BYTES {
        return Err(InputError::DefinitionTooLarge {
            file: name,
            size: bytes.len(),
            limit: MAX_DEFINITION_BYTES,
        });
    }
    let text = decode(&name, bytes)?;
    if text.trim().is_empty() {
        return Err(InputError::Empty { file: name });
    }
    Ok(SourceFile {
        name,
        path: path.to_path_buf(),
        text,
    })
}

/// Why [`read_capped`] read nothing.
#[derive(Debug)]
pub enum CappedReadError {
    Io(std::io::Error),
    IsDirectory,
    /// More than [`MAX_INPUT_BYTES`] bytes.
    TooLarge,
}

impl std::fmt::Display for CappedReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CappedReadError::Io(err) => err.fmt(f),
            CappedReadError::IsDirectory => f.write_str("it is a directory, not a file"),
            CappedReadError::TooLarge => write!(
                f,
                "it is larger than {MAX_INPUT_BYTES} bytes, the most flowc reads from one file"
            ),
        }
    }
}

/// Reads at most [`MAX_INPUT_BYTES`] from `path`, whatever size the file reports: a symlink
/// to `/dev/zero` reports 0, a FIFO reports nothing, and both are read as streams that stop at
/// the cap, so no input can make flowc read without end or hold more than the cap.
pub fn read_capped(path: &Path) -> Result<Vec<u8>, CappedReadError> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).map_err(CappedReadError::Io)?;
    // Asked of the opened file, so the answer is about what is read.
    if file.metadata().is_ok_and(|metadata| metadata.is_dir()) {
        return Err(CappedReadError::IsDirectory);
    }
    let mut bytes = Vec::new();
    file.take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(CappedReadError::Io)?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > MAX_INPUT_BYTES {
        return Err(CappedReadError::TooLarge);
    }
    Ok(bytes)
}

/// [`read_capped`] as UTF-8 text, for the files that are not sources (execution input, mock
/// files, conformance cases, test specs); the error says why in words.
pub fn read_text(path: &Path) -> Result<String, String> {
    let bytes = read_capped(path).map_err(|err| err.to_string())?;
    String::from_utf8(bytes).map_err(|err| {
        format!(
            "it is not UTF-8 text (byte offset {})",
            err.utf8_error().valid_up_to()
        )
    })
}

fn io_error(name: &str, err: &std::io::Error) -> InputError {
    match err.kind() {
        ErrorKind::NotFound => InputError::NotFound {
            file: name.to_owned(),
        },
        _ => InputError::Unreadable {
            file: name.to_owned(),
            reason: err.to_string(),
        },
    }
}

/// Decodes UTF-8, pointing at the first invalid byte when decoding fails.
fn decode(name: &str, bytes: Vec<u8>) -> Result<String, InputError> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(err) => {
            let offset = err.utf8_error().valid_up_to();
            let bytes = err.into_bytes();
            let byte = bytes.get(offset).copied().unwrap_or_default();
            // The lossy text has the same valid prefix byte for byte, so `offset` still points at
            // the bad byte, now a U+FFFD replacement character (3 bytes).
            let lossy = String::from_utf8_lossy(&bytes).into_owned();
            let (line, column) = line_col(&lossy, offset);
            Err(InputError::NotUtf8 {
                file: name.to_owned(),
                byte,
                offset,
                line,
                column,
                span: SourceSpan::from((offset, char::REPLACEMENT_CHARACTER.len_utf8())),
                source_code: Arc::new(SourceText::new(name, lossy)),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("writing fixture: {e}"));
        path
    }

    #[test]
    fn missing_file_is_not_found() {
        let err = read_source(Path::new("definitely/not/here.flow"));
        assert!(
            matches!(err, Err(InputError::NotFound { file }) if file == "definitely/not/here.flow")
        );
    }

    #[test]
    fn whitespace_only_file_is_empty() -> Result<(), std::io::Error> {
        let dir = tempfile::tempdir()?;
        let path = write(&dir, "blank.flow", b"  \n\t\n");
        assert!(matches!(read_source(&path), Err(InputError::Empty { .. })));
        Ok(())
    }

    #[test]
    fn invalid_utf8_reports_line_column_and_offset() -> Result<(), std::io::Error> {
        let dir = tempfile::tempdir()?;
        let path = write(&dir, "bad.flow", b"workflow x {\n  ab\xFFcd\n}\n");
        match read_source(&path) {
            Err(InputError::NotUtf8 {
                byte,
                offset,
                line,
                column,
                ..
            }) => {
                assert_eq!((byte, offset, line, column), (0xFF, 17, 2, 5));
            }
            other => panic!("expected NotUtf8, got {other:?}"),
        }
        Ok(())
    }

    #[test]
    fn directory_is_refused() -> Result<(), std::io::Error> {
        let dir = tempfile::tempdir()?;
        assert!(matches!(
            read_source(dir.path()),
            Err(InputError::IsDirectory { .. })
        ));
        Ok(())
    }

    #[test]
    fn kind_follows_extension() {
        assert_eq!(kind_of(Path::new("a.flow")).ok(), Some(InputKind::Flow));
        assert_eq!(kind_of(Path::new("a.asl.json")).ok(), Some(InputKind::Asl));
        assert!(kind_of(Path::new("a.yaml")).is_err());
    }
}
