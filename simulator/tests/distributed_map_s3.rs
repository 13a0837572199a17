//! Distributed Map against a real S3 API: moto's server (started here through
//! `scripts/moto_server.py`, as the Lambda tests start it; `FLOWC_MOTO_PYTHON` from
//! `scripts/ensure-tools.sh`), bound to the simulator's `ObjectStore` by a plain HTTP client.
//!
//! Why plain HTTP and not aws-sdk-s3: moto accepts path-style requests whose signature it does
//! not check (the Authorization header only names the service), the three
//! calls a Distributed Map needs (GetObject, ListObjectsV2, PutObject) are one request each,
//! and the SDK would add a slow crate to the simulator's tests on a 2-core CI. The simulator
//! core stays free of network code: the binding is the caller's, here the test's.

use std::io::{Read, Write};
use std::net::TcpStream;

use std::time::Duration;

use flowc_sim::{
    ObjectInfo, ObjectStore, Program, Simulation, Status, StoreError, TaskCall, TaskFailure,
};
use flowc_test_moto::Moto;
use serde_json::{Value, json};

/// moto's server serves every service on one port and picks the service from the credential
/// scope of the Authorization header; it does not check the signature.
const AUTHORIZATION: &str = "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0";

/// S3 over plain HTTP/1.1, path-style, with a placeholder signature (what moto accepts).
struct S3 {
    port: u16,
}

impl S3 {
    fn request(&self, method: &str, path: &str, body: &[u8]) -> Result<(u16, Vec<u8>), StoreError> {
        let fail = |e: std::io::Error| StoreError(format!("{method} {path}: {e}"));
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).map_err(fail)?;
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .map_err(fail)?;
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAuthorization: {AUTHORIZATION}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.port,
            body.len()
        );
        stream.write_all(head.as_bytes()).map_err(fail)?;
        stream.write_all(body).map_err(fail)?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response).map_err(fail)?;
        let split = response
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .ok_or_else(|| StoreError(format!("{method} {path}: no HTTP response")))?;
        let head = String::from_utf8_lossy(&response[..split]).to_string();
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let mut body = response[split + 4..].to_vec();
        if head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
        {
            body = unchunk(&body);
        }
        Ok((status, body))
    }

    fn ok(&self, method: &str, path: &str, body: &[u8]) -> Result<Vec<u8>, StoreError> {
        match self.request(method, path, body)? {
            (200..=299, body) => Ok(body),
            (status, body) => Err(StoreError(format!(
                "{method} {path}: HTTP {status}: {}",
                String::from_utf8_lossy(&body)
            ))),
        }
    }
}

fn unchunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = body.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&body[..line_end]).trim(), 16)
            .unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = line_end + 2;
        out.extend_from_slice(&body[start..(start + size).min(body.len())]);
        body = &body[(start + size + 2).min(body.len())..];
    }
    out
}

/// Text between `<tag>` and `</tag>`, each occurrence.
fn tags<'t>(xml: &'t str, tag: &str) -> Vec<&'t str> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    xml.split(&open)
        .skip(1)
        .filter_map(|part| part.split(&close).next())
        .collect()
}

impl ObjectStore for S3 {
    fn get_object(&mut self, bucket: &str, key: &str) -> Result<Vec<u8>, StoreError> {
        self.ok("GET", &format!("/{bucket}/{key}"), b"")
    }

    fn list_objects(&mut self, bucket: &str, prefix: &str) -> Result<Vec<ObjectInfo>, StoreError> {
        let xml = self.ok(
            "GET",
            &format!("/{bucket}?list-type=2&prefix={prefix}"),
            b"",
        )?;
        let xml = String::from_utf8_lossy(&xml).to_string();
        Ok(tags(&xml, "Contents")
            .into_iter()
            .map(|c| ObjectInfo {
                key: tags(c, "Key").first().copied().unwrap_or("").to_string(),
                size: tags(c, "Size")
                    .first()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0),
                etag: tags(c, "ETag")
                    .first()
                    .copied()
                    .unwrap_or("")
                    .replace("&#34;", "\""),
                last_modified: tags(c, "LastModified")
                    .first()
                    .copied()
                    .unwrap_or("")
                    .to_string(),
            })
            .collect())
    }

    fn put_object(&mut self, bucket: &str, key: &str, body: &[u8]) -> Result<(), StoreError> {
        self.ok("PUT", &format!("/{bucket}/{key}"), body)
            .map(|_| ())
    }
}

fn bucket_with(s3: &mut S3, bucket: &str, objects: &[(&str, &str)]) {
    s3.ok("PUT", &format!("/{bucket}"), b"")
        .unwrap_or_else(|e| panic!("create bucket: {e}"));
    for (key, body) in objects {
        s3.put_object(bucket, key, body.as_bytes())
            .unwrap_or_else(|e| panic!("put {key}: {e}"));
    }
}

/// A Distributed Map over `reader` (and `extra` fields) whose child runs one Task.
fn machine(extra: Value) -> Program {
    let mut map = json!({
        "Type": "Map",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Work",
            "States": {"Work": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work", "End": true}}
        },
        "End": true
    });
    if let (Some(map), Value::Object(extra)) = (map.as_object_mut(), extra) {
        map.extend(extra);
    }
    Program::load(&json!({"StartAt": "Each", "States": {"Each": map}}))
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The child's Task: doubles `n` (a string in CSV rows), fails for `"fail": true` / "yes", and
/// takes 5 simulated seconds.
struct Work;

impl flowc_sim::TaskHandler for Work {
    fn invoke(&mut self, call: &TaskCall) -> Result<Value, TaskFailure> {
        let input = call.input;
        let fails = |v: &Value| v["fail"] == json!(true) || v["fail"] == json!("yes");
        if fails(input)
            || input["Items"]
                .as_array()
                .is_some_and(|items| items.iter().any(fails))
        {
            return Err(TaskFailure {
                error: "Work.Failed".into(),
                cause: "this item fails".into(),
            });
        }
        if let Some(items) = input["Items"].as_array() {
            return Ok(json!({"batch": items.len(), "input": input["BatchInput"]}));
        }
        let n = match &input["n"] {
            Value::String(s) => s.parse::<i64>().unwrap_or(0),
            v => v.as_i64().unwrap_or(0),
        };
        Ok(json!({"doubled": n * 2}))
    }

    fn duration_seconds(&mut self, _: &TaskCall) -> f64 {
        5.0
    }
}

fn types(outcome: &flowc_sim::Outcome) -> Vec<String> {
    let history: Value = serde_json::from_str(&outcome.history.to_json()).unwrap_or_default();
    history["events"]
        .as_array()
        .map(|events| {
            events
                .iter()
                .filter_map(|e| e["type"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn distributed_map_reads_s3_batches_writes_results_and_tolerates_failures() {
    let moto = Moto::start(&[]);
    let mut s3 = S3 { port: moto.port() };
    let rows: String = std::iter::once("n,fail".to_string())
        .chain((1..=25).map(|n| format!("{n},{}", if n == 7 { "yes" } else { "no" })))
        .collect::<Vec<_>>()
        .join("\n");
    bucket_with(
        &mut s3,
        "input",
        &[
            ("items.json", r#"[{"n": 1}, {"n": 2}, {"n": 3}]"#),
            ("items.jsonl", "{\"n\": 10}\n{\"n\": 20}\n"),
            ("rows.csv", &rows),
        ],
    );
    bucket_with(&mut s3, "results", &[]);
    let get = |key: &str, config: Value| {
        json!({"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": config,
            "Parameters": {"Bucket": "input", "Key": key}})
    };

    // An S3 JSON array: one child execution per item, outputs in item order.
    let program = machine(json!({"ItemReader": get("items.json", json!({"InputType": "JSON"}))}));
    let outcome = Simulation::new(&program)
        .handler(Work)
        .object_store(S3 { port: moto.port() })
        .run()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        outcome.status,
        Status::Succeeded,
        "{:?} {:?}",
        outcome.error,
        outcome.cause
    );
    assert_eq!(
        outcome.output().cloned(),
        Some(json!([{"doubled": 2}, {"doubled": 4}, {"doubled": 6}]))
    );
    assert_eq!(
        types(&outcome),
        [
            "ExecutionStarted",
            "MapStateEntered",
            "MapRunStarted",
            "MapRunSucceeded",
            "MapStateExited",
            "ExecutionSucceeded"
        ]
    );
    assert_eq!(outcome.map_runs.len(), 1);
    assert_eq!(outcome.map_runs[0].children.len(), 3);
    // Children run side by side: the run takes one child's 5 s, not three.
    assert_eq!(outcome.duration_seconds, 5.0);

    // JSON Lines.
    let program = machine(json!({"ItemReader": get("items.jsonl", json!({"InputType": "JSONL"}))}));
    let outcome = Simulation::new(&program)
        .handler(Work)
        .object_store(S3 { port: moto.port() })
        .run()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        outcome.output().cloned(),
        Some(json!([{"doubled": 20}, {"doubled": 40}]))
    );

    // CSV with a header row, batches of 10, a ResultWriter, and item 7 failing: its batch's
    // 10 items are within a ToleratedFailureCount of 10.
    let csv = get(
        "rows.csv",
        json!({"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"}),
    );
    let within = machine(json!({
        "ItemReader": csv,
        "ItemBatcher": {"MaxItemsPerBatch": 10, "BatchInput": {"run": "r1"}},
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
            "Parameters": {"Bucket": "results", "Prefix": "runs"}},
        "ToleratedFailureCount": 10,
        "MaxConcurrency": 2
    }));
    let outcome = Simulation::new(&within)
        .handler(Work)
        .object_store(S3 { port: moto.port() })
        .run()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(outcome.status, Status::Succeeded, "{:?}", outcome.cause);
    let run = &outcome.map_runs[0];
    assert_eq!(run.children.len(), 3, "25 items in batches of 10");
    assert_eq!(
        run.children[0].input["Items"].as_array().map(Vec::len),
        Some(10)
    );
    assert_eq!(
        run.children[2].input["Items"].as_array().map(Vec::len),
        Some(5)
    );
    assert_eq!(run.children[0].input["BatchInput"], json!({"run": "r1"}));
    assert!(
        run.children[0].result.is_err(),
        "the batch with item 7 fails"
    );
    // Two at a time: the third batch starts when the first ends.
    assert_eq!(outcome.duration_seconds, 10.0);
    let output = outcome.output().cloned().unwrap_or_default();
    let manifest_key = output["ResultWriterDetails"]["Key"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(output["ResultWriterDetails"]["Bucket"], json!("results"));
    assert_eq!(output["MapRunArn"], json!(run.map_run_arn));
    assert!(manifest_key.starts_with("runs/") && manifest_key.ends_with("/manifest.json"));
    let manifest: Value = serde_json::from_slice(
        &s3.get_object("results", &manifest_key)
            .unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or_default();
    let base = manifest_key.trim_end_matches("manifest.json");
    assert_eq!(
        manifest["ResultFiles"]["SUCCEEDED"][0]["Key"],
        json!(format!("{base}SUCCEEDED_0.json"))
    );
    assert_eq!(
        manifest["ResultFiles"]["FAILED"][0]["Key"],
        json!(format!("{base}FAILED_0.json"))
    );
    let succeeded: Value = serde_json::from_slice(
        &s3.get_object("results", &format!("{base}SUCCEEDED_0.json"))
            .unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or_default();
    assert_eq!(succeeded.as_array().map(Vec::len), Some(2));
    assert_eq!(succeeded[0]["Status"], json!("SUCCEEDED"));
    let failed: Value = serde_json::from_slice(
        &s3.get_object("results", &format!("{base}FAILED_0.json"))
            .unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or_default();
    assert_eq!(failed[0]["Error"], json!("Work.Failed"));

    // The same run with a 5% tolerance: the failed batch is over it, the run fails.
    let beyond = machine(json!({
        "ItemReader": get("rows.csv", json!({"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"})),
        "ItemBatcher": {"MaxItemsPerBatch": 10},
        "ToleratedFailurePercentage": 5
    }));
    let outcome = Simulation::new(&beyond)
        .handler(Work)
        .object_store(S3 { port: moto.port() })
        .run()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(outcome.status, Status::Failed);
    assert_eq!(
        outcome.error.as_deref(),
        Some("States.ExceedToleratedFailureThreshold")
    );
    assert!(types(&outcome).contains(&"MapRunFailed".to_string()));
    assert!(
        !types(&outcome).contains(&"MapIterationStarted".to_string()),
        "child executions write their own histories, not iterations in the parent's"
    );

    // An S3 listing: one child per object under the prefix.
    let listing = machine(
        json!({"ItemReader": {"Resource": "arn:aws:states:::s3:listObjectsV2",
        "Parameters": {"Bucket": "input", "Prefix": "items."}},
        "ItemSelector": {"n.$": "$$.Map.Item.Value.Size"}}),
    );
    let outcome = Simulation::new(&listing)
        .handler(Work)
        .object_store(S3 { port: moto.port() })
        .run()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(outcome.status, Status::Succeeded, "{:?}", outcome.cause);
    let keys: Vec<Value> = outcome.map_runs[0]
        .children
        .iter()
        .map(|c| c.input.clone())
        .collect();
    assert_eq!(keys.len(), 2, "items.json and items.jsonl: {keys:?}");

    // Batches by size (MaxInputBytesPerBatchPath): each child's whole input stays within the
    // bytes, each batch holds as many rows as fit, every row runs once and in order.
    let sized = machine(json!({
        "ItemReader": get("rows.csv", json!({"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"})),
        "ItemBatcher": {"MaxInputBytesPerBatchPath": "$.bytes", "BatchInput": {"run": "r2"}},
        "ToleratedFailurePercentage": 100
    }));
    let outcome = Simulation::new(&sized)
        .input(json!({"bytes": 200}))
        .handler(Work)
        .object_store(S3 { port: moto.port() })
        .run()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(outcome.status, Status::Succeeded, "{:?}", outcome.cause);
    let batches: Vec<&Value> = outcome.map_runs[0]
        .children
        .iter()
        .map(|c| &c.input)
        .collect();
    let rows: Vec<Value> = batches
        .iter()
        .flat_map(|b| b["Items"].as_array().cloned().unwrap_or_default())
        .collect();
    let numbers: Vec<String> = rows.iter().map(|r| r["n"].to_string()).collect();
    let expected: Vec<String> = (1..=25).map(|n| format!("\"{n}\"")).collect();
    assert_eq!(numbers, expected);
    for (index, batch) in batches.iter().enumerate() {
        let size = serde_json::to_string(batch).map_or(0, |t| t.len());
        assert!(size <= 200, "batch {index} is {size} bytes");
        // Full: the next row would not have fitted.
        if let Some(next) = batches.get(index + 1).and_then(|b| b["Items"].get(0)) {
            let mut grown = (*batch).clone();
            if let Some(items) = grown["Items"].as_array_mut() {
                items.push(next.clone());
            }
            let grown_size = serde_json::to_string(&grown).map_or(0, |t| t.len());
            assert!(grown_size > 200, "batch {index} had room for another row");
        }
    }
    assert!(batches.len() > 3, "{} batches", batches.len());

    // A size past AWS's 256 KiB is a runtime error of the state.
    let outcome = Simulation::new(&sized)
        .input(json!({"bytes": 262_145}))
        .handler(Work)
        .object_store(S3 { port: moto.port() })
        .run()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(outcome.status, Status::Failed);
    assert_eq!(outcome.error.as_deref(), Some("States.Runtime"));
    assert!(
        outcome
            .cause
            .as_deref()
            .is_some_and(|c| c.contains("MaxInputBytesPerBatch")),
        "{:?}",
        outcome.cause
    );
}
