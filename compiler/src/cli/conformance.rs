//! `flowc conformance [DIR]`: runs every case of an ASL conformance corpus (by default the
//! repository's `conformance/asl/cases`), scores each against AWS's recording with the rules of
//! conformance/asl/README.md, and prints the per-tag table with the event-sequence figure.
//! With `--gate PCT`, exits 1 when the pass rate of the gated cases is below PCT. With
//! `--results DIR`, scores what another engine answered (one run-case result per case file, at
//! the same relative path under DIR) instead of running the simulator: the same rules, the same
//! table, for any engine. On a terminal, a progress line names the case being scored
//! (`[312/353] its file name`) until the table is printed.

use std::path::PathBuf;
use std::process::ExitCode;

use flowc_sim::conformance::{Scoreboard, Verdict, case_files, score_file, score_result_file};

use super::output::{eprint_line, print_stdout, write_file};
use super::progress::Progress;
use super::{EXIT_INPUT, EXIT_OK, Global};

#[derive(Debug, clap::Args)]
pub struct ConformanceArgs {
    /// The folder of case files (searched recursively for `*.json`).
    #[arg(default_value = "conformance/asl/cases")]
    pub cases: PathBuf,
    /// Exit 1 when fewer than PCT percent of the gated cases pass.
    #[arg(long, value_name = "PCT")]
    pub gate: Option<f64>,
    /// Leave cases with this feature tag out of the gate (repeatable); they stay in the table.
    #[arg(long, value_name = "TAG")]
    pub gate_exclude: Vec<String>,
    /// Print up to N failing cases with the first difference of each.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub show_failures: usize,
    /// Print up to N cases whose event sequence differs from AWS's recording.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub show_history_differences: usize,
    /// Write every case's verdict as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub json_out: Option<PathBuf>,
    /// Score another engine's results instead of running the simulator: for each case file,
    /// the file at the same relative path under DIR holds that engine's run-case result object
    /// (or a JSON string naming why it could not run the case). A missing result is an error.
    #[arg(long, value_name = "DIR")]
    pub results: Option<PathBuf>,
}

pub fn run(args: ConformanceArgs, _global: &Global) -> ExitCode {
    let files = match case_files(&args.cases) {
        Ok(files) if !files.is_empty() => files,
        Ok(_) => {
            eprint_line(&format!(
                "error: no case files (*.json) under {}",
                args.cases.display()
            ));
            return ExitCode::from(EXIT_INPUT);
        }
        Err(e) => {
            eprint_line(&format!(
                "error: cannot read the conformance cases at {}: {e}",
                args.cases.display()
            ));
            return ExitCode::from(EXIT_INPUT);
        }
    };
    let mut board = Scoreboard::default();
    let mut progress = Progress::on_stderr();
    for (number, file) in files.iter().enumerate() {
        // The corpus folder is the same for every case: the name within it is what moves.
        let relative = file.strip_prefix(&args.cases).unwrap_or(file);
        progress.update(|| format!("[{}/{}] {}", number + 1, files.len(), relative.display()));
        let verdict = match &args.results {
            None => score_file(file),
            Some(results) => score_result_file(file, &results.join(relative)),
        };
        match verdict {
            Ok(verdict) => board.push(verdict),
            Err(e) => {
                progress.clear();
                eprint_line(&format!("error: {}: {e}", file.display()));
                return ExitCode::from(EXIT_INPUT);
            }
        }
    }
    progress.clear();
    let mut report = board.table();
    report.push_str(&board.failures(args.show_failures));
    report.push_str(&board.history_differences(args.show_history_differences));
    let all = board.results(|_| true);
    let histories = board.histories(|_| true);
    report.push_str(&format!(
        "{} passed, {} failed; event sequences: {} of {} recorded histories match\n",
        all.passed,
        all.total - all.passed,
        histories.passed,
        histories.total
    ));
    if let Some(path) = &args.json_out {
        let text = serde_json::to_string_pretty(&board.to_json()).unwrap_or_default();
        if let Err(e) = write_file(path, text.as_bytes()) {
            eprint_line(&format!("error: {e}"));
            return ExitCode::from(EXIT_INPUT);
        }
    }
    let mut below_gate = false;
    if let Some(gate) = args.gate {
        let gated = |v: &Verdict| !args.gate_exclude.iter().any(|t| v.has_tag(t));
        let t = board.results(gated);
        let scope = if args.gate_exclude.is_empty() {
            "all cases".to_string()
        } else {
            format!("cases tagged none of {}", args.gate_exclude.join(", "))
        };
        report.push_str(&format!(
            "gate: {scope}: {}/{} = {:.1}% (gate {gate}%)\n",
            t.passed,
            t.total,
            t.percent()
        ));
        below_gate = t.percent() < gate;
    }
    if let Err(e) = print_stdout(&report) {
        eprint_line(&format!("error: {e}"));
        return ExitCode::from(EXIT_INPUT);
    }
    if below_gate {
        ExitCode::from(EXIT_INPUT)
    } else {
        ExitCode::from(EXIT_OK)
    }
}
