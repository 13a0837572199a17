//! Structured logs: one JSON line per action (issue 15, finding 5).
//!
//! Every handler logs one event when its action ends, with `tenant_id`, `step` and `outcome`
//! (`ok`, or the error's `Tenant.*` name with its message), through `tracing`. The subscriber is
//! lambda_runtime's stack (tracing-subscriber's JSON formatter, re-exported by lambda_runtime's
//! `tracing` feature), set up as `lambda_runtime::tracing::init_default_subscriber` sets it up
//! but always as JSON, whatever the function's log format: CloudWatch Logs Insights then
//! filters on `tenant_id` and `outcome` without parsing text. The level comes from
//! `AWS_LAMBDA_LOG_LEVEL` (Lambda's advanced logging controls), else `RUST_LOG` (a full
//! directive such as `info,tenant_core=debug,aws_smithy_runtime=debug` works), else `info`.
//! Lambda adds the request id to every line it stores; the SDK's own events are debug/trace.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// The filter `AWS_LAMBDA_LOG_LEVEL` / `RUST_LOG` ask for, from `lookup`; a directive that does
/// not parse is skipped (the rest still applies) rather than silencing the function.
pub fn filter(lookup: impl Fn(&str) -> Option<String>) -> EnvFilter {
    let directives = lookup("AWS_LAMBDA_LOG_LEVEL")
        .or_else(|| lookup("RUST_LOG"))
        .filter(|d| !d.trim().is_empty())
        .unwrap_or_else(|| "info".to_owned());
    EnvFilter::builder().parse_lossy(directives.to_ascii_lowercase())
}

/// A JSON-lines subscriber writing to `writer`: each event one object with its fields at the top
/// level, no ANSI, no timestamp (Lambda stamps lines). Inside lambda_runtime (its `tracing`
/// feature) an event also carries the invocation's span, `{"requestId", "xrayTraceId"}`: the
/// X-Ray trace a line belongs to.
pub fn subscriber<W>(writer: W, filter: EnvFilter) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(true)
        .with_span_list(false)
        .with_target(false)
        .without_time()
        .with_ansi(false)
        .with_env_filter(filter)
        .with_writer(writer)
        .finish()
}

/// Installs the JSON subscriber on stdout for the process (the Lambda mains call this first).
pub fn init() {
    let filter = filter(|name| std::env::var(name).ok());
    // Only fails when a subscriber is already set (a second init): keep the first.
    let _ = tracing::subscriber::set_global_default(subscriber(std::io::stdout, filter));
}

/// The one line an action ends with.
pub fn action_done(
    tenant_id: Option<&str>,
    step: &str,
    result: Result<&serde_json::Value, &crate::ActionError>,
) {
    let tenant_id = tenant_id.unwrap_or("");
    match result {
        Ok(_) => tracing::info!(tenant_id, step, outcome = "ok", "action succeeded"),
        Err(error) => tracing::warn!(
            tenant_id,
            step,
            outcome = error.error_name(),
            error = %error,
            "action failed"
        ),
    }
}

/// The tenant id an event or a response names (`tenant_id`, or validate's `input.tenant_id`),
/// for the log line of an action that may have failed before parsing it.
pub fn tenant_id_of(value: &serde_json::Value) -> Option<&str> {
    value
        .get("tenant_id")
        .or_else(|| value.get("input").and_then(|input| input.get("tenant_id")))
        .and_then(serde_json::Value::as_str)
}

/// The log line of one action, begun from its event (the tenant and step are taken before the
/// event is consumed) and written when the action ends.
pub struct ActionLine {
    tenant_id: Option<String>,
    step: String,
}

impl ActionLine {
    /// The step is the event's `action`, or `default_step` for a function with one action.
    pub fn begin(event: &serde_json::Value, default_step: &str) -> Self {
        Self {
            tenant_id: tenant_id_of(event).map(str::to_owned),
            step: event
                .get("action")
                .and_then(serde_json::Value::as_str)
                .unwrap_or(default_step)
                .to_owned(),
        }
    }

    /// Writes the line; a response names the tenant when the event did not (registration).
    pub fn end(self, result: Result<&serde_json::Value, &crate::ActionError>) {
        let tenant_id = self
            .tenant_id
            .or_else(|| result.ok().and_then(tenant_id_of).map(str::to_owned));
        action_done(tenant_id.as_deref(), &self.step, result);
    }
}
