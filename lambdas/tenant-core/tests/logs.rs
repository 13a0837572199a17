//! The Lambdas' logs (tenant-core/src/logging.rs): a handler run against moto and PostgreSQL
//! with the production subscriber writing into a buffer; every line must be JSON with the
//! tenant, the step and the outcome, and RUST_LOG / AWS_LAMBDA_LOG_LEVEL must filter them.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use support::{TestResult, servers, unique_subdomain};
use tenant_core::{Provisioner, Registrar, logging};

/// A MakeWriter that appends to a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Self;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

impl Captured {
    /// Every line written, parsed (a line that is not JSON fails the test).
    fn lines(&self) -> TestResult<Vec<Value>> {
        let bytes = self.0.lock().map_err(|_| "poisoned")?.clone();
        let text = String::from_utf8(bytes)?;
        text.lines()
            .map(|line| {
                serde_json::from_str(line).map_err(|e| format!("not JSON ({e}): {line}").into())
            })
            .collect()
    }
}

/// Registers a tenant and runs validate, create_schema and an action on an unknown tenant, on
/// one thread with the logging subscriber set to `env` (name -> value).
fn run_logged(env: &[(&str, &str)]) -> TestResult<(Vec<Value>, String, String)> {
    let captured = Captured::default();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let filter =
        logging::filter(|name| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()));
    let _guard = tracing::subscriber::set_default(logging::subscriber(captured.clone(), filter));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let s = servers();
    let clients = runtime.block_on(s.clients());
    let registrar = Registrar::new(s.registration_config(), clients.clone());
    let provisioner = Provisioner::new(s.provisioning_config(), clients);
    let subdomain = unique_subdomain("logs");
    let registered = runtime.block_on(registrar.handle(json!({
        "email": format!("owner@{subdomain}.example.org"),
        "company_name": "Logs Ltd",
        "subdomain": subdomain,
        "plan": "starter"
    })))?;
    let tenant_id = registered["tenant_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let input = json!({"tenant_id": tenant_id, "subdomain": subdomain});
    runtime.block_on(provisioner.handle(json!({"action": "validate", "input": input})))?;
    runtime.block_on(provisioner.handle(
        json!({"action": "create_schema", "tenant_id": tenant_id, "subdomain": subdomain}),
    ))?;
    let unknown = "0f8fad5b-d9cb-469f-a165-70867728950e";
    let refused = runtime.block_on(
        provisioner
            .handle(json!({"action": "create_dns", "tenant_id": unknown, "subdomain": subdomain})),
    );
    if refused.is_ok() {
        return Err("an unknown tenant was provisioned".into());
    }
    Ok((captured.lines()?, tenant_id, subdomain))
}

/// (level, tenant_id, step, outcome) of each line.
fn summary(lines: &[Value]) -> Vec<[String; 4]> {
    lines
        .iter()
        .map(|line| {
            ["level", "tenant_id", "step", "outcome"]
                .map(|key| line[key].as_str().unwrap_or_default().to_owned())
        })
        .collect()
}

#[test]
fn every_action_logs_one_json_line_with_tenant_step_and_outcome() -> TestResult {
    let (lines, tenant_id, _) = run_logged(&[])?;
    let unknown = "0f8fad5b-d9cb-469f-a165-70867728950e";
    let expected = [
        ["INFO", &tenant_id, "register", "ok"],
        ["INFO", &tenant_id, "validate", "ok"],
        ["INFO", &tenant_id, "create_schema", "ok"],
        ["WARN", unknown, "create_dns", "Tenant.NotFound"],
    ]
    .map(|line| line.map(str::to_owned));
    assert_eq!(summary(&lines), expected, "{lines:#?}");
    // A failure says why; no line carries the tenant's password or the master's.
    assert!(
        lines[3]["error"]
            .as_str()
            .is_some_and(|e| e.contains(unknown)),
        "{lines:#?}"
    );
    let all = serde_json::to_string(&lines)?;
    assert!(!all.contains(support::MASTER_PASSWORD), "{all}");
    assert!(!all.contains("\"password\""), "{all}");
    Ok(())
}

#[test]
fn rust_log_and_the_lambda_log_level_filter_the_lines() -> TestResult {
    // RUST_LOG=warn: only the refused action.
    let (lines, _, _) = run_logged(&[("RUST_LOG", "warn")])?;
    assert_eq!(
        summary(&lines)
            .iter()
            .map(|l| l[3].as_str())
            .collect::<Vec<_>>(),
        ["Tenant.NotFound"],
        "{lines:#?}"
    );
    // Lambda's advanced logging controls win over RUST_LOG, as in lambda_runtime.
    let (lines, _, _) = run_logged(&[("RUST_LOG", "warn"), ("AWS_LAMBDA_LOG_LEVEL", "ERROR")])?;
    assert_eq!(lines, Vec::<Value>::new());
    // A directive for the SDK's own crates lets their debug events through too.
    let (lines, _, _) = run_logged(&[("RUST_LOG", "info,aws_smithy_runtime=debug")])?;
    let debug = lines.iter().filter(|l| l["level"] == "DEBUG").count();
    assert!(debug > 0, "no SDK debug line: {lines:#?}");
    assert_eq!(
        lines.iter().filter(|l| l["level"] == "INFO").count(),
        3,
        "{lines:#?}"
    );
    Ok(())
}
