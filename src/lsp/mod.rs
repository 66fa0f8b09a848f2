//! `archlint lsp`: a language server on standard input and output. It publishes archlint's
//! findings in open Rust and TypeScript/JavaScript buffers as diagnostics (on open, on every
//! change, on save; cleared on close) and offers quick fixes that insert suppression comments.
//!
//! One thread handles the messages in order and answers each before the next: scanning one buffer
//! takes milliseconds. Beside it, one thread reads the input and, once per project, one scans the
//! project for the facts that other files establish (see `diagnostics`); both hand their results
//! to the first as events. Messages that cannot be read are answered with an error and the server
//! goes on; only the end of the input or `exit` stops it.

mod actions;
mod diagnostics;
mod document;
mod transport;

use document::Document;
use lsp_server::{ErrorCode, Message, Notification, Request, Response, ResponseError};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionParams, CodeActionProviderCapability, Diagnostic, DidChangeTextDocumentParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DidSaveTextDocumentParams, InitializeResult, LogMessageParams, MessageType,
    PositionEncodingKind, PublishDiagnosticsParams, SaveOptions, ServerCapabilities, ServerInfo, ShowMessageParams,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Uri,
};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::io::{self, BufRead, BufReader, Write};
use std::path::PathBuf;
use std::sync::mpsc;
use transport::Incoming;

/// Serves the client on standard input and output; returns the exit code (0 after `shutdown`
/// then `exit`, 1 when the client stopped any other way, as the protocol asks).
pub fn run() -> i32 {
    serve(BufReader::new(io::stdin()), &mut io::stdout().lock())
}

/// What the handling thread waits for.
enum Event {
    /// A frame from the client, or the end of the input (`Ok(None)`).
    Read(io::Result<Option<Incoming>>),
    Facts(diagnostics::CollectedFacts),
}

pub fn serve(mut input: impl BufRead + Send + 'static, output: &mut impl Write) -> i32 {
    let (events, received) = mpsc::channel();
    let reader_events = events.clone();
    std::thread::spawn(move || loop {
        let read = transport::read(&mut input);
        let last = match &read {
            Ok(Some(Incoming::Message(Message::Notification(n)))) => n.method == "exit",
            Ok(Some(_)) => false,
            Ok(None) | Err(_) => true,
        };
        if reader_events.send(Event::Read(read)).is_err() || last {
            break;
        }
    });
    let mut server = Server {
        output,
        phase: Phase::Starting,
        documents: HashMap::new(),
        projects: diagnostics::Projects::new(Some(events)),
        shown_errors: HashSet::new(),
    };
    // The projects keep a sender, so the channel stays open; the reader's last event ends the loop.
    for event in received {
        let handled = match event {
            Event::Read(Ok(Some(Incoming::Message(Message::Notification(n))))) if n.method == "exit" => {
                return if server.phase == Phase::ShutDown { 0 } else { 1 };
            }
            Event::Read(Ok(Some(Incoming::Message(message)))) => server.handle(message),
            Event::Read(Ok(Some(Incoming::Malformed { code, reason }))) => {
                eprintln!("archlint lsp: {reason}");
                transport::write_error_without_id(server.output, code, &reason)
            }
            Event::Read(Ok(None)) => {
                eprintln!("archlint lsp: the client closed the connection without `exit`");
                return 1;
            }
            Event::Read(Err(e)) => Err(e),
            Event::Facts(facts) => server.facts_collected(facts),
        };
        if let Err(e) = handled {
            eprintln!("archlint lsp: cannot talk to the client: {e}");
            return 1;
        }
    }
    1
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Before `initialize`: every request but it is refused.
    Starting,
    Running,
    /// After `shutdown`: only `exit` is expected.
    ShutDown,
}

struct Server<'w, W: Write> {
    output: &'w mut W,
    phase: Phase,
    documents: HashMap<Uri, Document>,
    projects: diagnostics::Projects,
    /// Configuration errors already shown: a broken `archlint.toml` is reported once, not per keystroke.
    shown_errors: HashSet<String>,
}

type Reply = Result<Value, ResponseError>;

fn error(code: ErrorCode, message: impl Into<String>) -> ResponseError {
    ResponseError { code: code as i32, message: message.into(), data: None }
}

fn request_params<P: DeserializeOwned>(method: &str, params: Value) -> Result<P, ResponseError> {
    serde_json::from_value(params).map_err(|e| error(ErrorCode::InvalidParams, format!("invalid parameters for `{method}`: {e}")))
}

/// A notification's parameters; a mismatch is an `InvalidInput` error (the client's mistake).
fn notification_params<P: DeserializeOwned>(method: &str, params: Value) -> io::Result<P> {
    request_params(method, params).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.message))
}

impl<W: Write> Server<'_, W> {
    fn handle(&mut self, message: Message) -> io::Result<()> {
        match message {
            Message::Request(request) => {
                let Request { id, method, params } = request;
                let reply = self.on_request(&method, params);
                self.send(Response { id, response_result: reply }.into())
            }
            Message::Notification(Notification { method, params }) => match self.on_notification(&method, params) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == io::ErrorKind::InvalidInput => {
                    eprintln!("archlint lsp: {e}");
                    Ok(())
                }
                Err(e) => Err(e),
            },
            // The server sends no requests, so there is nothing to match a response to.
            Message::Response(_) => Ok(()),
        }
    }

    fn on_request(&mut self, method: &str, params: Value) -> Reply {
        match (self.phase, method) {
            (Phase::Starting, "initialize") => Ok(self.initialize(&params)),
            (Phase::Starting, _) => Err(error(ErrorCode::ServerNotInitialized, "the server has not been initialized")),
            (_, "initialize") => Err(error(ErrorCode::InvalidRequest, "the server is already initialized")),
            (Phase::ShutDown, _) => Err(error(ErrorCode::InvalidRequest, "the server is shutting down")),
            (_, "shutdown") => {
                self.phase = Phase::ShutDown;
                Ok(Value::Null)
            }
            (_, "textDocument/codeAction") => {
                let CodeActionParams { text_document, range, context, .. } = request_params(method, params)?;
                let Some(document) = self.documents.get(&text_document.uri) else { return Ok(Value::Null) };
                let fixes = actions::quick_fixes(&text_document.uri, &document.text, range, &context.diagnostics);
                Ok(serde_json::to_value(fixes).expect("code actions serialise"))
            }
            _ => Err(error(ErrorCode::MethodNotFound, format!("archlint does not handle `{method}`"))),
        }
    }

    /// Errors of kind `InvalidInput` are the client's mistakes (logged); others are I/O failures.
    fn on_notification(&mut self, method: &str, params: Value) -> io::Result<()> {
        // Notifications before `initialize` are dropped, as the protocol asks.
        if self.phase == Phase::Starting {
            return Ok(());
        }
        match method {
            "textDocument/didOpen" => {
                let DidOpenTextDocumentParams { text_document } = notification_params(method, params)?;
                let path = file_path(&text_document.uri);
                let language = path.as_deref().and_then(crate::source::Language::from_path);
                let document = Document { text: text_document.text, version: text_document.version, path, language };
                self.documents.insert(text_document.uri.clone(), document);
                self.publish(&text_document.uri)
            }
            "textDocument/didChange" => {
                let DidChangeTextDocumentParams { text_document, content_changes } = notification_params(method, params)?;
                let Some(document) = self.documents.get_mut(&text_document.uri) else { return Ok(()) };
                document.apply(content_changes, text_document.version);
                self.publish(&text_document.uri)
            }
            "textDocument/didSave" => {
                let DidSaveTextDocumentParams { text_document, text } = notification_params(method, params)?;
                let Some(document) = self.documents.get_mut(&text_document.uri) else { return Ok(()) };
                if let Some(text) = text {
                    document.text = text;
                }
                // The buffer is unchanged, but the configuration may have been edited: scan again.
                self.publish(&text_document.uri)
            }
            "textDocument/didClose" => {
                let DidCloseTextDocumentParams { text_document } = notification_params(method, params)?;
                let uri = text_document.uri;
                let Some(document) = self.documents.get_mut(&uri) else { return Ok(()) };
                // The project goes back to the file as it is on disk (gone if it was never saved).
                document.text = document.path.as_deref().and_then(|path| std::fs::read_to_string(path).ok()).unwrap_or_default();
                let (_, facts_changed) = self.diagnose(&uri)?;
                self.documents.remove(&uri);
                self.send_diagnostics(&uri, Some(Vec::new()))?;
                if facts_changed {
                    self.publish_all_but(None)?;
                }
                Ok(())
            }
            // `initialized`, `$/cancelRequest`, `$/setTrace`, ...: nothing to do.
            _ => Ok(()),
        }
    }

    fn initialize(&mut self, params: &Value) -> Value {
        // Read leniently: only the workspace folders matter, and a client's capabilities that
        // `lsp-types` reads more strictly than the client wrote them must not fail the handshake.
        let uris = params["workspaceFolders"].as_array().into_iter().flatten().map(|folder| &folder["uri"]).chain([&params["rootUri"]]);
        let mut roots: Vec<PathBuf> = uris.filter_map(|uri| uri.as_str()?.parse::<Uri>().ok()).filter_map(|uri| file_path(&uri)).collect();
        roots.extend(params["rootPath"].as_str().map(PathBuf::from));
        self.projects.workspace_roots = roots.into_iter().map(|root| root.canonicalize().unwrap_or(root)).collect();
        self.phase = Phase::Running;

        let result = InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(PositionEncodingKind::UTF16),
                text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::FULL),
                    save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions { include_text: Some(false) })),
                    ..TextDocumentSyncOptions::default()
                })),
                code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                    code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                    resolve_provider: Some(false),
                    ..CodeActionOptions::default()
                })),
                ..ServerCapabilities::default()
            },
            server_info: Some(ServerInfo { name: "archlint".into(), version: Some(crate::VERSION.into()) }),
        };
        serde_json::to_value(result).expect("the initialize result serialises")
    }

    /// Scans the buffer and publishes its diagnostics. When the scan changed the facts the
    /// buffer's file establishes, the other buffers are scanned and published again too.
    fn publish(&mut self, uri: &Uri) -> io::Result<()> {
        let (diagnostics, facts_changed) = self.diagnose(uri)?;
        self.send_diagnostics(uri, diagnostics)?;
        if facts_changed {
            self.publish_all_but(Some(uri))?;
        }
        Ok(())
    }

    /// Scans and publishes every open buffer but one: the facts they are scanned against changed.
    fn publish_all_but(&mut self, except: Option<&Uri>) -> io::Result<()> {
        let others: Vec<Uri> = self.documents.keys().filter(|other| Some(*other) != except).cloned().collect();
        for other in others {
            let (diagnostics, _) = self.diagnose(&other)?;
            self.send_diagnostics(&other, diagnostics)?;
        }
        Ok(())
    }

    /// A project scan's facts are in: they replace what the open buffers had established, so
    /// every buffer is scanned once to take its own facts in again, then once to publish.
    fn facts_collected(&mut self, facts: diagnostics::CollectedFacts) -> io::Result<()> {
        if self.phase == Phase::ShutDown {
            return Ok(());
        }
        let Some(summary) = self.projects.collected(facts) else { return Ok(()) };
        // In the editor's log of the server (and the tests' signal that the facts are in).
        let logged = LogMessageParams { typ: MessageType::INFO, message: format!("archlint: {summary}") };
        self.notify::<lsp_types::notification::LogMessage>(logged)?;
        let uris: Vec<Uri> = self.documents.keys().cloned().collect();
        for uri in &uris {
            self.diagnose(uri)?;
        }
        self.publish_all_but(None)
    }

    /// The buffer's diagnostics (none for a file archlint does not scan; `None` to keep those
    /// last published), and whether the facts its file establishes changed. A configuration error
    /// is shown, once.
    fn diagnose(&mut self, uri: &Uri) -> io::Result<(Option<Vec<Diagnostic>>, bool)> {
        let Some(Document { path: Some(path), language: Some(language), text, .. }) = self.documents.get(uri) else {
            return Ok((Some(Vec::new()), false));
        };
        // A bug in a front-end must cost this buffer its diagnostics, not the editor its server.
        let scanned = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.projects.diagnose(uri, path, *language, text)));
        let scanned = scanned.unwrap_or_else(|_| Err(format!("internal error while scanning {}; please report it", uri.as_str())));
        match scanned {
            Ok(scan) => Ok((scan.diagnostics, scan.facts_changed)),
            Err(message) => {
                if self.shown_errors.insert(message.clone()) {
                    eprintln!("archlint lsp: {message}");
                    let shown = ShowMessageParams { typ: MessageType::ERROR, message: format!("archlint: {message}") };
                    self.notify::<lsp_types::notification::ShowMessage>(shown)?;
                }
                Ok((Some(Vec::new()), false))
            }
        }
    }

    fn send_diagnostics(&mut self, uri: &Uri, diagnostics: Option<Vec<Diagnostic>>) -> io::Result<()> {
        let Some(diagnostics) = diagnostics else { return Ok(()) };
        // A closed buffer's diagnostics are cleared, with no version.
        let version = self.documents.get(uri).map(|document| document.version);
        self.notify::<lsp_types::notification::PublishDiagnostics>(PublishDiagnosticsParams { uri: uri.clone(), diagnostics, version })
    }

    fn notify<N: lsp_types::notification::Notification>(&mut self, params: N::Params) -> io::Result<()> {
        self.send(Notification::new(N::METHOD.to_string(), params).into())
    }

    fn send(&mut self, message: Message) -> io::Result<()> {
        transport::write(self.output, message)
    }
}

/// The path of a `file:` URI (percent-decoded), or `None` for other schemes (`untitled:`, ...).
fn file_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // `file:///path` or `file://localhost/path`; a URI naming another host is not a local file.
    let path = rest.strip_prefix("localhost").unwrap_or(rest);
    if !path.starts_with('/') {
        return None;
    }
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let decoded = percent_decode(path)?;
    // `file:///C:/dir` names `C:/dir` on Windows.
    if cfg!(windows) && decoded.get(2..3) == Some(":") {
        return Some(PathBuf::from(&decoded[1..]));
    }
    Some(PathBuf::from(decoded))
}

/// The `file:` URI of an absolute path, percent-encoding what URIs do not allow in a path.
pub(crate) fn file_uri(path: &std::path::Path) -> Option<Uri> {
    let text = path.to_str()?.replace('\\', "/");
    let mut encoded = String::from("file://");
    if !text.starts_with('/') {
        encoded.push('/');
    }
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' | b':' => encoded.push(byte as char),
            other => encoded.push_str(&format!("%{other:02X}")),
        }
    }
    std::str::FromStr::from_str(&encoded).ok()
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            decoded.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(decoded).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_uris_become_paths() {
        let path = |uri: &str| file_path(&uri.parse().unwrap());
        assert_eq!(path("file:///repo/src/a%20b.ts"), Some(PathBuf::from("/repo/src/a b.ts")));
        assert_eq!(path("file://localhost/repo/%C3%A9.rs"), Some(PathBuf::from("/repo/é.rs")));
        assert_eq!(path("untitled:Untitled-1"), None);
        assert_eq!(path("file://server/share/a.ts"), None);
        assert_eq!(path("file:///repo/%FF.ts"), None, "not UTF-8");
        let uri = file_uri(std::path::Path::new("/repo/src/a b/é.ts")).unwrap();
        assert_eq!(uri.as_str(), "file:///repo/src/a%20b/%C3%A9.ts");
        assert_eq!(file_path(&uri), Some(PathBuf::from("/repo/src/a b/é.ts")), "decodes to the same path");
    }
}
