//! The progress line of long commands (`flowc test`, `flowc conformance`): one line on stderr
//! that is redrawn in place (carriage return, erase to end of line) and erased when the command
//! ends, so the terminal keeps only the command's real output.
//!
//! It is drawn only when stderr is a terminal whose `TERM` is not `dumb`: piped or redirected
//! (CI logs, `2>file`, `| tee`), there is not a single progress byte, and a dumb terminal (Emacs'
//! shell) cannot erase a line. `NO_COLOR` does not turn it off: the line has no colour, and
//! NO_COLOR asks for no colour, not for less information.
//!
//! The first frame is drawn at once, later ones at most every [`REDRAW_EVERY`], so a run of
//! thousands of quick tests costs a few writes a second, not one per test. A frame is cut to the
//! terminal's width less one column: a line that wrapped could not be redrawn in place.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// The shortest time between two frames.
pub(crate) const REDRAW_EVERY: Duration = Duration::from_millis(100);

/// Columns assumed when the terminal does not say (a pseudo-terminal nobody sized).
const DEFAULT_COLUMNS: usize = 80;

/// Moves to the start of the line and erases it (ECMA-48 EL, "erase in line").
const ERASE_LINE: &str = "\r\x1b[K";

/// A progress line on stderr; inert when stderr is not a terminal. Erased when dropped.
pub(crate) struct Progress {
    enabled: bool,
    last_frame: Option<Instant>,
    /// Whether a frame is on the screen (and needs erasing).
    shown: bool,
}

impl Progress {
    /// A progress line on stderr, drawn only if stderr is a terminal that can erase a line.
    pub(crate) fn on_stderr() -> Self {
        let dumb = std::env::var_os("TERM").is_some_and(|term| term == "dumb");
        Progress {
            enabled: std::io::stderr().is_terminal() && !dumb,
            last_frame: None,
            shown: false,
        }
    }

    /// Whether the line is drawn at all (stderr is a terminal).
    pub(crate) fn enabled(&self) -> bool {
        self.enabled
    }

    /// Shows `text()` if a frame is due; `text` is not called otherwise.
    pub(crate) fn update(&mut self, text: impl FnOnce() -> String) {
        if !self.enabled {
            return;
        }
        if !self.due(Instant::now()) {
            return;
        }
        let columns = terminal_size::terminal_size_of(std::io::stderr())
            .map(|(width, _)| usize::from(width.0))
            .filter(|&width| width > 0)
            .unwrap_or(DEFAULT_COLUMNS);
        write_stderr(&frame(&text(), columns));
        self.shown = true;
    }

    /// Whether a frame may be drawn at `now`: the first one always, later ones [`REDRAW_EVERY`]
    /// after the last. Records `now` as the last frame's time if so.
    fn due(&mut self, now: Instant) -> bool {
        if self
            .last_frame
            .is_some_and(|last| now.saturating_duration_since(last) < REDRAW_EVERY)
        {
            return false;
        }
        self.last_frame = Some(now);
        true
    }

    /// Erases the line, before the command prints anything else (or when dropped).
    pub(crate) fn clear(&mut self) {
        if self.shown {
            write_stderr(ERASE_LINE);
            self.shown = false;
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.clear();
    }
}

/// What one redraw writes: back to the line's start, `text` on one line within `columns - 1`
/// columns (control characters in file or test names shown as spaces, so they cannot move the
/// cursor; a wide character counted as the two columns it takes), then the rest of the previous
/// frame erased.
pub(crate) fn frame(text: &str, columns: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let room = columns.saturating_sub(1).max(1);
    let shown: Vec<(char, usize)> = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .map(|c| (c, c.width().unwrap_or(0)))
        .collect();
    let mut line = String::with_capacity(text.len() + 8);
    line.push('\r');
    if shown.iter().map(|&(_, width)| width).sum::<usize>() <= room {
        line.extend(shown.iter().map(|&(c, _)| c));
    } else {
        // Leave one column for the ellipsis.
        let mut used = 0;
        for (c, width) in shown {
            if used + width > room - 1 {
                break;
            }
            used += width;
            line.push(c);
        }
        line.push('…');
    }
    line.push_str("\x1b[K");
    line
}

/// stderr that cannot be written is ignored, as everywhere in flowc (see `output`).
fn write_stderr(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
    let _ = stderr.flush();
}

#[cfg(test)]
mod tests {
    use super::{Instant, Progress, REDRAW_EVERY, frame};

    #[test]
    fn frames_are_drawn_at_once_then_at_most_every_redraw_interval() {
        let mut progress = Progress {
            enabled: true,
            last_frame: None,
            shown: false,
        };
        let start = Instant::now();
        let later = |n: u32| start + REDRAW_EVERY / 10 * n;
        // 1,000 tests finishing 10 per interval: the first, then one per interval.
        let drawn = (0..1000).filter(|&n| progress.due(later(n))).count();
        assert_eq!(drawn, 100);
        assert!(!progress.due(later(999)));
        assert!(progress.due(later(1000)));
    }

    #[test]
    fn a_frame_returns_to_the_line_start_and_erases_what_the_last_one_left() {
        assert_eq!(
            frame("[1/2] a.simtest.json: ok", 80),
            "\r[1/2] a.simtest.json: ok\x1b[K"
        );
    }

    #[test]
    fn a_long_frame_is_cut_one_column_short_of_the_width() {
        let cut = frame("abcdefghij", 8);
        assert_eq!(cut, "\rabcdef…\x1b[K");
        assert_eq!(
            cut.trim_start_matches('\r')
                .trim_end_matches("\x1b[K")
                .chars()
                .count(),
            7
        );
        // Multi-byte characters count as one column each, and are never split.
        assert_eq!(frame("ééééé", 4), "\réé…\x1b[K");
        // A wide character takes two columns: it is never cut in half.
        assert_eq!(frame("日本語テスト", 7), "\r日本…\x1b[K");
        assert_eq!(frame("日本語", 7), "\r日本語\x1b[K");
        // A terminal one column wide still gets a frame that does not wrap.
        assert_eq!(frame("abc", 1), "\r…\x1b[K");
    }

    #[test]
    fn control_characters_in_names_cannot_move_the_cursor() {
        assert_eq!(frame("a\nb\rc\x1b[2Jd\t", 80), "\ra b c [2Jd \x1b[K");
    }
}
