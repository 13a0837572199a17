//! A fake Lambda Runtime API (the HTTP interface a `provided.al2023` bootstrap polls), so the
//! built Lambda binaries can be run as Lambda runs them: the binary GETs
//! `/2018-06-01/runtime/invocation/next`, gets an event, and POSTs `.../{id}/response` or
//! `.../{id}/error`.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};

use serde_json::Value;

/// What a binary posted back for one invocation.
#[derive(Debug, Clone, PartialEq)]
pub struct Posted {
    pub request_id: String,
    /// `response`, `error`, or `init-error`.
    pub kind: String,
    pub body: Value,
}

pub struct FakeRuntime {
    /// `host:port`, the value of AWS_LAMBDA_RUNTIME_API.
    pub address: String,
    pub posted: Receiver<Posted>,
}

type Queue = Arc<Mutex<VecDeque<(String, Value)>>>;

/// Serves `events` in order (request ids `req-1`, `req-2`, ...); once they are used up, `next`
/// never answers, as when Lambda has no work for the function.
pub fn start(events: Vec<Value>) -> FakeRuntime {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
    let address = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|e| panic!("local_addr: {e}"));
    let queue: Queue = Arc::new(Mutex::new(
        events
            .into_iter()
            .enumerate()
            .map(|(i, e)| (format!("req-{}", i + 1), e))
            .collect(),
    ));
    let (sender, posted) = channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (queue, sender) = (queue.clone(), sender.clone());
            std::thread::spawn(move || serve(stream, &queue, &sender));
        }
    });
    FakeRuntime { address, posted }
}

fn serve(stream: TcpStream, queue: &Queue, sender: &Sender<Posted>) {
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    // One connection carries many requests (HTTP/1.1 keep-alive).
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut length = 0usize;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let mut parts = request_line.split_whitespace();
        let (method, path) = (
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
        );
        let reply = if method == "GET" && path.ends_with("/runtime/invocation/next") {
            let next = queue.lock().ok().and_then(|mut q| q.pop_front());
            let Some((id, event)) = next else {
                // No more work: hold the request open until the test ends the process.
                loop {
                    std::thread::park();
                }
            };
            let body = event.to_string();
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nLambda-Runtime-Aws-Request-Id: {id}\r\n\
                 Lambda-Runtime-Deadline-Ms: 4102444800000\r\n\
                 Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:123456789012:function:test\r\n\
                 Content-Length: {}\r\n\r\n{body}",
                body.len()
            )
        } else {
            let segments: Vec<&str> = path.split('/').collect();
            let (request_id, kind) = match segments.as_slice() {
                [.., "invocation", id, kind] => ((*id).to_owned(), (*kind).to_owned()),
                [.., "init", "error"] => (String::new(), "init-error".to_owned()),
                _ => (String::new(), format!("unexpected {method} {path}")),
            };
            let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let _ = sender.send(Posted {
                request_id,
                kind,
                body,
            });
            "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n{\"status\":\"OK\"}"
                .to_owned()
        };
        if writer.write_all(reply.as_bytes()).is_err() {
            return;
        }
    }
}

/// The environment Lambda gives a function, pointing at `runtime`; credentials are dummies and
/// the AWS endpoint is a closed port, so any AWS call would fail fast.
pub fn lambda_env(runtime: &FakeRuntime, function: &str) -> Vec<(String, String)> {
    [
        ("AWS_LAMBDA_RUNTIME_API", runtime.address.as_str()),
        ("AWS_LAMBDA_FUNCTION_NAME", function),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
        ("AWS_MAX_ATTEMPTS", "1"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}
