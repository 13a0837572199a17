//! `flowc lsp`: a Language Server Protocol server over stdio for `.flow` and ASL JSON files.
//!
//! The transport is rust-analyzer's `lsp-server` (synchronous: a reader and a writer thread
//! around one loop), chosen over tower-lsp-server because every answer comes from an
//! in-memory analysis in milliseconds: an async runtime would add tokio, futures and tower to
//! the tree (61 crates against 26) and nothing to the answers. The README's "Editors" section
//! has the comparison.
//!
//! Everything the server says comes from the compiler's own stages: diagnostics from
//! `cli::pipeline::check_text` (what `flowc check` reports), names from the `.flow` syntax
//! tree, hover from the lowering, formatting from `fmt`. Positions are converted between the
//! compiler's byte offsets and LSP's UTF-16 columns in one place, `text`.
//!
//! [`Server`] is the protocol without the transport: messages in, messages out. The stdio loop
//! drives it, and so do the tests and the bench, in process.

mod analysis;
mod features;
mod navigate;
mod text;

use std::collections::HashMap;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Notification as _,
    PublishDiagnostics,
};
use lsp_types::request::{
    Completion, DocumentSymbolRequest, FoldingRangeRequest, Formatting, GotoDefinition,
    HoverRequest, Initialize, References, Rename, Request as _, Shutdown,
};
use lsp_types::{
    CompletionOptions, HoverProviderCapability, InitializeResult, OneOf, Position,
    PublishDiagnosticsParams, Range, ServerCapabilities, ServerInfo, TextDocumentSyncCapability,
    TextDocumentSyncKind, Uri,
};
use serde_json::Value;

use crate::cli::input::InputKind;
use analysis::Analysis;
use text::LineIndex;

/// One open document: its text as the editor has it, and what the server knows of it.
pub(crate) struct Document {
    text: String,
    kind: InputKind,
    index: LineIndex,
    analysis: Analysis,
}

impl Document {
    fn new(uri: &Uri, kind: InputKind, text: String) -> Self {
        let index = LineIndex::new(&text);
        let analysis = Analysis::new(kind, uri, &text, &index);
        Document {
            text,
            kind,
            index,
            analysis,
        }
    }

    pub(crate) fn range(&self, span: flowc_dsl::Span) -> Range {
        self.index.range(&self.text, span)
    }

    fn offset(&self, position: Position) -> usize {
        self.index.offset(&self.text, position)
    }
}

/// The language server's state: the open documents and where the session is in its life.
#[doc(hidden)]
#[derive(Default)]
pub struct Server {
    documents: HashMap<Uri, Document>,
    initialized: bool,
    shut_down: bool,
    exited: bool,
}

/// What a request handler answers: a result, or an error code and message.
type Answer = Result<Value, (ErrorCode, String)>;

impl Server {
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the client has sent `exit`.
    pub fn exited(&self) -> bool {
        self.exited
    }

    /// Handles one JSON-RPC message given as JSON, returning the messages to send back (for
    /// tests and benches; the stdio loop uses `Server::handle`). A message that is not
    /// JSON-RPC is answered by nothing.
    pub fn handle_json(&mut self, message: Value) -> Vec<Value> {
        let Ok(message) = serde_json::from_value::<Message>(message) else {
            return Vec::new();
        };
        self.handle(message)
            .into_iter()
            .filter_map(|m| serde_json::to_value(m).ok())
            .collect()
    }

    pub(crate) fn handle(&mut self, message: Message) -> Vec<Message> {
        match message {
            Message::Request(request) => {
                let id = request.id.clone();
                let response = match self.answer(request) {
                    Ok(result) => Response::new_ok(id, result),
                    Err((code, message)) => Response::new_err(id, code as i32, message),
                };
                vec![Message::Response(response)]
            }
            Message::Notification(notification) => self.notify(notification),
            // The server sends no requests, so it expects no responses.
            Message::Response(_) => Vec::new(),
        }
    }

    fn answer(&mut self, request: Request) -> Answer {
        if request.method == Initialize::METHOD {
            self.initialized = true;
            return to_value(initialize_result());
        }
        if !self.initialized {
            return Err((
                ErrorCode::ServerNotInitialized,
                "the server has not been initialized".into(),
            ));
        }
        if self.shut_down {
            return Err((
                ErrorCode::InvalidRequest,
                "the server is shutting down".into(),
            ));
        }
        let method = request.method.clone();
        match method.as_str() {
            Shutdown::METHOD => {
                self.shut_down = true;
                Ok(Value::Null)
            }
            HoverRequest::METHOD => {
                let p: lsp_types::HoverParams = params(request)?;
                let at = p.text_document_position_params;
                self.with_document(&at.text_document.uri, |doc, _| {
                    features::hover(doc, doc.offset(at.position))
                })
            }
            Completion::METHOD => {
                let p: lsp_types::CompletionParams = params(request)?;
                let at = p.text_document_position;
                self.with_document(&at.text_document.uri, |doc, _| {
                    features::completion(doc, doc.offset(at.position))
                })
            }
            GotoDefinition::METHOD => {
                let p: lsp_types::GotoDefinitionParams = params(request)?;
                let at = p.text_document_position_params;
                self.with_document(&at.text_document.uri, |doc, uri| {
                    navigate::definition(doc, uri, doc.offset(at.position))
                })
            }
            References::METHOD => {
                let p: lsp_types::ReferenceParams = params(request)?;
                let at = p.text_document_position;
                self.with_document(&at.text_document.uri, |doc, uri| {
                    navigate::references(
                        doc,
                        uri,
                        doc.offset(at.position),
                        p.context.include_declaration,
                    )
                })
            }
            Rename::METHOD => {
                let p: lsp_types::RenameParams = params(request)?;
                let at = p.text_document_position;
                let uri = at.text_document.uri;
                let doc = self.document(&uri)?;
                let edit = navigate::rename(doc, &uri, doc.offset(at.position), &p.new_name)
                    .map_err(|message| (ErrorCode::InvalidParams, message))?;
                to_value(edit)
            }
            Formatting::METHOD => {
                let p: lsp_types::DocumentFormattingParams = params(request)?;
                self.with_document(&p.text_document.uri, |doc, _| match doc.kind {
                    InputKind::Flow => features::formatting(doc),
                    InputKind::Asl => Vec::new(),
                })
            }
            DocumentSymbolRequest::METHOD => {
                let p: lsp_types::DocumentSymbolParams = params(request)?;
                self.with_document(&p.text_document.uri, |doc, _| {
                    features::document_symbols(doc)
                })
            }
            FoldingRangeRequest::METHOD => {
                let p: lsp_types::FoldingRangeParams = params(request)?;
                self.with_document(&p.text_document.uri, |doc, _| features::folding(doc))
            }
            _ => Err((
                ErrorCode::MethodNotFound,
                format!("flowc lsp does not handle `{method}`"),
            )),
        }
    }

    fn document(&self, uri: &Uri) -> Result<&Document, (ErrorCode, String)> {
        self.documents.get(uri).ok_or_else(|| {
            (
                ErrorCode::InvalidParams,
                format!(
                    "`{}` is not open: send textDocument/didOpen first",
                    uri.as_str()
                ),
            )
        })
    }

    fn with_document<T: serde::Serialize>(
        &self,
        uri: &Uri,
        answer: impl FnOnce(&Document, &Uri) -> T,
    ) -> Answer {
        let doc = self.document(uri)?;
        to_value(answer(doc, uri))
    }

    fn notify(&mut self, notification: Notification) -> Vec<Message> {
        match notification.method.as_str() {
            "exit" => {
                self.exited = true;
                Vec::new()
            }
            DidOpenTextDocument::METHOD => {
                let Ok(p) = notification
                    .extract::<lsp_types::DidOpenTextDocumentParams>(DidOpenTextDocument::METHOD)
                else {
                    return Vec::new();
                };
                let doc = p.text_document;
                let kind = kind_of(&doc.uri, &doc.language_id);
                self.open(doc.uri, kind, doc.text, doc.version)
            }
            DidChangeTextDocument::METHOD => {
                let Ok(p) = notification.extract::<lsp_types::DidChangeTextDocumentParams>(
                    DidChangeTextDocument::METHOD,
                ) else {
                    return Vec::new();
                };
                let uri = p.text_document.uri;
                let Some(doc) = self.documents.remove(&uri) else {
                    return Vec::new();
                };
                let (kind, mut text) = (doc.kind, doc.text);
                for change in p.content_changes {
                    text::apply_change(&mut text, change);
                }
                self.open(uri, kind, text, p.text_document.version)
            }
            DidCloseTextDocument::METHOD => {
                let Ok(p) = notification
                    .extract::<lsp_types::DidCloseTextDocumentParams>(DidCloseTextDocument::METHOD)
                else {
                    return Vec::new();
                };
                self.documents.remove(&p.text_document.uri);
                // Clear what was published, so a closed file leaves no stale problems behind.
                vec![publish(p.text_document.uri, Vec::new(), None)]
            }
            _ => Vec::new(),
        }
    }

    /// Analyses `text` as the document's new content and publishes its diagnostics.
    fn open(&mut self, uri: Uri, kind: InputKind, text: String, version: i32) -> Vec<Message> {
        let doc = Document::new(&uri, kind, text);
        let diagnostics = doc.analysis.diagnostics.clone();
        self.documents.insert(uri.clone(), doc);
        vec![publish(uri, diagnostics, Some(version))]
    }
}

fn publish(uri: Uri, diagnostics: Vec<lsp_types::Diagnostic>, version: Option<i32>) -> Message {
    Message::Notification(Notification::new(
        PublishDiagnostics::METHOD.into(),
        PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        },
    ))
}

/// `.flow` or ASL JSON: by the file's extension, else by the editor's language id.
fn kind_of(uri: &Uri, language_id: &str) -> InputKind {
    let path = uri.path().as_str();
    if path.ends_with(".json") || (!path.ends_with(".flow") && language_id == "json") {
        InputKind::Asl
    } else {
        InputKind::Flow
    }
}

fn params<P: serde::de::DeserializeOwned>(request: Request) -> Result<P, (ErrorCode, String)> {
    serde_json::from_value(request.params)
        .map_err(|e| (ErrorCode::InvalidParams, format!("bad parameters: {e}")))
}

fn to_value<T: serde::Serialize>(value: T) -> Answer {
    serde_json::to_value(value).map_err(|e| (ErrorCode::InternalError, e.to_string()))
}

fn initialize_result() -> InitializeResult {
    InitializeResult {
        capabilities: ServerCapabilities {
            text_document_sync: Some(TextDocumentSyncCapability::Kind(
                TextDocumentSyncKind::INCREMENTAL,
            )),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            completion_provider: Some(CompletionOptions::default()),
            definition_provider: Some(OneOf::Left(true)),
            references_provider: Some(OneOf::Left(true)),
            rename_provider: Some(OneOf::Left(true)),
            document_formatting_provider: Some(OneOf::Left(true)),
            document_symbol_provider: Some(OneOf::Left(true)),
            folding_range_provider: Some(lsp_types::FoldingRangeProviderCapability::Simple(true)),
            ..Default::default()
        },
        server_info: Some(ServerInfo {
            name: "flowc".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    }
}

/// Why `flowc lsp` stopped with an error.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LspError {
    #[error("flowc lsp: the connection to the editor failed: {0}")]
    #[diagnostic(
        code(flowc::lsp::io),
        help("flowc lsp talks LSP over stdin/stdout; start it from an editor's LSP client")
    )]
    Io(#[from] std::io::Error),
    #[error("flowc lsp: the editor closed the connection without `shutdown`")]
    #[diagnostic(
        code(flowc::lsp::no_shutdown),
        help("the protocol asks a client to send `shutdown` before `exit`")
    )]
    NoShutdown,
}

/// Serves the protocol on stdin/stdout until the client sends `exit` (or closes stdin).
pub fn serve_stdio() -> Result<(), LspError> {
    let (connection, io_threads) = Connection::stdio();
    let mut server = Server::new();
    for message in &connection.receiver {
        // A bug in one answer must not end the session: the client gets an error for that
        // request, and the panic hook has already said what went wrong on stderr.
        let id = match &message {
            Message::Request(r) => Some(r.id.clone()),
            _ => None,
        };
        let replies =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| server.handle(message)))
                .unwrap_or_else(|_| internal_error(id));
        for reply in replies {
            if connection.sender.send(reply).is_err() {
                break;
            }
        }
        if server.exited() {
            break;
        }
    }
    let clean = server.shut_down;
    drop(connection);
    io_threads.join()?;
    if clean {
        Ok(())
    } else {
        Err(LspError::NoShutdown)
    }
}

fn internal_error(id: Option<RequestId>) -> Vec<Message> {
    id.map(|id| {
        Message::Response(Response::new_err(
            id,
            ErrorCode::InternalError as i32,
            "internal error in flowc lsp (a bug: please report it with the file)".into(),
        ))
    })
    .into_iter()
    .collect()
}
