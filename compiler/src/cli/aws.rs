//! `flowc aws validate | run | history`: the same definition, result object and history format
//! as the simulator's, against AWS Step Functions (`crate::aws`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use aws_sdk_sfn::types::ExecutionStatus;
use serde_json::Value;

use super::output::{eprint_line, print_stdout, report, write_file};
use super::{EXIT_INPUT, EXIT_OK, Global, emitter_for};
use crate::aws::{self, AwsError, AwsFinding, Connection};

#[derive(Debug, clap::Args)]
pub struct AwsArgs {
    /// The region (default: AWS_REGION or the profile's).
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,
    /// A profile of ~/.aws/config (default: AWS_PROFILE).
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// Another endpoint, e.g. a local emulator (default: AWS_ENDPOINT_URL).
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,
    #[command(subcommand)]
    pub command: AwsCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum AwsCommand {
    /// Check a definition with flowc, then with ValidateStateMachineDefinition.
    Validate {
        /// The state machine (.flow or .asl.json).
        file: PathBuf,
        /// A .flow file's resource bound to an ARN (`flowc compile --bind`).
        #[arg(long = "bind", value_name = "NAME=ARN")]
        bindings: Vec<super::Binding>,
    },
    /// Start an execution, follow it, and print the result object `flowc simulate` prints.
    Run {
        /// The state machine (.flow or .asl.json): created (or updated) as a scratch machine
        /// named after the file (`flowc-<stem>`).
        #[arg(
            required_unless_present = "state_machine",
            conflicts_with = "state_machine"
        )]
        file: Option<PathBuf>,
        /// The scratch machine's execution role (with FILE).
        #[arg(long, value_name = "ARN", requires = "file")]
        role_arn: Option<String>,
        /// Run this existing state machine instead of a file.
        #[arg(long, value_name = "ARN")]
        state_machine: Option<String>,
        /// A .flow file's resource bound to an ARN.
        #[arg(long = "bind", value_name = "NAME=ARN")]
        bindings: Vec<super::Binding>,
        /// The execution input as JSON text (default `{}`).
        #[arg(long, value_name = "JSON", conflicts_with = "input_file")]
        input: Option<String>,
        /// Read the execution input from this JSON file (sent as written).
        #[arg(long, value_name = "F")]
        input_file: Option<PathBuf>,
        /// Write the execution's history (GetExecutionHistory's JSON) here once it ends.
        #[arg(long, value_name = "OUT.json")]
        history: Option<PathBuf>,
        /// Give up following after this many seconds (the execution goes on).
        #[arg(long, value_name = "SECONDS", default_value_t = 3600)]
        timeout: u64,
    },
    /// Write an execution's whole history (every page) as `flowc simulate --history` does.
    History {
        /// The execution's ARN.
        execution_arn: String,
        /// The file to write (default: stdout).
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

/// How often `run` asks how the execution is going.
const POLL: Duration = Duration::from_millis(500);

pub fn run(args: AwsArgs, global: &Global) -> ExitCode {
    let connection = Connection {
        region: args.region,
        profile: args.profile,
        endpoint_url: args.endpoint_url,
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprint_line(&format!("error: cannot start the async runtime: {e}"));
            return ExitCode::from(EXIT_INPUT);
        }
    };
    let mut emitter = emitter_for(global);
    let result = runtime.block_on(async {
        let client = aws::client(&connection).await?;
        match args.command {
            AwsCommand::Validate { file, bindings } => {
                validate(&client, &file, &bindings, global).await
            }
            AwsCommand::Run {
                file,
                role_arn,
                state_machine,
                bindings,
                input,
                input_file,
                history,
                timeout,
            } => {
                let input =
                    match super::simulate::read_input_text(input.as_deref(), input_file.as_deref())
                    {
                        Ok((text, _)) => text,
                        Err(e) => {
                            emitter_for(global).emit(&e, None);
                            return Ok(ExitCode::from(EXIT_INPUT));
                        }
                    };
                let target = match (file, state_machine) {
                    (_, Some(arn)) => Target::Existing(arn),
                    (Some(file), None) => Target::File(file, role_arn),
                    (None, None) => unreachable_target(),
                };
                execute(&client, target, &bindings, &input, history, timeout, global).await
            }
            AwsCommand::History {
                execution_arn,
                output,
            } => {
                let history = aws::history(&client, &execution_arn).await?;
                Ok(write_history(output.as_ref(), &history, global))
            }
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            emitter.emit(&e, None);
            ExitCode::from(EXIT_INPUT)
        }
    }
}

/// clap requires FILE or --state-machine; this is never reached.
fn unreachable_target() -> Target {
    Target::Existing(String::new())
}

enum Target {
    File(PathBuf, Option<String>),
    Existing(String),
}

/// The definition's text as AWS is sent it (a `.flow` compiled, an `.asl.json` as written),
/// with the file it came from; `None` when flowc's own checks failed (reported).
fn definition(
    file: &std::path::Path,
    bindings: &[super::Binding],
    global: &Global,
) -> Option<(String, super::pipeline::Loaded)> {
    let mut b = crate::lower::Bindings::new();
    for binding in bindings {
        b.insert(binding.name.clone(), binding.arn.clone());
    }
    let mut emitter = emitter_for(global);
    let loaded = super::pipeline::load_checked_source(file, &b, &mut emitter);
    super::pipeline::summary(&emitter, &super::display_path(file));
    let loaded = loaded?;
    let text = if file.extension().is_some_and(|e| e == "flow") {
        flowc_asl::emit(&loaded.machine)
    } else {
        loaded.source.text().to_owned()
    };
    Some((text, loaded))
}

async fn validate(
    client: &aws_sdk_sfn::Client,
    file: &std::path::Path,
    bindings: &[super::Binding],
    global: &Global,
) -> Result<ExitCode, AwsError> {
    let Some((text, loaded)) = definition(file, bindings, global) else {
        return Ok(ExitCode::from(EXIT_INPUT));
    };
    let diagnostics = aws::validate(client, &text).await?;
    let name = super::display_path(file);
    let mut emitter = emitter_for(global);
    let mut errors = 0;
    for d in &diagnostics {
        let finding = AwsFinding::new(d, loaded.spans.as_ref());
        errors += usize::from(finding.is_error());
        emitter.emit(&finding, Some(&loaded.source));
    }
    let verdict = if errors == 0 {
        format!(
            "{name}: ValidateStateMachineDefinition: OK ({} warnings)\n",
            diagnostics.len()
        )
    } else {
        format!("{name}: ValidateStateMachineDefinition: {errors} errors\n")
    };
    let _ = print_stdout(&verdict);
    Ok(ExitCode::from(if errors == 0 {
        EXIT_OK
    } else {
        EXIT_INPUT
    }))
}

async fn execute(
    client: &aws_sdk_sfn::Client,
    target: Target,
    bindings: &[super::Binding],
    input: &str,
    history_out: Option<PathBuf>,
    timeout: u64,
    global: &Global,
) -> Result<ExitCode, AwsError> {
    let machine_arn = match target {
        Target::Existing(arn) => arn,
        Target::File(file, role) => {
            let Some(role) = role else {
                eprint_line(
                    "error: flowc aws run FILE needs --role-arn ARN: the scratch state machine's execution role",
                );
                return Ok(ExitCode::from(super::EXIT_USAGE));
            };
            let Some((text, _)) = definition(&file, bindings, global) else {
                return Ok(ExitCode::from(EXIT_INPUT));
            };
            let stem = crate::testing::machine_name(&file);
            let name: String = format!("flowc-{stem}")
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                        c
                    } else {
                        '-'
                    }
                })
                .take(80)
                .collect();
            aws::put_state_machine(client, &name, &text, &role).await?
        }
    };
    let execution = aws::start(client, &machine_arn, input).await?;
    eprint_line(&format!("started {execution}"));
    let mut line = super::progress::Progress::on_stderr();
    let started = Instant::now();
    let mut progress = aws::Progress::default();
    loop {
        let status = aws::status(client, &execution).await?;
        if status != ExecutionStatus::Running && status != ExecutionStatus::PendingRedrive {
            break;
        }
        if started.elapsed() > Duration::from_secs(timeout) {
            line.clear();
            eprint_line(&format!(
                "error: {execution} still runs after {timeout} s; `flowc aws history {execution}` fetches it later"
            ));
            return Ok(ExitCode::from(EXIT_INPUT));
        }
        // Only a drawn line needs the events: DescribeExecution alone says when it ends.
        if line.enabled() {
            aws::follow(client, &execution, &mut progress).await?;
            line.update(|| {
                format!(
                    "[{} states] {} ({:.0} s)",
                    progress.entered,
                    progress.current.as_deref().unwrap_or("starting"),
                    started.elapsed().as_secs_f64()
                )
            });
        }
        std::thread::sleep(POLL);
    }
    line.clear();
    let history = aws::history(client, &execution).await?;
    if let Some(path) = &history_out {
        let code = write_history(Some(path), &history, global);
        if code != ExitCode::from(EXIT_OK) {
            return Ok(code);
        }
    }
    let _ = print_stdout(&format!("{}\n", aws::result_object(&history)));
    Ok(ExitCode::from(EXIT_OK))
}

fn write_history(path: Option<&PathBuf>, history: &Value, global: &Global) -> ExitCode {
    let text = serde_json::to_string_pretty(history).unwrap_or_default() + "\n";
    let written = match path {
        Some(path) => write_file(path, text.as_bytes()),
        None => print_stdout(&text),
    };
    match written {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(error) => {
            let shown = path.map_or("<stdout>".to_string(), |p| p.display().to_string());
            report(&mut emitter_for(global), &error, &shown);
            ExitCode::from(EXIT_INPUT)
        }
    }
}
