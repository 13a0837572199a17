//! `cargo run -p flowc-sim --example run_case -- CASE.json`: the conformance run-case contract
//! without the flowc binary (`flowc run-case` does the same through compiler/src/cli).

use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: run_case CASE.json");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {path}: {e}");
            return ExitCode::from(1);
        }
    };
    match flowc_sim::Case::from_json_text(&text).and_then(|c| c.run()) {
        Ok(outcome) => {
            println!("{}", flowc_sim::contract_json(&outcome));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
