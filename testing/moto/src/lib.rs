//! Test-only: moto 5.2.5's server, started through `scripts/moto_server.py`, for every test that
//! talks to it (the `flowc aws` tests, the Distributed Map's S3 tests, the Lambdas' tests).
//!
//! The launcher picks a free port and writes it to a port file once it accepts connections, so
//! starting never races on a port. moto comes from `FLOWC_MOTO_PYTHON`, which
//! `eval "$(scripts/ensure-tools.sh)"` exports; without it the tests fail loudly, never skip.

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The repository's `scripts/moto_server.py` (this crate sits at `testing/moto`).
pub fn launcher() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/moto_server.py")
}

/// The Python that has moto, from `FLOWC_MOTO_PYTHON`; panics with how to get it.
pub fn python() -> String {
    match std::env::var("FLOWC_MOTO_PYTHON") {
        Ok(value) if !value.is_empty() => value,
        _ => panic!(
            "FLOWC_MOTO_PYTHON is not set: these tests need moto 5.2.5. Run \
             `eval \"$(scripts/ensure-tools.sh)\"` in the repository root first (it installs moto \
             into a venv and prints the exports)."
        ),
    }
}

/// Spawns the launcher with `extra` arguments; it writes its port to `port_file` and its output
/// to `log`. The caller owns the child: [`Moto`] kills it when dropped, a once-per-binary server
/// hands it to a watcher.
pub fn spawn(port_file: &Path, log: &Path, extra: &[&OsStr]) -> Child {
    let python = python();
    let log_file =
        std::fs::File::create(log).unwrap_or_else(|e| panic!("cannot create moto's log: {e}"));
    let err_file = log_file
        .try_clone()
        .unwrap_or_else(|e| panic!("cannot open moto's log: {e}"));
    Command::new(&python)
        .arg(launcher())
        .arg("--port-file")
        .arg(port_file)
        .args(extra)
        .stdin(Stdio::null())
        .stdout(log_file)
        .stderr(err_file)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start moto ({python}): {e}"))
}

/// Waits up to 60 s for a server to write its port to `port_file` (written whole, through a
/// rename); panics with the server's log when it does not.
pub fn wait_for_port_file(port_file: &Path, what: &str, log: &Path) -> u16 {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Some(port) = std::fs::read_to_string(port_file)
            .ok()
            .and_then(|text| text.trim().parse().ok())
        {
            return port;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let log = std::fs::read_to_string(log).unwrap_or_default();
    panic!(
        "{what} wrote no port to {} within 60 s; its log:\n{log}",
        port_file.display()
    );
}

/// moto's server on a free port, for one test; killed and reaped when dropped.
pub struct Moto {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Moto {
    /// Starts moto's server with the launcher's `extra` arguments and waits for its port.
    pub fn start(extra: &[&OsStr]) -> Moto {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
        let port_file = dir.path().join("moto.port");
        let log = dir.path().join("moto.log");
        let child = spawn(&port_file, &log, extra);
        // Owned at once, so a panic while waiting still kills and reaps it.
        let mut moto = Moto {
            child,
            port: 0,
            _dir: dir,
        };
        moto.port = wait_for_port_file(&port_file, "moto", &log);
        moto
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// POSTs `json` to moto's `/moto-api/config` (e.g. Step Functions' execution engine on:
    /// `{"stepfunctions": {"execute_state_machine": true}}`); panics unless moto answers 2xx.
    pub fn configure(&self, json: &str) {
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.port))
            .unwrap_or_else(|e| panic!("moto: {e}"));
        let request = format!(
            "POST /moto-api/config HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{json}",
            json.len()
        );
        stream
            .write_all(request.as_bytes())
            .unwrap_or_else(|e| panic!("moto config: {e}"));
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        assert!(
            answer.starts_with("HTTP/1.1 20") || answer.starts_with("HTTP/1.0 20"),
            "moto config: {answer}"
        );
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
