//! Test support: a moto server and a throwaway PostgreSQL cluster, started once per test binary,
//! plus the shared infrastructure (VPC, ALB, listener, zone, cluster, tables, user pool, state
//! machine) created in moto by `moto_setup.py`.
//!
//! Cleanup without destructors: statics never drop, so each server gets a watcher shell whose
//! stdin is a pipe held by this process. When the test process exits (pass, fail or panic) the
//! pipe closes, `cat` returns, and the watcher stops the server and removes its directory.
#![allow(dead_code)]

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_sdk_dynamodb::config::{Credentials, Region};
use serde::Deserialize;
use tenant_core::{AwsClients, ProvisioningConfig, RegistrationConfig, StatusConfig};

/// A test's (or a test helper's) result: any error fails the test with its message.
pub type TestResult<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// What `moto_setup.py` created.
#[derive(Clone, Debug, Deserialize)]
pub struct Infra {
    pub vpc_id: String,
    pub subnet_ids: Vec<String>,
    pub security_group_id: String,
    pub alb_arn: String,
    pub listener_arn: String,
    pub zone_id: String,
    pub user_pool_id: String,
    pub state_machine_arn: String,
    /// The master user's credentials as RDS's managed secret holds them.
    pub master_secret_arn: String,
}

pub struct Servers {
    pub moto_url: String,
    /// What the provisioning Lambda gets: RDS's master user as it is (LOGIN CREATEROLE CREATEDB,
    /// no SUPERUSER, owner of the `tenants` database), over TLS with sslmode=verify-full.
    pub database_url: String,
    /// The same endpoint without credentials: the provisioning Lambda's DATABASE_URL (the
    /// credentials come from the master secret, `Infra::master_secret_arn`).
    pub endpoint_url: String,
    /// The cluster's superuser over the loopback, for inspecting what the Lambdas did.
    pub admin_url: String,
    pub postgres: Postgres,
    pub infra: Infra,
    /// Held only so the watchers' stdin stays open for the life of the process.
    _watchers: Mutex<Vec<Child>>,
}

/// The test PostgreSQL: TLS on, with a throwaway CA (`ca_pem`) whose server certificate names
/// `localhost` only; `other_ca_pem` is a CA that signed nothing the server presents.
#[derive(Clone, Debug)]
pub struct Postgres {
    pub port: u16,
    pub ca_pem: PathBuf,
    pub other_ca_pem: PathBuf,
}

/// RDS's master user, as the test cluster has it (see `start_postgres`).
pub const MASTER_USER: &str = "rds_master";
pub const MASTER_PASSWORD: &str = "master-Secret-1";
pub const DATABASE: &str = "tenants";

impl Postgres {
    /// A master-user URL for `host` with `params` (e.g. "sslmode=verify-full&sslrootcert=...").
    pub fn master_url(&self, host: &str, params: &str) -> String {
        format!(
            "postgres://{MASTER_USER}:{MASTER_PASSWORD}@{host}:{}/{DATABASE}?{params}",
            self.port
        )
    }

    /// The endpoint alone, as DATABASE_URL holds it beside DATABASE_SECRET_ARN.
    pub fn endpoint_url(&self, host: &str, params: &str) -> String {
        format!("postgres://{host}:{}/{DATABASE}?{params}", self.port)
    }
}

pub const DOMAIN: &str = "tenants.example.com";
pub const CLUSTER: &str = "tenants";
pub const TENANTS_TABLE: &str = "tenants";
pub const REGISTRATIONS_TABLE: &str = "tenant-registrations";

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("no free port: {e}"));
    listener
        .local_addr()
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no local addr: {e}"))
}

fn wait_for_port(port: u16, what: &str, log: &Path) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let log = std::fs::read_to_string(log).unwrap_or_default();
    panic!("{what} did not listen on port {port} within 60 s; its log:\n{log}");
}

/// A shell that runs `script` once this process's end of its stdin closes.
fn watcher(script: &str) -> Child {
    Command::new("sh")
        .arg("-c")
        .arg(format!("cat >/dev/null; {script}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start cleanup watcher: {e}"))
}

fn run(command: &mut Command, what: &str) -> String {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    if !output.status.success() {
        panic!(
            "{what} failed ({}):\n{}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// moto's server through scripts/moto_server.py, which dispatches requests one at a time (moto's
/// backends are not thread-safe: concurrent DynamoDB transactions fail with HTTP 500) and picks
/// its own free port, written to a port file once it accepts connections.
fn start_moto(watchers: &mut Vec<Child>, dir: &Path) -> String {
    let port_file = dir.join("moto.port");
    let log = dir.join("moto.log");
    let moto = flowc_test_moto::spawn(&port_file, &log, &[]);
    watchers.push(watcher(&format!("kill {}", moto.id())));
    // Kept with the watchers: moto is reaped by nobody but lives exactly as long as they do.
    watchers.push(moto);
    let port = flowc_test_moto::wait_for_port_file(&port_file, "moto", &log);
    format!("http://127.0.0.1:{port}")
}

/// A CA (its PEM path) and, when `server` is given, a server certificate and key for
/// `localhost` signed by it, written as `server.crt` / `server.key` into `dir`.
fn write_test_ca(dir: &Path, name: &str, server: bool) -> PathBuf {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
    let fail = |e: rcgen::Error| -> ! { panic!("cannot make the test certificates: {e}") };
    let ca_key = KeyPair::generate().unwrap_or_else(|e| fail(e));
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap_or_else(|e| fail(e));
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca.distinguished_name
        .push(DnType::CommonName, format!("flowc test {name}"));
    let ca = rcgen::CertifiedIssuer::self_signed(ca, ca_key).unwrap_or_else(|e| fail(e));
    let write = |file: &str, text: &str| {
        let path = dir.join(file);
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        path
    };
    let ca_path = write(&format!("{name}.pem"), &ca.pem());
    if server {
        let key = KeyPair::generate().unwrap_or_else(|e| fail(e));
        let mut params =
            CertificateParams::new(vec!["localhost".to_owned()]).unwrap_or_else(|e| fail(e));
        params
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        let cert = params.signed_by(&key, &ca).unwrap_or_else(|e| fail(e));
        write("server.crt", &cert.pem());
        let key_path = write("server.key", &key.serialize_pem());
        // PostgreSQL refuses a key file others can read.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o600))
            .unwrap_or_else(|e| panic!("chmod server.key: {e}"));
    }
    ca_path
}

/// A PostgreSQL cluster set up as RDS sets one up: TLS on (a throwaway CA), a master user with
/// LOGIN CREATEROLE CREATEDB and no SUPERUSER that owns the application database, and that
/// user refused without TLS (`rds.force_ssl=1`, RDS's default from PostgreSQL 15 on) and
/// authenticated by SCRAM. The superuser `postgres` stays reachable without TLS for inspection.
fn start_postgres(watchers: &mut Vec<Child>, dir: &Path) -> (Postgres, String, String) {
    let ca_pem = write_test_ca(dir, "ca", true);
    let other_ca_pem = write_test_ca(dir, "other-ca", false);
    // initdb refuses to run as root: the cluster belongs to the `postgres` user.
    run(
        Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(dir),
        "chown",
    );
    let data = dir.join("data");
    let log = dir.join("postgres.log");
    run(
        Command::new("runuser")
            .args([
                "-u",
                "postgres",
                "--",
                "initdb",
                "--no-sync",
                "-A",
                "trust",
                "-U",
                "postgres",
                "-D",
            ])
            .arg(&data),
        "initdb (is PostgreSQL installed and is there a `postgres` user?)",
    );
    // First match wins: the superuser without a password (inspection only); every other user
    // (the master user, the tenants' login roles) only over TLS, with its password.
    let hba = data.join("pg_hba.conf");
    let trusting = std::fs::read_to_string(&hba).unwrap_or_else(|e| panic!("pg_hba.conf: {e}"));
    std::fs::write(
        &hba,
        format!(
            "host all postgres 127.0.0.1/32 trust\nlocal all postgres trust\n\
             hostnossl all all all reject\nhostssl all all all scram-sha-256\n{trusting}"
        ),
    )
    .unwrap_or_else(|e| panic!("pg_hba.conf: {e}"));
    let port = free_port();
    let options = format!(
        "-p {port} -k {dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100 \
         -c ssl=on -c ssl_cert_file={dir}/server.crt -c ssl_key_file={dir}/server.key",
        dir = dir.display()
    );
    run(
        Command::new("runuser")
            .args(["-u", "postgres", "--", "pg_ctl", "-w", "-D"])
            .arg(&data)
            .args(["-l"])
            .arg(&log)
            .args(["-o", &options, "start"]),
        "pg_ctl start",
    );
    watchers.push(watcher(&format!(
        "runuser -u postgres -- pg_ctl -D '{}' -m immediate stop; rm -rf '{}'",
        data.display(),
        dir.display()
    )));
    wait_for_port(port, "postgres", &log);
    let setup = format!(
        "CREATE ROLE {MASTER_USER} LOGIN PASSWORD '{MASTER_PASSWORD}' CREATEROLE CREATEDB; \
         CREATE DATABASE {DATABASE} OWNER {MASTER_USER};"
    );
    for statement in setup.split_inclusive(';') {
        run(
            Command::new("runuser")
                .args([
                    "-u",
                    "postgres",
                    "--",
                    "psql",
                    "-X",
                    "-v",
                    "ON_ERROR_STOP=1",
                    "-h",
                ])
                .arg(dir)
                .args([
                    "-p",
                    &port.to_string(),
                    "-d",
                    "postgres",
                    "-c",
                    statement.trim(),
                ]),
            "psql (master user setup)",
        );
    }
    let postgres = Postgres {
        port,
        ca_pem,
        other_ca_pem,
    };
    let database_url = postgres.master_url(
        "localhost",
        &format!(
            "sslmode=verify-full&sslrootcert={}",
            postgres.ca_pem.display()
        ),
    );
    let admin_url = format!("host=127.0.0.1 port={port} user=postgres dbname={DATABASE}");
    (postgres, database_url, admin_url)
}

fn setup_infra(moto_url: &str, definition: Option<&str>) -> Infra {
    let python = flowc_test_moto::python();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/moto_setup.py");
    let mut child = Command::new(python)
        .arg(script)
        .arg(moto_url)
        .args(definition.map(|_| "-"))
        .env(
            "FLOWC_MASTER_SECRET",
            serde_json::json!({"username": MASTER_USER, "password": MASTER_PASSWORD}).to_string(),
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run moto_setup.py: {e}"));
    if let (Some(definition), Some(mut stdin)) = (definition, child.stdin.take()) {
        stdin
            .write_all(definition.as_bytes())
            .unwrap_or_else(|e| panic!("moto_setup.py stdin: {e}"));
    }
    let output = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("moto_setup.py: {e}"));
    let out = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        panic!(
            "moto_setup.py failed ({}):\n{out}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("moto_setup.py printed {out:?}: {e}"))
}

/// The servers of this test binary, started on first use (moto's state machine is a one-state
/// placeholder: these tests only check that registration starts an execution).
pub fn servers() -> &'static Servers {
    static SERVERS: OnceLock<Servers> = OnceLock::new();
    SERVERS.get_or_init(|| start(None))
}

/// The servers of this test binary with `definition` (ASL JSON text) as moto's state machine.
pub fn servers_with_definition(definition: &str) -> &'static Servers {
    static SERVERS: OnceLock<Servers> = OnceLock::new();
    SERVERS.get_or_init(|| start(Some(definition)))
}

/// Starts both servers; `definition` is the state machine registered in moto.
pub fn start(definition: Option<&str>) -> Servers {
    let dir: PathBuf = tempfile::Builder::new()
        .prefix("flowc-lambdas-")
        .tempdir()
        .unwrap_or_else(|e| panic!("no temp dir: {e}"))
        .keep();
    let mut watchers = Vec::new();
    let moto_url = start_moto(&mut watchers, &dir);
    let (postgres, database_url, admin_url) = start_postgres(&mut watchers, &dir);
    let infra = setup_infra(&moto_url, definition);
    let endpoint_url = postgres.endpoint_url(
        "localhost",
        &format!(
            "sslmode=verify-full&sslrootcert={}",
            postgres.ca_pem.display()
        ),
    );
    Servers {
        moto_url,
        database_url,
        endpoint_url,
        admin_url,
        postgres,
        infra,
        _watchers: Mutex::new(watchers),
    }
}

impl Servers {
    pub async fn clients(&self) -> AwsClients {
        let config = aws_config::defaults(BehaviorVersion::latest())
            .endpoint_url(&self.moto_url)
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("testing", "testing", None, None, "tests"))
            // A moto action that is missing must fail fast, not retry.
            .retry_config(RetryConfig::standard().with_max_attempts(2))
            .http_client(tenant_core::clients::https_client())
            .load()
            .await;
        AwsClients::from_sdk_config(&config)
    }

    fn lookup(&self, name: &str) -> Option<String> {
        let infra = &self.infra;
        Some(match name {
            "TENANTS_TABLE" => TENANTS_TABLE.to_owned(),
            "REGISTRATIONS_TABLE" => REGISTRATIONS_TABLE.to_owned(),
            "STATE_MACHINE_ARN" => infra.state_machine_arn.clone(),
            "COGNITO_USER_POOL_ID" => infra.user_pool_id.clone(),
            "ECS_CLUSTER_NAME" => CLUSTER.to_owned(),
            "VPC_ID" => infra.vpc_id.clone(),
            "PRIVATE_SUBNET_IDS" => infra.subnet_ids.join(","),
            "SECURITY_GROUP_IDS" => infra.security_group_id.clone(),
            "ALB_ARN" => infra.alb_arn.clone(),
            "ALB_LISTENER_ARN" => infra.listener_arn.clone(),
            "ROUTE53_ZONE_ID" => infra.zone_id.clone(),
            "DOMAIN_NAME" => DOMAIN.to_owned(),
            "DATABASE_URL" => self.endpoint_url.clone(),
            "DATABASE_SECRET_ARN" => infra.master_secret_arn.clone(),
            "BACKEND_IMAGE" => "registry.example.com/tenant-backend:1".to_owned(),
            "FRONTEND_IMAGE" => "registry.example.com/tenant-frontend:1".to_owned(),
            "TENANT_LOG_GROUP" => "/flowc/tenants".to_owned(),
            "AWS_REGION" => "us-east-1".to_owned(),
            _ => return None,
        })
    }

    pub fn provisioning_config(&self) -> ProvisioningConfig {
        ProvisioningConfig::from_lookup(|n| self.lookup(n)).unwrap_or_else(|e| panic!("{e}"))
    }

    pub fn registration_config(&self) -> RegistrationConfig {
        RegistrationConfig::from_lookup(|n| self.lookup(n)).unwrap_or_else(|e| panic!("{e}"))
    }

    pub fn status_config(&self) -> StatusConfig {
        StatusConfig::from_lookup(|n| self.lookup(n)).unwrap_or_else(|e| panic!("{e}"))
    }

    /// A psql-free SQL query against the test cluster: the rows' first column as text.
    pub async fn sql_strings(&self, query: &str) -> Vec<String> {
        let (client, connection) = tokio_postgres::connect(&self.admin_url, tokio_postgres::NoTls)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to the test database: {e}"));
        let driver = tokio::spawn(connection);
        let rows = client
            .query(query, &[])
            .await
            .unwrap_or_else(|e| panic!("{query}: {e}"));
        drop(client);
        let _ = driver.await;
        rows.iter()
            .filter_map(|row| row.try_get::<_, String>(0).ok())
            .collect()
    }
}

/// A subdomain no other test in this binary uses.
pub fn unique_subdomain(stem: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(1);
    format!("{stem}{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// The test seam in front of ECS/ELBv2: reads the real service and target group from moto
/// (so they must really exist), then reports what a real cluster would. moto's ECS never starts
/// a task, so `Healthy` is the only way to a healthy answer; `AsMoto` passes moto's truth
/// through (0 running, rollout IN_PROGRESS: pending forever); `RolloutFailed` is what the
/// circuit breaker reports for a crashing container.
#[derive(Clone, Debug)]
pub struct ScriptedHealth {
    real: tenant_core::AwsHealth,
    mode: HealthMode,
    /// The desired count of the service read last: a healthy service has one healthy target per
    /// task, and the checker reads the service before its target group (plans run 1 or 2 tasks).
    desired: std::sync::Arc<std::sync::atomic::AtomicI32>,
}

impl ScriptedHealth {
    pub fn new(real: tenant_core::AwsHealth, mode: HealthMode) -> Self {
        Self {
            real,
            mode,
            desired: std::sync::Arc::new(std::sync::atomic::AtomicI32::new(1)),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HealthMode {
    Healthy,
    AsMoto,
    RolloutFailed,
}

impl tenant_core::HealthSource for ScriptedHealth {
    async fn service(
        &self,
        cluster: &str,
        service: &str,
    ) -> Result<Option<tenant_core::ServiceReading>, tenant_core::ActionError> {
        let reading = self.real.service(cluster, service).await?;
        Ok(reading.map(|mut reading| {
            self.desired.store(reading.desired_count, Ordering::Relaxed);
            match self.mode {
                HealthMode::Healthy => {
                    reading.running_count = reading.desired_count;
                    reading.rollout_state = Some("COMPLETED".to_owned());
                }
                HealthMode::AsMoto => {}
                HealthMode::RolloutFailed => {
                    reading.rollout_state = Some("FAILED".to_owned());
                    reading.rollout_reason =
                        Some("ECS deployment circuit breaker: tasks failed to start.".to_owned());
                    reading.failed_tasks = 3;
                }
            }
            reading
        }))
    }

    async fn targets(
        &self,
        target_group: &str,
    ) -> Result<Option<Vec<tenant_core::TargetReading>>, tenant_core::ActionError> {
        let targets = self.real.targets(target_group).await?;
        Ok(targets.map(|targets| match self.mode {
            HealthMode::Healthy => {
                let tasks = usize::try_from(self.desired.load(Ordering::Relaxed)).unwrap_or(1);
                vec![
                    tenant_core::TargetReading {
                        state: "healthy".to_owned(),
                        reason: None,
                    };
                    tasks.max(1)
                ]
            }
            HealthMode::AsMoto | HealthMode::RolloutFailed => targets,
        }))
    }
}
