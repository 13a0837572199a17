//! `flowc lsp` request rounds on the tenant workflow, in process (target: each under 50 ms):
//! an edit and the diagnostics it publishes, completion, and hover over a state (which lowers
//! the workflow to show its ASL).
//!
//!     cargo bench -p flowc --no-default-features --bench lsp

use criterion::{Criterion, criterion_group, criterion_main};
use flowc::lsp::Server;
use serde_json::{Value, json};
use std::hint::black_box;

// The allocator the flowc binary uses (src/main.rs), so the figures are what `flowc lsp` does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const TENANT: &str = include_str!("../../workflows/tenant_provisioning.flow");
const URI: &str = "file:///bench/tenant_provisioning.flow";

/// The LSP position of the first `needle` (ASCII text before it, as in the tenant workflow).
fn position_of(needle: &str) -> Value {
    let offset = TENANT.find(needle).unwrap_or(0);
    let before = &TENANT[..offset];
    let line = before.matches('\n').count();
    let character = before.len() - before.rfind('\n').map_or(0, |i| i + 1);
    json!({"line": line, "character": character})
}

fn bench(c: &mut Criterion) {
    let mut server = Server::new();
    server.handle_json(json!({"jsonrpc": "2.0", "id": 0, "method": "initialize",
        "params": {"processId": null, "rootUri": null, "capabilities": {}}}));
    server.handle_json(json!({"jsonrpc": "2.0", "method": "textDocument/didOpen",
        "params": {"textDocument": {"uri": URI, "languageId": "flow", "version": 1, "text": TENANT}}}));
    let at = position_of("task CreateDatabaseSchema");
    let mut version = 1;
    c.bench_function("lsp didChange + diagnostics (tenant)", |b| {
        b.iter(|| {
            // Type one character at the top, or take it back: one analysis of the whole file
            // each, as an editor sends a change per keystroke.
            version += 1;
            let (text, end) = if version % 2 == 0 { ("#", 0) } else { ("", 1) };
            black_box(server.handle_json(
                json!({"jsonrpc": "2.0", "method": "textDocument/didChange",
                "params": {"textDocument": {"uri": URI, "version": version},
                    "contentChanges": [{"range": {"start": {"line": 0, "character": 0},
                        "end": {"line": 0, "character": end}}, "text": text}]}}),
            ))
        })
    });
    let mut completion_at = at.clone();
    completion_at["line"] = json!(completion_at["line"].as_u64().unwrap_or(0) + 2);
    c.bench_function("lsp completion (tenant)", |b| {
        b.iter(|| {
            black_box(server.handle_json(
                json!({"jsonrpc": "2.0", "id": 1, "method": "textDocument/completion",
                "params": {"textDocument": {"uri": URI}, "position": completion_at}}),
            ))
        })
    });
    let mut hover_at = at;
    hover_at["character"] = json!(hover_at["character"].as_u64().unwrap_or(0) + 6);
    c.bench_function("lsp hover on a state (tenant)", |b| {
        b.iter(|| {
            black_box(server.handle_json(
                json!({"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover",
                "params": {"textDocument": {"uri": URI}, "position": hover_at}}),
            ))
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
