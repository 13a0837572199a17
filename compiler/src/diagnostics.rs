//! Rendering diagnostics for people and for machines.
//!
//! Stages return their own error enums (each a `miette::Diagnostic`) holding spans but usually not
//! the source text; this module attaches the text of the file being reported on and renders:
//!
//! - `human`: miette's graphical report. Colour only when stderr is a terminal and `NO_COLOR` is
//!   unset; a fixed width of 100 columns so output is byte-identical across machines (tests rely on
//!   it). Lines longer than [`MAX_LINE_BYTES`] are shown as a window around the label, so a 1 MB
//!   line is reported in a few hundred bytes.
//! - `json`: one JSON object per diagnostic, one per line (JSON Lines) on stderr:
//!   `{"code","severity","message","file","line","column","span":{"offset","length"},"help",
//!   "labels":[{"message","line","column","span"}]}`. `line` and `column` are 1-based, columns
//!   count Unicode scalar values, `span` is in bytes; fields without a value are `null`.
//!   Related diagnostics (miette `#[related]`) are flattened into their own objects.

use std::fmt;
use std::io::{IsTerminal, Write};

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, Severity, SourceCode, SourceSpan, SpanContents,
};
use serde_json::{Value, json};

/// Lines longer than this are clipped to a window around the label when rendered.
pub const MAX_LINE_BYTES: usize = 400;
/// Bytes of context kept on each side of a label inside a clipped line.
const WINDOW_CONTEXT_BYTES: usize = 80;
/// Report width in columns; fixed so rendered output does not depend on the terminal.
pub const REPORT_WIDTH: usize = 100;

/// 1-based line and column (in Unicode scalar values) of a byte offset. Offsets past the end or
/// inside a multi-byte character are clamped to the nearest preceding character boundary.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset);
    let before = text.get(..offset).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut i = offset.min(text.len());
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char_boundary(text: &str, offset: usize) -> usize {
    let mut i = offset.min(text.len());
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Bytes between two checkpoints of [`SourceText::chars_before`].
const CHAR_CHECKPOINT_BYTES: usize = 4096;

/// The text of one input file, indexed by line, as a miette [`SourceCode`] that clips long lines.
#[derive(Debug, Clone)]
pub struct SourceText {
    name: String,
    text: String,
    /// Byte offset of the start of every line.
    line_starts: Vec<usize>,
    /// Characters before byte `k * CHAR_CHECKPOINT_BYTES`, for every `k`. Columns are counted in
    /// characters from the line's start; counting them by scanning the line made every
    /// diagnostic cost the length of its line, so 55,000 diagnostics on a one-line 1.5 MB
    /// definition took 12 s. With checkpoints a column costs at most two 4 KiB scans.
    char_checkpoints: Vec<usize>,
}

impl SourceText {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let char_checkpoints = std::iter::once(0)
            .chain(
                text.as_bytes()
                    .chunks(CHAR_CHECKPOINT_BYTES)
                    .map(count_char_starts)
                    .scan(0, |total, n| {
                        *total += n;
                        Some(*total)
                    }),
            )
            .collect();
        SourceText {
            name: name.into(),
            text,
            line_starts,
            char_checkpoints,
        }
    }

    /// Characters that start before byte `offset` (`offset` at most the text's length).
    fn chars_before(&self, offset: usize) -> usize {
        debug_assert!(offset <= self.text.len());
        let block = offset / CHAR_CHECKPOINT_BYTES;
        let from = block * CHAR_CHECKPOINT_BYTES;
        self.char_checkpoints[block] + count_char_starts(&self.text.as_bytes()[from..offset])
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// 0-based index of the line holding `offset`.
    fn line_index(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1)
    }

    /// Byte range of line `index`, without its line break.
    fn line_range(&self, index: usize) -> (usize, usize) {
        let start = self
            .line_starts
            .get(index)
            .copied()
            .unwrap_or(self.text.len());
        let end = self
            .line_starts
            .get(index + 1)
            .map_or(self.text.len(), |next| next.saturating_sub(1));
        let end = if end > start && self.text.as_bytes().get(end - 1) == Some(&b'\r') {
            end - 1
        } else {
            end
        };
        (start, end.max(start))
    }

    /// 1-based line and column of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset);
        let line = self.line_index(offset);
        let start = self.line_starts.get(line).copied().unwrap_or(0).min(offset);
        let column = self.chars_before(offset) - self.chars_before(start);
        (line + 1, column + 1)
    }
}

/// Bytes of `bytes` that start a UTF-8 character (everything but continuation bytes).
fn count_char_starts(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
}

impl SourceCode for SourceText {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text = &self.text;
        if span.offset() > text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let span_start = floor_char_boundary(text, span.offset());
        let span_end = ceil_char_boundary(text, span.offset() + span.len()).max(span_start);
        let first = self.line_index(span_start);
        if context_lines_before == 0 && context_lines_after == 0 {
            // What miette asks for to name the position in a report header: the span itself,
            // with the line and column where it starts (clipped to the line for huge spans).
            let (_, line_end) = self.line_range(first);
            let end = span_end
                .min(line_end.max(span_start))
                .min(span_start + MAX_LINE_BYTES);
            let end = ceil_char_boundary(text, end);
            let (_, column) = self.line_col(span_start);
            let data = text.as_bytes().get(span_start..end).unwrap_or_default();
            return Ok(Box::new(MietteSpanContents::new_named(
                self.name.clone(),
                data,
                SourceSpan::from((span_start, end - span_start)),
                first,
                column - 1,
                1,
            )));
        }
        let last = self.line_index(span_end.saturating_sub(1).max(span_start));
        let from = first.saturating_sub(context_lines_before);
        let to = (last + context_lines_after).min(self.line_starts.len().saturating_sub(1));
        let too_long = (from..=to).any(|i| {
            let (s, e) = self.line_range(i);
            e - s > MAX_LINE_BYTES
        });
        let (start, end, line) = if too_long {
            // Show only the label's own line, cut to a window around the label.
            let (line_start, line_end) = self.line_range(first);
            let label_end = span_end.min(line_end).max(span_start);
            let start = floor_char_boundary(
                text,
                span_start
                    .saturating_sub(WINDOW_CONTEXT_BYTES)
                    .max(line_start),
            );
            let end = ceil_char_boundary(
                text,
                (label_end + WINDOW_CONTEXT_BYTES)
                    .min(line_end)
                    .min(start + MAX_LINE_BYTES),
            );
            (start, end.max(start), first)
        } else {
            let start = self.line_starts.get(from).copied().unwrap_or(0);
            let (_, end) = self.line_range(to);
            // Keep the line break so the renderer sees complete lines.
            let end = self
                .line_starts
                .get(to + 1)
                .copied()
                .unwrap_or(end)
                .max(end);
            (start, end, from)
        };
        let data = text.as_bytes().get(start..end).unwrap_or_default();
        let (_, column) = self.line_col(start);
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            data,
            SourceSpan::from((start, end - start)),
            line,
            column - 1,
            to.saturating_sub(from) + 1,
        )))
    }
}

/// A diagnostic with the source text of its file attached, replacing any copy it carries.
struct WithSource<'a> {
    inner: &'a dyn Diagnostic,
    source: &'a SourceText,
}

impl fmt::Debug for WithSource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.inner, f)
    }
}

impl fmt::Display for WithSource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.inner, f)
    }
}

impl std::error::Error for WithSource<'_> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner.source()
    }
}

impl Diagnostic for WithSource<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.code()
    }
    fn severity(&self) -> Option<Severity> {
        self.inner.severity()
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.help()
    }
    fn url<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.url()
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        // Ours, even when the diagnostic carries its own copy of the same file (ASL load errors
        // do): only ours clips long lines, and miette panics on a label past column 65,535.
        Some(self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.inner.labels()
    }
    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn Diagnostic> + 'b>> {
        self.inner.related()
    }
    fn diagnostic_source(&self) -> Option<&dyn Diagnostic> {
        self.inner.diagnostic_source()
    }
}

/// How diagnostics are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// miette's graphical report; `color` adds ANSI colours.
    Human { color: bool },
    /// One JSON object per line.
    Json,
}

/// Renders one diagnostic (and its related ones) as a graphical report.
pub fn render_human(diag: &dyn Diagnostic, source: Option<&SourceText>, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(REPORT_WIDTH);
    let mut out = String::new();
    let rendered = match source {
        Some(source) => handler.render_report(
            &mut out,
            &WithSource {
                inner: diag,
                source,
            },
        ),
        None => handler.render_report(&mut out, diag),
    };
    if rendered.is_err() {
        // A span that does not fit the source: still say what went wrong, without the snippet.
        out = plain(diag);
    }
    out
}

fn plain(diag: &dyn Diagnostic) -> String {
    let mut out = match diag.code() {
        Some(code) => format!("{code}\n\n  × {diag}\n"),
        None => format!("  × {diag}\n"),
    };
    if let Some(help) = diag.help() {
        out.push_str(&format!("  help: {help}\n"));
    }
    out
}

/// The JSON objects for one diagnostic and its related diagnostics (flattened).
pub fn to_json(diag: &dyn Diagnostic, source: Option<&SourceText>) -> Vec<Value> {
    let mut out = Vec::new();
    push_json(diag, source, None, &mut out);
    out
}

/// Where a label starts: file name, 1-based line and column. From the file's text when the
/// caller has it, else from the source the diagnostic carries itself.
fn locate(
    diag: &dyn Diagnostic,
    source: Option<&SourceText>,
    offset: usize,
) -> (Option<String>, Option<(usize, usize)>) {
    if let Some(source) = source {
        return (
            Some(source.name().to_owned()),
            Some(source.line_col(offset)),
        );
    }
    let Some(code) = diag.source_code() else {
        return (None, None);
    };
    match code.read_span(&SourceSpan::from((offset, 0)), 0, 0) {
        Ok(contents) => (
            contents.name().map(str::to_owned),
            Some((contents.line() + 1, contents.column() + 1)),
        ),
        Err(_) => (None, None),
    }
}

fn push_json(
    diag: &dyn Diagnostic,
    source: Option<&SourceText>,
    file: Option<&str>,
    out: &mut Vec<Value>,
) {
    let labels: Vec<LabeledSpan> = diag.labels().map(|l| l.collect()).unwrap_or_default();
    let primary = labels
        .iter()
        .find(|l| l.primary())
        .or_else(|| labels.first());
    let (located_file, position) =
        primary.map_or((None, None), |l| locate(diag, source, l.offset()));
    let file = located_file
        .or_else(|| source.map(|s| s.name().to_owned()))
        .or_else(|| file.map(str::to_owned));
    let (line, column) = position.unzip();
    let severity = match diag.severity().unwrap_or(Severity::Error) {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Advice => "advice",
    };
    let labels_json: Vec<Value> = labels
        .iter()
        .map(|l| {
            let (line, column) = locate(diag, source, l.offset()).1.unzip();
            json!({
                "message": l.label(),
                "line": line,
                "column": column,
                "span": {"offset": l.offset(), "length": l.len()},
            })
        })
        .collect();
    out.push(json!({
        "code": diag.code().map(|c| c.to_string()),
        "severity": severity,
        "message": diag.to_string(),
        "file": file,
        "line": line,
        "column": column,
        "span": primary.map(|l| json!({"offset": l.offset(), "length": l.len()})),
        "help": diag.help().map(|h| h.to_string()),
        "labels": labels_json,
    }));
    if let Some(related) = diag.related() {
        for rel in related {
            push_json(rel, source, file.as_deref(), out);
        }
    }
}

/// Writes diagnostics to stderr in one format and counts errors and warnings.
#[derive(Debug)]
pub struct Emitter {
    format: Format,
    errors: usize,
    warnings: usize,
    /// Warnings are dropped, not shown or counted (`simulate`: its job is running a machine,
    /// and `check` is where warnings are read).
    errors_only: bool,
}

impl Emitter {
    pub fn new(format: Format) -> Self {
        Emitter {
            format,
            errors: 0,
            warnings: 0,
            errors_only: false,
        }
    }

    /// This emitter, dropping warnings (neither shown nor counted).
    pub fn errors_only(mut self) -> Self {
        self.errors_only = true;
        self
    }

    fn dropped(&self, diag: &dyn Diagnostic) -> bool {
        self.errors_only && matches!(diag.severity(), Some(Severity::Warning | Severity::Advice))
    }

    /// Human output coloured only for a terminal that has not asked for no colour.
    pub fn human_for_stderr() -> Format {
        let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        Format::Human { color }
    }

    pub fn errors(&self) -> usize {
        self.errors
    }

    pub fn format(&self) -> Format {
        self.format
    }

    pub fn warnings(&self) -> usize {
        self.warnings
    }

    /// Counts an error the caller reported itself (in one line: see `cli::output::report`).
    pub fn count_error(&mut self) {
        self.errors += 1;
    }

    /// Renders `diag` to a string in this emitter's format and counts it.
    pub fn render(&mut self, diag: &dyn Diagnostic, source: Option<&SourceText>) -> String {
        self.render_about(diag, source, None)
    }

    fn render_about(
        &mut self,
        diag: &dyn Diagnostic,
        source: Option<&SourceText>,
        file: Option<&str>,
    ) -> String {
        self.count(diag);
        match self.format {
            Format::Human { color } => render_human(diag, source, color),
            Format::Json => {
                let mut objects = Vec::new();
                push_json(diag, source, file, &mut objects);
                objects.iter().map(|v| format!("{v}\n")).collect()
            }
        }
    }

    /// Renders `diag`, about `file`, to stderr: for problems with a file that has no text to
    /// show (missing, unreadable, not writable), so JSON output still names the file.
    pub fn emit_about(&mut self, diag: &dyn Diagnostic, file: &str) {
        if self.dropped(diag) {
            return;
        }
        let text = self.render_about(diag, None, Some(file));
        // Nothing sensible to do when stderr itself is gone.
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }

    fn count(&mut self, diag: &dyn Diagnostic) {
        // Related diagnostics are reported too, so they count: "3 errors" means three problems.
        let related: Vec<&dyn Diagnostic> = diag.related().map(|r| r.collect()).unwrap_or_default();
        let is_aggregate = !related.is_empty() && diag.code().is_none() && diag.labels().is_none();
        if !is_aggregate {
            match diag.severity().unwrap_or(Severity::Error) {
                Severity::Warning | Severity::Advice => self.warnings += 1,
                Severity::Error => self.errors += 1,
            }
        }
        for rel in related {
            self.count(rel);
        }
    }

    /// Renders `diag` to stderr.
    pub fn emit(&mut self, diag: &dyn Diagnostic, source: Option<&SourceText>) {
        if self.dropped(diag) {
            return;
        }
        let text = self.render(diag, source);
        // Nothing sensible to do when stderr itself is gone.
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use miette::NamedSource;
    use thiserror::Error;

    #[derive(Debug, Error, Diagnostic)]
    #[error("unknown state `{name}`")]
    #[diagnostic(code(flowc::test::unknown), help("did you mean `Start`?"))]
    struct Unknown {
        name: String,
        #[label("no state has this name")]
        span: SourceSpan,
    }

    #[derive(Debug, Error, Diagnostic)]
    #[error("be careful")]
    #[diagnostic(code(flowc::test::careful), severity(Warning))]
    struct Careful {
        #[source_code]
        src: NamedSource<String>,
        #[label("here")]
        span: SourceSpan,
    }

    #[test]
    fn line_col_counts_characters_from_one() {
        let text = "ab\nçd\nef";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        assert_eq!(line_col(text, 5), (2, 2));
        let source = SourceText::new("x", text);
        assert_eq!(source.line_col(5), (2, 2));
        assert_eq!(source.line_col(7), (3, 1));
    }

    #[test]
    fn human_report_names_file_line_and_column() {
        let source = SourceText::new("a.flow", "first\nnext Strat\n");
        let diag = Unknown {
            name: "Strat".into(),
            span: (11, 5).into(),
        };
        let out = render_human(&diag, Some(&source), false);
        assert!(out.contains("[a.flow:2:6]"), "{out}");
        assert!(out.contains("no state has this name"), "{out}");
        assert!(out.contains("did you mean `Start`?"), "{out}");
        assert!(!out.contains('\u{1b}'), "no colour codes: {out}");
    }

    #[test]
    fn megabyte_line_is_clipped_around_the_label() {
        let mut text = "x".repeat(1_000_000);
        text.push_str(" Strat ");
        text.push_str(&"y".repeat(1_000_000));
        let source = SourceText::new("long.flow", text);
        let diag = Unknown {
            name: "Strat".into(),
            span: (1_000_001, 5).into(),
        };
        let out = render_human(&diag, Some(&source), false);
        assert!(out.len() < 2_000, "report is {} bytes", out.len());
        assert!(out.contains("[long.flow:1:1000002]"), "{out}");
        assert!(out.contains("Strat"), "{out}");
    }

    #[test]
    fn out_of_range_span_still_renders_message() {
        let source = SourceText::new("a.flow", "short");
        let diag = Unknown {
            name: "Strat".into(),
            span: (100, 5).into(),
        };
        let out = render_human(&diag, Some(&source), false);
        assert!(out.contains("unknown state `Strat`"), "{out}");
    }

    #[test]
    fn json_has_code_severity_position_and_help() {
        let source = SourceText::new("a.flow", "first\nnext Strat\n");
        let diag = Unknown {
            name: "Strat".into(),
            span: (11, 5).into(),
        };
        let objects = to_json(&diag, Some(&source));
        assert_eq!(objects.len(), 1);
        let obj = &objects[0];
        assert_eq!(obj["code"], "flowc::test::unknown");
        assert_eq!(obj["severity"], "error");
        assert_eq!(obj["file"], "a.flow");
        assert_eq!(
            (obj["line"].as_u64(), obj["column"].as_u64()),
            (Some(2), Some(6))
        );
        assert_eq!(obj["span"]["offset"], 11);
        assert_eq!(obj["help"], "did you mean `Start`?");
    }

    #[test]
    fn emitter_counts_warnings_apart_from_errors() {
        let mut emitter = Emitter::new(Format::Json);
        let warning = Careful {
            src: NamedSource::new("b", "abc".to_owned()),
            span: (0, 1).into(),
        };
        let _ = emitter.render(&warning, None);
        assert_eq!((emitter.errors(), emitter.warnings()), (0, 1));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

        /// Any text, any span (in range or not, on char boundaries or not): rendering never
        /// panics, and long lines never make long reports.
        #[test]
        fn rendering_never_panics_and_stays_short(
            line in "[a-zé\\n ]{0,50}",
            repeat in 1usize..3_000,
            offset in 0usize..200_000,
            len in 0usize..100_000,
        ) {
            let text = line.repeat(repeat);
            let source = SourceText::new("p.flow", text.clone());
            let diag = Unknown { name: "x".into(), span: (offset, len).into() };
            let out = render_human(&diag, Some(&source), false);
            proptest::prop_assert!(out.contains("unknown state `x`"));
            let longest = out.lines().map(str::len).max().unwrap_or(0);
            proptest::prop_assert!(longest < 2 * MAX_LINE_BYTES + 200, "line of {longest} bytes");
            let _ = to_json(&diag, Some(&source));
        }

        /// The checkpointed column count agrees with counting the line's characters, on long
        /// lines with multi-byte characters across checkpoint boundaries and at every offset kind.
        #[test]
        fn line_col_with_checkpoints_counts_as_a_scan_does(
            line in "[a-zé€😀\n ]{0,40}",
            repeat in 1usize..600,
            offset in 0usize..200_000,
        ) {
            let text = line.repeat(repeat);
            let source = SourceText::new("p.flow", text.clone());
            proptest::prop_assert_eq!(source.line_col(offset), line_col(&text, offset));
        }
    }
}
