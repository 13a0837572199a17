//! A built Lambda binary, run as Lambda runs a `provided.al2023` bootstrap.

use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::runtime_api::{self, Posted};

/// How long the binary may take to answer one event.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(60);

/// A built Lambda binary and the configuration its cold start requires.
#[derive(Clone, Copy, Debug)]
pub struct Bootstrap {
    /// The binary's path: `env!("CARGO_BIN_EXE_<name>")`.
    pub binary: &'static str,
    /// The function's name, which starts every line the binary prints on a failed cold start.
    pub function: &'static str,
    /// The environment variables the cold start requires, in the order it names them.
    pub config: &'static [&'static str],
}

impl Bootstrap {
    /// Runs the binary with no environment but `PATH` and asserts that it fails with one line
    /// naming every variable of `config`, in order.
    #[track_caller]
    pub fn assert_cold_start_names_missing_configuration(&self) {
        let output = Command::new(self.binary)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.binary));
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            stderr.trim(),
            format!(
                "{}: missing configuration: {}",
                self.function,
                self.config.join(", ")
            )
        );
    }

    /// Serves each case's event in turn (request ids `req-1`, `req-2`, ...) to the binary, with
    /// every variable of `config` set to `test-<NAME>` and no reachable AWS endpoint, and
    /// asserts that every event, in order, is answered with an `/error` post whose `errorType`
    /// is the case's error name. Returns the posts, for checks on their messages.
    #[track_caller]
    pub fn assert_refused(&self, cases: &[(Value, &str)]) -> Vec<Posted> {
        self.assert_refused_logging(cases).0
    }

    /// `assert_refused`, also returning what the binary logged on stdout (the functions log
    /// JSON lines there: one per action), each line parsed as JSON; a line that is not JSON
    /// fails the test.
    #[track_caller]
    pub fn assert_refused_logging(&self, cases: &[(Value, &str)]) -> (Vec<Posted>, Vec<Value>) {
        let runtime = runtime_api::start(cases.iter().map(|(event, _)| event.clone()).collect());
        let mut child = Command::new(self.binary)
            .env_clear()
            .envs(runtime_api::lambda_env(&runtime, self.function))
            .envs(
                self.config
                    .iter()
                    .map(|name| (*name, placeholder_value(name))),
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.binary));
        let mut posted = Vec::new();
        for _ in cases {
            match runtime.posted.recv_timeout(ANSWER_TIMEOUT) {
                Ok(p) => posted.push(p),
                Err(e) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!(
                        "the binary answered {} of {} events: {e}",
                        posted.len(),
                        cases.len()
                    );
                }
            }
        }
        let _ = child.kill();
        let logged = child
            .wait_with_output()
            .map(|output| String::from_utf8_lossy(&output.stdout).into_owned())
            .unwrap_or_else(|e| panic!("{}: cannot read its stdout: {e}", self.binary));
        let lines: Vec<Value> = logged
            .lines()
            .map(|line| {
                serde_json::from_str(line)
                    .unwrap_or_else(|e| panic!("a log line that is not JSON ({e}): {line}"))
            })
            .collect();
        let answers: Vec<(&str, &str, &str)> = posted
            .iter()
            .map(|p| {
                (
                    p.request_id.as_str(),
                    p.kind.as_str(),
                    p.body["errorType"].as_str().unwrap_or_default(),
                )
            })
            .collect();
        let request_ids: Vec<String> = (1..=cases.len()).map(|i| format!("req-{i}")).collect();
        let expected: Vec<(&str, &str, &str)> = request_ids
            .iter()
            .zip(cases)
            .map(|(id, (_, error))| (id.as_str(), "error", *error))
            .collect();
        assert_eq!(answers, expected);
        (posted, lines)
    }
}

/// A stand-in value for a configuration variable: `test-NAME`, except where the cold start
/// parses the value (DATABASE_URL must be a PostgreSQL URL; nothing connects to it there).
fn placeholder_value(name: &str) -> String {
    match name {
        "DATABASE_URL" => "postgres://test@localhost:5432/test?sslmode=disable".to_owned(),
        _ => format!("test-{name}"),
    }
}
