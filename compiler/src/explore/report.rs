//! The report `flowc explore` prints: what was explored and within which bounds, each outcome
//! with its witness (the choices that lead there and the states visited), what no run
//! reached, and each property's verdict.

use std::fmt::Write as _;

use super::{Exploration, Limit, Run};
use crate::coverage::describe;
use crate::testing::fold_path;

/// At most this many unreached items are listed.
const LISTED: usize = 40;

pub fn render(exploration: &Exploration) -> String {
    let mut out = String::new();
    let e = exploration;
    let inputs = if e.inputs.len() == 1 {
        "1 input".to_string()
    } else {
        format!("{} inputs", e.inputs.len())
    };
    let _ = writeln!(
        out,
        "explored {}: {inputs}, {} Task states, {} runs (bounds: --max-runs {}, --max-depth {}, --max-visits {})",
        e.coverage.machine.display(),
        e.task_states,
        e.runs,
        e.bounds.max_runs,
        e.bounds.max_depth,
        e.bounds.max_visits,
    );
    match e.stopped {
        Some(stopped) => {
            let bound = match stopped.limit {
                Limit::Runs => format!("--max-runs {}", e.bounds.max_runs),
                Limit::States => format!(
                    "--max-states {} (states entered over all runs)",
                    e.bounds.max_states
                ),
            };
            let _ = writeln!(
                out,
                "stopped early at {bound}: {} choice sequences left unexplored, the next with {} choices off the first answers (every sequence with fewer was run); outcomes only they reach are missing",
                stopped.left, stopped.fewest_choices
            );
        }
        None => {
            let _ = writeln!(out, "every choice sequence within the bounds was explored");
        }
    }
    if e.repeated > 0 {
        let _ = writeln!(
            out,
            "{} runs reached an execution state an earlier run had branched from, and did not branch again",
            e.repeated
        );
    }
    if e.past_depth > 0 {
        let _ = writeln!(
            out,
            "{} alternatives past --max-depth {} were not tried",
            e.past_depth, e.bounds.max_depth
        );
    }
    let _ = writeln!(
        out,
        "\n{} outcomes (status, error, last state), each with its shortest witness:",
        e.outcomes.len()
    );
    for (i, run) in e.outcomes.iter().enumerate() {
        let _ = writeln!(out, "\n  #{} {}", i + 1, run.key.describe());
        witness(&mut out, run, e, "     ");
    }
    if !e.reach_witnesses.is_empty() {
        let mut numbers: Vec<usize> = e.reach_witnesses.iter().map(|r| r.number).collect();
        numbers.sort_unstable();
        let numbers: Vec<String> = numbers.iter().map(ToString::to_string).collect();
        let which = if numbers.len() == 1 {
            format!("run {} reaches", numbers.join(""))
        } else {
            format!("runs {} reach", numbers.join(", "))
        };
        let _ = writeln!(
            out,
            "\n{which} what no outcome's witness reaches (--emit-simtest writes them too)"
        );
    }
    let unreached: Vec<String> = e.coverage.uncovered().map(describe).collect();
    let total = e.coverage.count(None).total;
    if unreached.is_empty() {
        let _ = writeln!(
            out,
            "\nevery state, transition, Choice rule, Retrier and Catcher ({total} items) was reached"
        );
    } else {
        let _ = writeln!(
            out,
            "\nnot reached by any run ({} of {total} items):",
            unreached.len()
        );
        for item in unreached.iter().take(LISTED) {
            let _ = writeln!(out, "  {item}");
        }
        if unreached.len() > LISTED {
            let _ = writeln!(out, "  ... and {} more", unreached.len() - LISTED);
        }
    }
    if !e.verdicts.is_empty() {
        let _ = writeln!(out, "\nproperties:");
        for verdict in &e.verdicts {
            if verdict.holds() {
                let _ = writeln!(
                    out,
                    "  ok      {} ({} runs checked)",
                    verdict.property.text, verdict.applied
                );
            } else {
                let _ = writeln!(
                    out,
                    "  VIOLATED {}: {} of {} runs; the shortest:",
                    verdict.property.text, verdict.violations, verdict.applied
                );
                if let Some(run) = &verdict.counterexample {
                    let _ = writeln!(out, "     ended {}", run.key.describe());
                    witness(&mut out, run, e, "     ");
                }
            }
        }
    }
    out
}

/// The choices that lead to `run` and the states it visited.
fn witness(out: &mut String, run: &Run, e: &Exploration, indent: &str) {
    let _ = writeln!(
        out,
        "{indent}{} states, {} s simulated",
        run.path.len(),
        run.duration_seconds
    );
    if e.inputs.len() > 1 {
        let _ = writeln!(out, "{indent}input #{}", run.input + 1);
    }
    let choices = choices(run);
    if choices.is_empty() {
        let _ = writeln!(out, "{indent}choices: every Task answers its first success");
    } else {
        let _ = writeln!(out, "{indent}choices: {}", choices.join("; "));
    }
    let _ = writeln!(out, "{indent}path: {}", fold_path(&run.path));
}

/// The decisions off the first alternative, repeated ones folded (`CheckHealth returns
/// {"status":"pending"} x15`).
fn choices(run: &Run) -> Vec<String> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for decision in run.choices() {
        let Some(answer) = decision.answer() else {
            continue;
        };
        let text = format!("{} {}", decision.state, answer.label);
        match out.last_mut() {
            Some((last, n)) if *last == text => *n += 1,
            _ => out.push((text, 1)),
        }
    }
    out.into_iter()
        .map(|(text, n)| if n == 1 { text } else { format!("{text} x{n}") })
        .collect()
}
