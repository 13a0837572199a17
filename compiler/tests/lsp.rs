//! `flowc lsp` driven as an editor drives it: the real binary over stdio, one scripted session
//! (initialize, open, edit in an error and out again, completion, navigation, rename, hover,
//! outline, formatting, an ASL JSON file, shutdown and exit), every reply checked.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use serde_json::{Value, json};

/// A minimal LSP client: Content-Length framing over the child's stdin/stdout, a reader thread
/// so a server that stops answering fails the test instead of hanging it.
struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    messages: Receiver<Value>,
    next_id: i64,
}

/// Longest wait for one message; generous, since a debug build on a busy machine is slow.
const PATIENCE: Duration = Duration::from_secs(60);

impl Client {
    fn start() -> Self {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let mut child = support::flowc_command(dir.path())
            .args(["lsp", "--stdio"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("starting flowc lsp: {e}"));
        let stdin = child.stdin.take();
        let Some(stdout) = child.stdout.take() else {
            panic!("flowc lsp has no stdout")
        };
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = n.parse::<usize>().ok();
                    }
                }
                let Some(length) = length else { return };
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                match serde_json::from_slice(&body) {
                    Ok(value) => {
                        if tx.send(value).is_err() {
                            return;
                        }
                    }
                    Err(e) => panic!("flowc lsp sent a body that is not JSON: {e}"),
                }
            }
        });
        Client {
            child,
            stdin,
            messages: rx,
            next_id: 0,
        }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        let Some(stdin) = self.stdin.as_mut() else {
            panic!("stdin already closed")
        };
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len())
            .and_then(|()| stdin.flush())
            .unwrap_or_else(|e| panic!("writing to flowc lsp: {e}"));
    }

    fn receive(&self) -> Value {
        self.messages
            .recv_timeout(PATIENCE)
            .unwrap_or_else(|e| panic!("no message from flowc lsp: {e}"))
    }

    /// Sends a request and returns its result (failing on an error response).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let reply = self.request_reply(method, params);
        assert!(reply.get("error").is_none(), "{method}: {reply}");
        reply["result"].clone()
    }

    fn request_reply(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let message = self.receive();
            if message["id"] == json!(id) {
                return message;
            }
            assert!(
                message.get("method").is_some(),
                "a reply to another request: {message}"
            );
        }
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The next publishDiagnostics notification's diagnostics for `uri`.
    fn diagnostics(&self, uri: &str) -> Vec<Value> {
        loop {
            let message = self.receive();
            if message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == uri
            {
                return message["params"]["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
            }
        }
    }
}

const URI: &str = "file:///project/tenant%20demo.flow";

/// Non-ASCII text before names on the same lines: columns must count UTF-16 units.
const SOURCE: &str = r#"resource worker = lambda "fn"

task Start = worker { comment "déjà vu 😀" next Finish }

succeed Finish
"#;

/// The LSP position (line, UTF-16 column) of the `nth` occurrence of `needle` in `text`.
fn position_of(text: &str, needle: &str, nth: usize) -> Value {
    let Some((offset, _)) = text.match_indices(needle).nth(nth) else {
        panic!("`{needle}` #{nth} is not in the text")
    };
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let character = before[line_start..].encode_utf16().count();
    json!({"line": line, "character": character})
}

fn at(text: &str, needle: &str, nth: usize) -> Value {
    json!({"textDocument": {"uri": URI}, "position": position_of(text, needle, nth)})
}

fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn an_editor_session_gets_diagnostics_navigation_rename_and_formatting() {
    let mut client = Client::start();
    let init = client.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    assert_eq!(init["serverInfo"]["name"], "flowc");
    assert_eq!(init["capabilities"]["renameProvider"], true);
    assert_eq!(
        init["capabilities"]["textDocumentSync"], 2,
        "incremental sync"
    );
    client.notify("initialized", json!({}));

    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "flow", "version": 1, "text": SOURCE}}),
    );
    assert_eq!(client.diagnostics(URI), Vec::<Value>::new());

    // Misspell the target after the emoji: an unknown-state error, underlined exactly there.
    let next_target = position_of(SOURCE, "Finish", 0);
    let end = json!({"line": next_target["line"], "character": next_target["character"].as_u64().unwrap_or(0) + 6});
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2},
               "contentChanges": [{"range": {"start": next_target, "end": end}, "text": "Finsh"}]}),
    );
    let diagnostics = client.diagnostics(URI);
    assert_eq!(codes(&diagnostics), ["flowc::resolve::unknown_state"]);
    let error = &diagnostics[0];
    assert_eq!(error["range"]["start"], next_target);
    assert_eq!(
        error["range"]["end"]["character"],
        next_target["character"].as_u64().unwrap_or(0) + 5
    );
    assert_eq!(error["severity"], 1);
    assert!(
        error["message"]
            .as_str()
            .unwrap_or_default()
            .contains("help: "),
        "{error}"
    );

    // And back: the error clears.
    let end = json!({"line": next_target["line"], "character": next_target["character"].as_u64().unwrap_or(0) + 5});
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 3},
               "contentChanges": [{"range": {"start": next_target, "end": end}, "text": "Finish"}]}),
    );
    assert_eq!(client.diagnostics(URI), Vec::<Value>::new());

    // Completion inside the task's body: names, error names, intrinsics, body keywords.
    let completion = client.request("textDocument/completion", at(SOURCE, "next", 0));
    let labels: Vec<&str> = completion
        .as_array()
        .map(|items| items.iter().filter_map(|i| i["label"].as_str()).collect())
        .unwrap_or_default();
    for expected in [
        "Finish",
        "worker",
        "States.ALL",
        "States.Format",
        "Lambda.ServiceException",
        "catch",
        "next",
    ] {
        assert!(
            labels.contains(&expected),
            "{expected} not offered: {labels:?}"
        );
    }

    // Definition of the use of Finish is its declaration; references find both.
    let definition = client.request("textDocument/definition", at(SOURCE, "Finish", 0));
    assert_eq!(definition["uri"], URI);
    assert_eq!(
        definition["range"]["start"],
        position_of(SOURCE, "Finish", 1)
    );
    let references = client.request(
        "textDocument/references",
        json!({"textDocument": {"uri": URI}, "position": position_of(SOURCE, "Finish", 1),
               "context": {"includeDeclaration": true}}),
    );
    assert_eq!(references.as_array().map(Vec::len), Some(2), "{references}");

    // Rename the resource from its use: the declaration and the use change, nothing else.
    let rename = client.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": URI}, "position": position_of(SOURCE, "worker", 1), "newName": "runner"}),
    );
    let edits = rename["changes"][URI]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let starts: Vec<&Value> = edits.iter().map(|e| &e["range"]["start"]).collect();
    assert_eq!(
        starts,
        [
            &position_of(SOURCE, "worker", 0),
            &position_of(SOURCE, "worker", 1)
        ]
    );
    assert!(edits.iter().all(|e| e["newText"] == "runner"));
    let refused = client.request_reply(
        "textDocument/rename",
        json!({"textDocument": {"uri": URI}, "position": position_of(SOURCE, "Start", 0), "newName": "9lives"}),
    );
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("not a .flow name"),
        "{refused}"
    );

    // Hover: the state's kind and its ASL; the resource's placeholder.
    let hover = client.request("textDocument/hover", at(SOURCE, "Start", 0));
    let text = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(text.contains("**Task**"), "{text}");
    assert!(text.contains("\"Resource\": \"${worker}\""), "{text}");
    assert!(text.contains("\"Next\": \"Finish\""), "{text}");

    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": URI}}),
    );
    let names: Vec<&str> = symbols
        .as_array()
        .map(|s| s.iter().filter_map(|s| s["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names, ["worker", "Start", "Finish"]);

    // Formatting gives what `flowc fmt` writes, and formatting that again changes nothing.
    let formatting = client.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": URI}, "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    let Some(formatted) = formatting[0]["newText"].as_str().map(str::to_owned) else {
        panic!("no formatting edit: {formatting}")
    };
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    std::fs::write(dir.path().join("a.flow"), SOURCE).unwrap_or_else(|e| panic!("write: {e}"));
    let out = support::flowc(&["fmt", "a.flow"], dir.path());
    assert!(out.status.success(), "{}", support::text(&out.stderr));
    let by_cli = std::fs::read_to_string(dir.path().join("a.flow")).unwrap_or_default();
    assert_eq!(formatted, by_cli);
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 4}, "contentChanges": [{"text": formatted}]}),
    );
    assert_eq!(client.diagnostics(URI), Vec::<Value>::new());
    let again = client.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": URI}, "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    assert_eq!(again, json!([]));

    // An ASL JSON file gets flowc check's diagnostics.
    let asl_uri = "file:///project/machine.asl.json";
    let asl = r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}}"#;
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": asl_uri, "languageId": "json", "version": 1, "text": asl}}),
    );
    let diagnostics = client.diagnostics(asl_uri);
    assert_eq!(
        codes(&diagnostics),
        ["flowc::check::unknown_target"],
        "{diagnostics:?}"
    );
    assert_eq!(
        diagnostics[0]["range"]["start"],
        json!({"line": 0, "character": asl.find("\"Nowhere\"").unwrap_or(0)})
    );

    assert_eq!(client.request("shutdown", Value::Null), Value::Null);
    client.notify("exit", Value::Null);
    client.stdin = None;
    let status = client
        .child
        .wait()
        .unwrap_or_else(|e| panic!("waiting for flowc lsp: {e}"));
    assert!(status.success(), "flowc lsp exited with {status}");
}

#[test]
fn exit_without_shutdown_is_an_error_exit() {
    let mut client = Client::start();
    client.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    client.notify("exit", Value::Null);
    client.stdin = None;
    let status = client
        .child
        .wait()
        .unwrap_or_else(|e| panic!("waiting for flowc lsp: {e}"));
    assert_eq!(status.code(), Some(1));
}
