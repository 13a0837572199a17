//! The ASL conformance corpus (conformance/asl/ in the repository): executions recorded on
//! real AWS Step Functions, each a case file with a definition, an input, the Task results to
//! replay and what AWS answered. This module runs a case ([`Case::run`]), turns the outcome
//! into the run-case result object ([`contract_json`]), scores it against the recording with
//! the corpus's documented comparison rules ([`score_file`]) and tallies a corpus into the
//! per-tag table ([`Scoreboard`]).
//!
//! ```no_run
//! use flowc_sim::conformance::{Scoreboard, case_files, score_file};
//! let mut board = Scoreboard::default();
//! for path in case_files("conformance/asl/cases".as_ref())? {
//!     board.push(score_file(&path)?);
//! }
//! print!("{}", board.table());
//! # Ok::<(), std::io::Error>(())
//! ```

mod case;
pub(crate) mod compare;

pub use case::{Case, contract_json};

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Tags whose cases ran branches or iterations side by side: their event order is compared as
/// a multiset (AWS does not order concurrent events deterministically).
const CONCURRENT_TAGS: [&str; 2] = ["parallel", "map"];

/// How one case scored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The case's name.
    pub id: String,
    /// Its feature tags.
    pub features: Vec<String>,
    /// `Ok` when status and output (or error and cause) match; else the first difference.
    pub result: Result<(), String>,
    /// How the simulated event sequence compares with AWS's, where AWS's was recorded.
    pub history: HistoryVerdict,
}

/// How a case's simulated event sequence compares with the recorded one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistoryVerdict {
    /// The case has no recorded history.
    NotRecorded,
    /// Event for event.
    Matches,
    /// The first difference.
    Differs(String),
}

impl Verdict {
    /// Whether status and output (or error and cause) matched.
    pub fn passed(&self) -> bool {
        self.result.is_ok()
    }

    /// Whether the case carries feature tag `tag`.
    pub fn has_tag(&self, tag: &str) -> bool {
        self.features.iter().any(|t| t == tag)
    }
}

impl Case {
    /// Scores a run-case result object (what [`contract_json`] makes, or another simulator
    /// printed) against this case's recording.
    pub(crate) fn score(&self, result: &Value) -> Verdict {
        let verdict = |result, history| Verdict {
            id: self.id.clone(),
            features: self.features.clone(),
            result,
            history,
        };
        let Some(expected) = &self.expected else {
            return verdict(
                Err("the case records no expected result".into()),
                HistoryVerdict::NotRecorded,
            );
        };
        let norm = match compare::Normalizer::new(&self.normalize) {
            Ok(n) => n,
            Err(e) => return verdict(Err(e), HistoryVerdict::NotRecorded),
        };
        let history = match &expected.history {
            None => HistoryVerdict::NotRecorded,
            Some(recorded) => {
                let concurrent = CONCURRENT_TAGS
                    .iter()
                    .any(|t| self.features.iter().any(|f| f == t));
                match compare::compare_history(recorded, result, concurrent) {
                    Ok(()) => HistoryVerdict::Matches,
                    Err(why) => HistoryVerdict::Differs(why),
                }
            }
        };
        verdict(compare::compare_result(expected, &norm, result), history)
    }
}

const MAX_CASE_BYTES: u64 = 16 * 1024 * 1024;

/// A file's text, at most 16 MiB whatever the file says its size is (flowc's limit for every
/// input).
fn read_limited(path: &Path) -> std::io::Result<String> {
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut std::io::Read::take(std::fs::File::open(path)?, MAX_CASE_BYTES + 1),
        &mut text,
    )?;
    if text.len() as u64 > MAX_CASE_BYTES {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("{}: larger than {MAX_CASE_BYTES} bytes", path.display()),
        ));
    }
    Ok(text)
}

fn invalid_data(path: &Path, e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!("{}: {e}", path.display()),
    )
}

fn read_case(path: &Path) -> std::io::Result<Case> {
    Case::from_json_text(&read_limited(path)?).map_err(|e| invalid_data(path, e))
}

/// Scores a result against the case. A result that is a JSON string names why the engine
/// could not run the case: the case fails with that text.
fn score_result(case: &Case, result: &Value) -> Verdict {
    let mut verdict = case.score(result);
    if let Value::String(error) = result {
        verdict.result = Err(error.clone());
    }
    verdict
}

/// Reads, runs and scores one case file. A case the simulator cannot load or run scores as a
/// failure naming the error; only an unreadable or malformed file is an `Err`.
pub fn score_file(path: &Path) -> std::io::Result<Verdict> {
    let case = read_case(path)?;
    let result = match case.run() {
        Ok(outcome) => contract_json(&outcome),
        Err(e) => Value::String(format!("error: {e}")),
    };
    Ok(score_result(&case, &result))
}

/// Scores the result another engine wrote for a case (the run-case contract's JSON object, or
/// a JSON string naming why that engine could not run the case) against the case file's
/// recording, by the same rules as [`score_file`]. An unreadable or malformed file of either
/// kind is an `Err`.
pub fn score_result_file(case_path: &Path, result_path: &Path) -> std::io::Result<Verdict> {
    let case = read_case(case_path)?;
    let text = read_limited(result_path)
        .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", result_path.display())))?;
    let result: Value = serde_json::from_str(&text).map_err(|e| invalid_data(result_path, e))?;
    if !matches!(result, Value::Object(_) | Value::String(_)) {
        return Err(invalid_data(
            result_path,
            "a result is a run-case JSON object or a string naming why the case did not run",
        ));
    }
    Ok(score_result(&case, &result))
}

/// The case files under `dir`, recursively, sorted: every `*.json` whose name does not start
/// with `_`.
pub fn case_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d)? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|x| x == "json")
                && !path
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('_'))
            {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// A corpus's verdicts, tallied per feature tag.
#[derive(Debug, Clone, Default)]
pub struct Scoreboard {
    verdicts: Vec<Verdict>,
}

/// Cases passed, cases counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    /// Cases that passed.
    pub passed: usize,
    /// Cases counted.
    pub total: usize,
}

impl Tally {
    fn add(&mut self, ok: bool) {
        self.total += 1;
        self.passed += usize::from(ok);
    }

    /// The pass rate in percent (100 for an empty tally).
    pub fn percent(&self) -> f64 {
        if self.total == 0 {
            100.0
        } else {
            100.0 * self.passed as f64 / self.total as f64
        }
    }
}

impl Scoreboard {
    /// Adds a case's verdict.
    pub fn push(&mut self, verdict: Verdict) {
        self.verdicts.push(verdict);
    }

    /// Results of the cases `select` picks.
    pub fn results(&self, select: impl Fn(&Verdict) -> bool) -> Tally {
        let mut t = Tally::default();
        for v in self.verdicts.iter().filter(|v| select(v)) {
            t.add(v.passed());
        }
        t
    }

    /// Event-sequence matches among the cases `select` picks that have a recorded history.
    pub fn histories(&self, select: impl Fn(&Verdict) -> bool) -> Tally {
        let mut t = Tally::default();
        for v in self.verdicts.iter().filter(|v| select(v)) {
            match v.history {
                HistoryVerdict::NotRecorded => {}
                HistoryVerdict::Matches => t.add(true),
                HistoryVerdict::Differs(_) => t.add(false),
            }
        }
        t
    }

    /// The per-tag table: `ALL` first, then tags by case count. The last column is the
    /// event-sequence figure (matching of recorded).
    pub fn table(&self) -> String {
        let mut per: BTreeMap<&str, (Tally, Tally)> = BTreeMap::new();
        for v in &self.verdicts {
            for tag in std::iter::once("ALL").chain(v.features.iter().map(String::as_str)) {
                let (results, histories) = per.entry(tag).or_default();
                results.add(v.passed());
                match v.history {
                    HistoryVerdict::NotRecorded => {}
                    HistoryVerdict::Matches => histories.add(true),
                    HistoryVerdict::Differs(_) => histories.add(false),
                }
            }
        }
        let mut rows: Vec<_> = per.into_iter().collect();
        rows.sort_by_key(|(tag, (r, _))| (*tag != "ALL", std::cmp::Reverse(r.total), *tag));
        let mut out = format!(
            "{:28} {:>5} {:>5} {:>7} {:>9}\n",
            "feature", "pass", "fail", "rate", "history"
        );
        for (tag, (r, h)) in rows {
            let history = if h.total == 0 {
                "-".to_string()
            } else {
                format!("{}/{}", h.passed, h.total)
            };
            out.push_str(&format!(
                "{tag:28} {:5} {:5} {:6.1}% {history:>9}\n",
                r.passed,
                r.total - r.passed,
                r.percent()
            ));
        }
        out
    }

    /// One line per failing case (`FAIL id: why`), at most `limit`.
    pub fn failures(&self, limit: usize) -> String {
        self.verdicts
            .iter()
            .filter_map(|v| v.result.as_ref().err().map(|why| (v, why)))
            .take(limit)
            .map(|(v, why)| format!("FAIL {}: {why}\n", v.id))
            .collect()
    }

    /// One line per case whose event sequence differs from AWS's, at most `limit`.
    pub fn history_differences(&self, limit: usize) -> String {
        self.verdicts
            .iter()
            .filter_map(|v| match &v.history {
                HistoryVerdict::Differs(why) => Some((v, why)),
                _ => None,
            })
            .take(limit)
            .map(|(v, why)| format!("HISTORY {}: {why}\n", v.id))
            .collect()
    }

    /// Every verdict as JSON: `[{"id", "pass", "why", "history"}]`, `history` being `true`,
    /// `false` or `null` (not recorded).
    pub fn to_json(&self) -> Value {
        Value::Array(
            self.verdicts
                .iter()
                .map(|v| {
                    serde_json::json!({
                        "id": v.id,
                        "pass": v.passed(),
                        "why": v.result.as_ref().err(),
                        "history": match &v.history {
                            HistoryVerdict::NotRecorded => Value::Null,
                            HistoryVerdict::Matches => Value::Bool(true),
                            HistoryVerdict::Differs(_) => Value::Bool(false),
                        },
                        "history_why": match &v.history {
                            HistoryVerdict::Differs(why) => Value::from(why.as_str()),
                            _ => Value::Null,
                        },
                    })
                })
                .collect(),
        )
    }
}
