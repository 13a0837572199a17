//! Distributed Map's data: where items come from (ItemReader) and where results go
//! (ResultWriter), behind [`ObjectStore`], a trait the caller binds: [`LocalFiles`] reads a
//! folder given to the simulator, a test or the CLI can bind S3 itself. The simulator core has
//! no network code: a Distributed Map without a store fails with `States.Runtime`, saying so.
//!
//! Reading follows AWS's ItemReader page: `s3:getObject` with `ReaderConfig.InputType` `JSON`
//! (an array), `JSONL` (one value a line), `CSV` (`CSVHeaderLocation` `FIRST_ROW` or `GIVEN`
//! with `CSVHeaders`, `CSVDelimiter` `COMMA`, `PIPE`, `SEMICOLON`, `SPACE`, `TAB`; every
//! value a string) or `MANIFEST` (an S3 inventory: `manifest.json` lists CSV files of
//! `bucket,key,...` rows; each row is `{"Bucket", "Key"}`), and `s3:listObjectsV2` (each object
//! `{"Etag", "Key", "LastModified", "Size", "StorageClass"}`). `MaxItems` caps the count.
//! Writing follows the ResultWriter page: `<Prefix>/<map run id>/manifest.json` and
//! `SUCCEEDED_0.json` / `FAILED_0.json` / `PENDING_0.json`, each an array of the child
//! executions' records.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::{Map, Value, json};

/// Why the store could not serve a request; becomes the cause of a `States.Runtime` failure
/// (AWS raises `States.ItemReaderFailed` / `States.ResultWriterFailed`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StoreError(pub String);

/// One object of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    /// The object's key.
    pub key: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its ETag, as S3 lists it.
    pub etag: String,
    /// When it was last changed, as S3 lists it (RFC 3339).
    pub last_modified: String,
}

/// The object storage a Distributed Map reads items from and writes results to.
pub trait ObjectStore {
    /// The object's bytes (GetObject).
    fn get_object(&mut self, bucket: &str, key: &str) -> Result<Vec<u8>, StoreError>;
    /// The objects under `prefix`, in key order (ListObjectsV2).
    fn list_objects(&mut self, bucket: &str, prefix: &str) -> Result<Vec<ObjectInfo>, StoreError>;
    /// Writes an object (PutObject), as ResultWriter does.
    fn put_object(&mut self, bucket: &str, key: &str, body: &[u8]) -> Result<(), StoreError>;
}

/// A folder as a store: bucket `b`, key `k` is the file `<root>/b/k`.
#[derive(Debug, Clone)]
pub struct LocalFiles {
    root: PathBuf,
}

impl LocalFiles {
    /// The store of the folder `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    fn path(&self, bucket: &str, key: &str) -> Result<PathBuf, StoreError> {
        // A key is a path below its bucket, never above it.
        let safe = |part: &str| {
            !part.is_empty()
                && part.split('/').all(|p| p != ".." && p != ".")
                && !part.starts_with('/')
        };
        if !safe(bucket) || bucket.contains('/') || !safe(key) {
            return Err(StoreError(format!("invalid bucket or key: {bucket}/{key}")));
        }
        Ok(self.root.join(bucket).join(key))
    }
}

impl ObjectStore for LocalFiles {
    fn get_object(&mut self, bucket: &str, key: &str) -> Result<Vec<u8>, StoreError> {
        let path = self.path(bucket, key)?;
        std::fs::read(&path).map_err(|e| StoreError(format!("{}: {e}", path.display())))
    }

    fn list_objects(&mut self, bucket: &str, prefix: &str) -> Result<Vec<ObjectInfo>, StoreError> {
        let base = self.root.join(bucket);
        let mut out = Vec::new();
        let mut stack = vec![base.clone()];
        while let Some(dir) = stack.pop() {
            let entries = std::fs::read_dir(&dir)
                .map_err(|e| StoreError(format!("{}: {e}", dir.display())))?;
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let Ok(relative) = path.strip_prefix(&base) else {
                    continue;
                };
                let key = relative.to_string_lossy().replace('\\', "/");
                if key.starts_with(prefix) {
                    let size = entry.metadata().map_or(0, |m| m.len());
                    out.push(ObjectInfo {
                        key,
                        size,
                        etag: String::new(),
                        last_modified: String::new(),
                    });
                }
            }
        }
        // S3 lists keys in UTF-8 binary order.
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }

    fn put_object(&mut self, bucket: &str, key: &str, body: &[u8]) -> Result<(), StoreError> {
        let path = self.path(bucket, key)?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| StoreError(format!("{}: {e}", parent.display())))?;
        }
        std::fs::write(&path, body).map_err(|e| StoreError(format!("{}: {e}", path.display())))
    }
}

/// An in-memory store: `(bucket, key) -> body`.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    /// The objects, by bucket and key.
    pub objects: BTreeMap<(String, String), Vec<u8>>,
}

impl ObjectStore for MemoryStore {
    fn get_object(&mut self, bucket: &str, key: &str) -> Result<Vec<u8>, StoreError> {
        self.objects
            .get(&(bucket.to_string(), key.to_string()))
            .cloned()
            .ok_or_else(|| StoreError(format!("NoSuchKey: s3://{bucket}/{key}")))
    }

    fn list_objects(&mut self, bucket: &str, prefix: &str) -> Result<Vec<ObjectInfo>, StoreError> {
        Ok(self
            .objects
            .iter()
            .filter(|((b, k), _)| b == bucket && k.starts_with(prefix))
            .map(|((_, key), body)| ObjectInfo {
                key: key.clone(),
                size: body.len() as u64,
                etag: String::new(),
                last_modified: String::new(),
            })
            .collect())
    }

    fn put_object(&mut self, bucket: &str, key: &str, body: &[u8]) -> Result<(), StoreError> {
        self.objects
            .insert((bucket.to_string(), key.to_string()), body.to_vec());
        Ok(())
    }
}

/// Reads the items an ItemReader names. `parameters` is the reader's Parameters after path
/// evaluation; `config` its ReaderConfig.
pub(crate) fn read_items(
    store: &mut dyn ObjectStore,
    resource: &str,
    config: Option<&Value>,
    parameters: &Value,
) -> Result<Vec<Value>, String> {
    let text_param = |name: &str| {
        parameters
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| format!("the ItemReader's Parameters need a string `{name}`"))
    };
    let bucket = text_param("Bucket")?;
    let config = config.cloned().unwrap_or(Value::Null);
    let max_items = config
        .get("MaxItems")
        .and_then(Value::as_u64)
        .map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX));
    let mut items = match resource_action(resource) {
        Some("listObjectsV2") => {
            let prefix = parameters
                .get("Prefix")
                .and_then(Value::as_str)
                .unwrap_or("");
            store
                .list_objects(&bucket, prefix)
                .map_err(|e| e.to_string())?
                .into_iter()
                .map(|o| {
                    json!({"Etag": o.etag, "Key": o.key, "LastModified": o.last_modified,
                        "Size": o.size, "StorageClass": "STANDARD"})
                })
                .collect()
        }
        Some("getObject") => {
            let key = text_param("Key")?;
            let body = store.get_object(&bucket, &key).map_err(|e| e.to_string())?;
            let text = String::from_utf8(body)
                .map_err(|_| format!("s3://{bucket}/{key} is not UTF-8 text"))?;
            let input_type = config
                .get("InputType")
                .and_then(Value::as_str)
                .unwrap_or("JSON");
            match input_type {
                "JSON" => match serde_json::from_str::<Value>(&text) {
                    Ok(Value::Array(items)) => items,
                    Ok(_) => return Err(format!("s3://{bucket}/{key} is not a JSON array")),
                    Err(e) => return Err(format!("s3://{bucket}/{key} is not JSON: {e}")),
                },
                "JSONL" => text
                    .lines()
                    .filter(|line| !line.trim().is_empty())
                    .enumerate()
                    .map(|(n, line)| {
                        serde_json::from_str(line)
                            .map_err(|e| format!("s3://{bucket}/{key} line {}: {e}", n + 1))
                    })
                    .collect::<Result<_, _>>()?,
                "CSV" => csv_items(&text, &config)?,
                "MANIFEST" => manifest_items(store, &bucket, &text)?,
                other => return Err(format!("ReaderConfig InputType `{other}` is not supported")),
            }
        }
        _ => {
            return Err(format!(
                "an ItemReader Resource `{resource}` is not supported"
            ));
        }
    };
    items.truncate(max_items);
    Ok(items)
}

/// `arn:aws:states:::s3:getObject` -> `getObject`.
fn resource_action(resource: &str) -> Option<&str> {
    resource.strip_prefix("arn:aws:states:::s3:")
}

fn csv_items(text: &str, config: &Value) -> Result<Vec<Value>, String> {
    let delimiter = match config.get("CSVDelimiter").and_then(Value::as_str) {
        None | Some("COMMA") => ',',
        Some("PIPE") => '|',
        Some("SEMICOLON") => ';',
        Some("SPACE") => ' ',
        Some("TAB") => '\t',
        Some(other) => return Err(format!("CSVDelimiter `{other}` is not one AWS accepts")),
    };
    let mut rows = csv_rows(text, delimiter)?.into_iter();
    let headers: Vec<String> = match config.get("CSVHeaderLocation").and_then(Value::as_str) {
        Some("GIVEN") => config
            .get("CSVHeaders")
            .and_then(Value::as_array)
            .map(|h| {
                h.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .ok_or("CSVHeaderLocation GIVEN needs CSVHeaders")?,
        _ => rows.next().unwrap_or_default(),
    };
    Ok(rows
        .map(|row| {
            let mut item = Map::new();
            for (header, value) in headers.iter().zip(row) {
                item.insert(header.clone(), Value::String(value));
            }
            Value::Object(item)
        })
        .collect())
}

/// Rows of a CSV text: fields split at `delimiter`, double-quoted fields may hold the
/// delimiter, quotes (doubled) and line breaks.
fn csv_rows(text: &str, delimiter: char) -> Result<Vec<Vec<String>>, String> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, c) if c == delimiter => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if quoted {
        return Err("a quoted CSV field is not closed".to_string());
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    Ok(rows)
}

/// An S3 inventory `manifest.json`: its `files` are CSV objects of `bucket,key,...` rows.
fn manifest_items(
    store: &mut dyn ObjectStore,
    bucket: &str,
    text: &str,
) -> Result<Vec<Value>, String> {
    let manifest: Value =
        serde_json::from_str(text).map_err(|e| format!("the manifest is not JSON: {e}"))?;
    let files = manifest
        .get("files")
        .and_then(Value::as_array)
        .ok_or("the manifest has no `files` list")?;
    let mut items = Vec::new();
    for file in files {
        let key = file
            .get("key")
            .and_then(Value::as_str)
            .ok_or("a manifest file entry has no `key`")?;
        let body = store.get_object(bucket, key).map_err(|e| e.to_string())?;
        let csv = String::from_utf8(body).map_err(|_| format!("{key} is not UTF-8"))?;
        for row in csv_rows(&csv, ',')? {
            if let [b, k, ..] = row.as_slice() {
                items.push(json!({"Bucket": b, "Key": k}));
            }
        }
    }
    Ok(items)
}

/// AWS: MaxInputBytesPerBatch "can be up to 256 KiB", the payload limit of a child's input.
pub(crate) const MAX_INPUT_BYTES_PER_BATCH: u64 =
    flowc_asl::rules::MAX_INPUT_BYTES_PER_BATCH.maximum;

/// Items grouped as ItemBatcher groups them: each batch `{"BatchInput": ..., "Items": [...]}`,
/// returned with the number of items it holds.
///
/// A batch takes items in order while it has fewer than `per_batch` and, with `max_bytes`,
/// while its JSON text stays within that many bytes. The size counted is the child's whole
/// input as compact UTF-8 JSON, BatchInput included: that is what the child receives and what
/// AWS's payload limit measures. AWS's documentation: with both limits, Step Functions
/// "reduces the number of items in a batch to avoid exceeding the specified batch size";
/// without MaxItemsPerBatch it puts as many items in each batch as the size allows. It does
/// not say what happens to one item larger than the limit on its own; a batch cannot hold
/// fewer than one item, so such an item goes alone in a batch of its own (never dropped).
pub(crate) fn batches(
    items: Vec<Value>,
    per_batch: usize,
    max_bytes: Option<u64>,
    batch_input: Option<&Value>,
) -> Vec<(Value, usize)> {
    let per_batch = per_batch.max(1);
    // `{"BatchInput":...,"Items":[]}`: the bytes every batch has before its items.
    let frame = crate::json::to_text(&batch_of(Vec::new(), batch_input)).len() as u64;
    let mut out = Vec::new();
    let mut chunk: Vec<Value> = Vec::new();
    let mut size = frame;
    for item in items {
        let item_size = max_bytes.map_or(0, |_| crate::json::to_text(&item).len() as u64);
        // A comma before every item but the first.
        let added = item_size + u64::from(!chunk.is_empty());
        let full = chunk.len() >= per_batch
            || max_bytes.is_some_and(|max| !chunk.is_empty() && size + added > max);
        if full {
            let count = chunk.len();
            out.push((batch_of(std::mem::take(&mut chunk), batch_input), count));
            size = frame;
        }
        size += item_size + u64::from(!chunk.is_empty());
        chunk.push(item);
    }
    if !chunk.is_empty() {
        let count = chunk.len();
        out.push((batch_of(chunk, batch_input), count));
    }
    out
}

fn batch_of(items: Vec<Value>, batch_input: Option<&Value>) -> Value {
    let mut batch = Map::new();
    if let Some(input) = batch_input {
        batch.insert("BatchInput".into(), input.clone());
    }
    batch.insert("Items".into(), Value::Array(items));
    Value::Object(batch)
}

/// One child execution, as ResultWriter records it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChildExecution {
    /// The child execution's name.
    pub name: String,
    /// Its ARN.
    pub execution_arn: String,
    /// The ARN of the state machine it ran (the Map's, with the run's label).
    pub state_machine_arn: String,
    /// Its input: the item, or the ItemBatcher batch.
    pub input: Value,
    /// `Ok(output)` or `Err((error, cause))`.
    pub result: Result<Value, (String, String)>,
    /// When it started (RFC 3339, on the virtual clock).
    pub start: String,
    /// When it ended.
    pub stop: String,
    /// The child's own execution history (AWS keeps one per child execution; the parent's
    /// has only the MapRun events).
    pub history: crate::History,
}

impl ChildExecution {
    fn record(&self) -> Value {
        let mut record = Map::new();
        record.insert("ExecutionArn".into(), self.execution_arn.clone().into());
        record.insert("Input".into(), crate::json::to_text(&self.input).into());
        record.insert("InputDetails".into(), json!({"Included": true}));
        record.insert("Name".into(), self.name.clone().into());
        match &self.result {
            Ok(output) => {
                record.insert("Output".into(), crate::json::to_text(output).into());
                record.insert("OutputDetails".into(), json!({"Included": true}));
            }
            Err((error, cause)) => {
                record.insert("Error".into(), error.clone().into());
                record.insert("Cause".into(), cause.clone().into());
            }
        }
        record.insert("StartDate".into(), self.start.clone().into());
        record.insert(
            "StateMachineArn".into(),
            self.state_machine_arn.clone().into(),
        );
        let status = if self.result.is_ok() {
            "SUCCEEDED"
        } else {
            "FAILED"
        };
        record.insert("Status".into(), status.into());
        record.insert("StopDate".into(), self.stop.clone().into());
        Value::Object(record)
    }
}

/// Writes the results as ResultWriter lays them out and returns the Map's output,
/// `{"MapRunArn", "ResultWriterDetails": {"Bucket", "Key"}}`.
pub(crate) fn write_results(
    store: &mut dyn ObjectStore,
    parameters: &Value,
    map_run_arn: &str,
    map_run_id: &str,
    children: &[ChildExecution],
) -> Result<Value, String> {
    let bucket = parameters
        .get("Bucket")
        .and_then(Value::as_str)
        .ok_or("the ResultWriter's Parameters need a string `Bucket`")?;
    let prefix = parameters
        .get("Prefix")
        .and_then(Value::as_str)
        .unwrap_or("");
    let base = if prefix.is_empty() {
        map_run_id.to_string()
    } else {
        format!("{}/{map_run_id}", prefix.trim_end_matches('/'))
    };
    let mut files = Map::new();
    for (status, keep) in [("FAILED", false), ("PENDING", false), ("SUCCEEDED", true)] {
        let records: Vec<Value> = match status {
            "PENDING" => Vec::new(),
            _ => children
                .iter()
                .filter(|c| c.result.is_ok() == keep)
                .map(ChildExecution::record)
                .collect(),
        };
        let mut listed = Vec::new();
        if !records.is_empty() {
            let key = format!("{base}/{status}_0.json");
            let body = crate::json::to_text(&Value::Array(records));
            store
                .put_object(bucket, &key, body.as_bytes())
                .map_err(|e| e.to_string())?;
            listed.push(json!({"Key": key, "Size": body.len()}));
        }
        files.insert(status.into(), Value::Array(listed));
    }
    let manifest_key = format!("{base}/manifest.json");
    let manifest = json!({"DestinationBucket": bucket, "MapRunArn": map_run_arn,
        "ResultFiles": Value::Object(files)});
    store
        .put_object(
            bucket,
            &manifest_key,
            crate::json::to_text(&manifest).as_bytes(),
        )
        .map_err(|e| e.to_string())?;
    Ok(json!({"MapRunArn": map_run_arn,
        "ResultWriterDetails": {"Bucket": bucket, "Key": manifest_key}}))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_with(key: &str, body: &str) -> MemoryStore {
        let mut store = MemoryStore::default();
        store
            .objects
            .insert(("b".into(), key.into()), body.as_bytes().to_vec());
        store
    }

    fn read(store: &mut MemoryStore, config: Value, key: &str) -> Result<Vec<Value>, String> {
        read_items(
            store,
            "arn:aws:states:::s3:getObject",
            Some(&config),
            &json!({"Bucket": "b", "Key": key}),
        )
    }

    #[test]
    fn csv_with_first_row_or_given_headers_and_any_delimiter() {
        let mut store = store_with("r.csv", "user,rating\r\n\"a, b\",5\nc,\"say \"\"hi\"\"\"\n");
        let items = read(
            &mut store,
            json!({"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"}),
            "r.csv",
        );
        assert_eq!(
            items,
            Ok(vec![
                json!({"user": "a, b", "rating": "5"}),
                json!({"user": "c", "rating": "say \"hi\""})
            ])
        );
        let mut store = store_with("p.csv", "x|1\ny|2\n");
        let config = json!({"InputType": "CSV", "CSVHeaderLocation": "GIVEN",
            "CSVHeaders": ["name", "n"], "CSVDelimiter": "PIPE", "MaxItems": 1});
        assert_eq!(
            read(&mut store, config, "p.csv"),
            Ok(vec![json!({"name": "x", "n": "1"})])
        );
    }

    #[test]
    fn json_jsonl_manifest_and_listing() {
        let mut store = store_with("a.json", "[1, {\"k\": 2}]");
        assert_eq!(
            read(&mut store, json!({"InputType": "JSON"}), "a.json"),
            Ok(vec![json!(1), json!({"k": 2})])
        );
        let mut store = store_with("a.jsonl", "{\"n\": 1}\n\n{\"n\": 2}\n");
        assert_eq!(
            read(&mut store, json!({"InputType": "JSONL"}), "a.jsonl"),
            Ok(vec![json!({"n": 1}), json!({"n": 2})])
        );
        let mut store = store_with("m/manifest.json", r#"{"files": [{"key": "m/data.csv"}]}"#);
        store.objects.insert(
            ("b".into(), "m/data.csv".into()),
            b"\"src\",\"photos/1.jpg\",\"12\"\n".to_vec(),
        );
        assert_eq!(
            read(
                &mut store,
                json!({"InputType": "MANIFEST"}),
                "m/manifest.json"
            ),
            Ok(vec![json!({"Bucket": "src", "Key": "photos/1.jpg"})])
        );
        let listed = read_items(
            &mut store,
            "arn:aws:states:::s3:listObjectsV2",
            None,
            &json!({"Bucket": "b", "Prefix": "m/"}),
        )
        .unwrap_or_default();
        let keys: Vec<&str> = listed.iter().filter_map(|i| i["Key"].as_str()).collect();
        assert_eq!(keys, ["m/data.csv", "m/manifest.json"]);
        assert!(read(&mut store, json!({"InputType": "JSON"}), "missing.json").is_err());
    }

    #[test]
    fn batches_carry_batch_input_and_at_most_n_items() {
        let items: Vec<Value> = (0..25).map(Value::from).collect();
        let batches = batches(items, 10, None, Some(&json!({"run": "x"})));
        assert_eq!(batches.len(), 3);
        assert_eq!(
            batches[2],
            (
                json!({"BatchInput": {"run": "x"}, "Items": [20, 21, 22, 23, 24]}),
                5
            )
        );
    }

    #[test]
    fn batches_stay_within_max_input_bytes_counting_the_whole_child_input() {
        // `{"BatchInput":{"run":"x"},"Items":[]}` is 37 bytes; each item `"aaaa"` is 6, plus a
        // comma after the first: 37 + 6 + 7 + 7 = 57 bytes hold three items, a fourth is 64.
        let items: Vec<Value> = (0..7).map(|_| json!("aaaa")).collect();
        let input = json!({"run": "x"});
        let sized = batches(items.clone(), usize::MAX, Some(60), Some(&input));
        let counts: Vec<usize> = sized.iter().map(|(_, n)| *n).collect();
        assert_eq!(counts, [3, 3, 1]);
        for (batch, _) in &sized {
            assert!(crate::json::to_text(batch).len() <= 60, "{batch}");
        }
        // Exactly at the limit still fits.
        let exact = batches(items.clone(), usize::MAX, Some(57), Some(&input));
        assert_eq!(exact.first().map(|(_, n)| *n), Some(3));
        // Both limits: the smaller wins.
        let both = batches(items.clone(), 2, Some(60), Some(&input));
        assert_eq!(
            both.iter().map(|(_, n)| *n).collect::<Vec<_>>(),
            [2, 2, 2, 1]
        );
        // An item over the limit on its own still runs, alone.
        let big = vec![json!("x".repeat(100)), json!(1), json!(2)];
        let alone = batches(big, usize::MAX, Some(40), None);
        assert_eq!(alone.iter().map(|(_, n)| *n).collect::<Vec<_>>(), [1, 2]);
    }

    #[test]
    fn local_files_keep_keys_inside_their_bucket() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut files = LocalFiles::new(dir.path());
        assert!(files.put_object("b", "x/y.json", b"[]").is_ok());
        assert_eq!(files.get_object("b", "x/y.json"), Ok(b"[]".to_vec()));
        assert!(files.get_object("b", "../b/x/y.json").is_err());
        assert!(files.get_object("..", "x").is_err());
    }
}
