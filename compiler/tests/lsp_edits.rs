//! `flowc lsp` never panics on what an editor sends while someone types: random edits of the
//! repository's workflows, each followed by every request the server handles at random
//! positions, through the in-process server; every request gets its reply.

use flowc::lsp::Server;
use proptest::prelude::*;
use serde_json::{Value, json};

/// The corpus: every `.flow` the repository ships (read relative to this crate).
fn corpus() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let files = [
        "workflows/tenant_provisioning.flow",
        "workflows/tenant_deprovisioning.flow",
        "workflows/tenant_provisioning_jsonata.flow",
        "examples/team-repo/workflows/order_fulfilment.flow",
    ];
    files
        .iter()
        .map(|f| std::fs::read_to_string(root.join(f)).unwrap_or_else(|e| panic!("{f}: {e}")))
        .collect()
}

/// Bits of text an edit inserts: syntax, names, non-ASCII, and the empty string (a deletion).
const PIECES: &[&str] = &[
    "",
    "{",
    "}",
    "->",
    " ",
    "\n",
    "\"",
    "é",
    "😀",
    "task X = r {",
    "next ",
    "catch States.ALL -> ",
    "ValidateInput",
    "$.a",
    "{% $x %}",
    "retry transient",
    "#",
    "//",
    "poll P every 1s at most 2 times {",
];

#[derive(Debug, Clone)]
struct Edit {
    line: u32,
    character: u32,
    delete: u32,
    insert: &'static str,
}

fn edit() -> impl Strategy<Value = Edit> {
    (
        0u32..200,
        0u32..120,
        0u32..40,
        proptest::sample::select(PIECES),
    )
        .prop_map(|(line, character, delete, insert)| Edit {
            line,
            character,
            delete,
            insert,
        })
}

const URI: &str = "file:///corpus/edited.flow";

fn request(server: &mut Server, id: i64, method: &str, params: Value) {
    let replies =
        server.handle_json(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
    let reply = replies.iter().find(|r| r["id"] == json!(id));
    let Some(reply) = reply else {
        panic!("no reply to {method}: {replies:?}")
    };
    assert!(
        reply.get("result").is_some() || reply["error"]["code"] == json!(-32602),
        "{method}: {reply}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_edits_never_break_the_server(
        file in 0usize..4,
        edits in proptest::collection::vec(edit(), 1..6),
        probes in proptest::collection::vec((0u32..200, 0u32..120), 1..4),
    ) {
        let corpus = corpus();
        let mut server = Server::new();
        request(&mut server, 0, "initialize", json!({"processId": null, "rootUri": null, "capabilities": {}}));
        let opened = server.handle_json(json!({"jsonrpc": "2.0", "method": "textDocument/didOpen",
            "params": {"textDocument": {"uri": URI, "languageId": "flow", "version": 1, "text": corpus[file]}}}));
        prop_assert_eq!(opened.len(), 1);
        let mut id = 1;
        for (version, e) in edits.iter().enumerate() {
            let change = json!({"range": {
                "start": {"line": e.line, "character": e.character},
                "end": {"line": e.line, "character": e.character + e.delete}},
                "text": e.insert});
            let published = server.handle_json(json!({"jsonrpc": "2.0", "method": "textDocument/didChange",
                "params": {"textDocument": {"uri": URI, "version": version + 2}, "contentChanges": [change]}}));
            prop_assert_eq!(published.len(), 1, "one publishDiagnostics per change");
            for &(line, character) in &probes {
                let at = json!({"textDocument": {"uri": URI}, "position": {"line": line, "character": character}});
                for method in ["textDocument/hover", "textDocument/completion", "textDocument/definition"] {
                    id += 1;
                    request(&mut server, id, method, at.clone());
                }
                let mut refs = at.clone();
                refs["context"] = json!({"includeDeclaration": true});
                id += 1;
                request(&mut server, id, "textDocument/references", refs);
                let mut rename = at.clone();
                rename["newName"] = json!("Renamed");
                id += 1;
                request(&mut server, id, "textDocument/rename", rename);
            }
            let doc = json!({"textDocument": {"uri": URI}});
            for method in ["textDocument/documentSymbol", "textDocument/foldingRange"] {
                id += 1;
                request(&mut server, id, method, doc.clone());
            }
            let mut format = doc.clone();
            format["options"] = json!({"tabSize": 4, "insertSpaces": true});
            id += 1;
            request(&mut server, id, "textDocument/formatting", format);
        }
    }
}
