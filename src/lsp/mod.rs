//! `dlc lsp`: the language server, over stdio.
//!
//! Built on `lsp-server` and `lsp-types`, rust-analyzer's crates: a
//! synchronous loop over a channel of messages, no async runtime. A check
//! takes milliseconds and the server answers one message at a time, so an
//! executor (as `tower-lsp` brings) would add threads, a runtime and
//! dependencies for nothing. [`Server::handle`] turns one message into the
//! messages to send, which tests and benchmarks drive without a transport.

mod actions;
mod compiled;
mod completion;
mod convert;
mod documents;
mod hover;
mod inlay;
mod navigation;

pub use convert::STD_SCHEME;
pub use documents::Retained;

use lsp_server::{Connection, ErrorCode, Message, Notification, ProtocolError, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Notification as _,
    PublishDiagnostics,
};
use lsp_types::request::{
    CodeActionRequest, Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest,
    InlayHintRequest, References, Request as _,
};
use lsp_types::{
    CodeActionOrCommand, CodeActionProviderCapability, CompletionOptions, CompletionResponse,
    DocumentSymbolResponse, GotoDefinitionResponse, Hover, HoverContents, HoverProviderCapability,
    MarkupContent, MarkupKind, OneOf, PublishDiagnosticsParams, ServerCapabilities,
    TextDocumentPositionParams, TextDocumentSyncCapability, TextDocumentSyncKind, Url,
};
use serde_json::Value as Json;

use crate::analysis::{Analysis, LineIndex, Node, OverlayLoader};
use crate::resolve::SourceLoader;
use crate::source::FileId;

use completion::Context;
use documents::Documents;

/// The request that reads a stdlib module (a `dlc-std:` URI), for editors
/// that open definitions there: `{ "uri": "dlc-std:std/aws.dl" }` -> its text.
pub const READ_STDLIB: &str = "dlc/readStdlib";

pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![" ".into(), "\"".into(), "/".into(), "{".into()]),
            ..CompletionOptions::default()
        }),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        inlay_hint_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    }
}

/// Serves one client on `connection` until it says `exit`. The error says
/// why the conversation broke off.
///
/// A change is published in two steps: the check without the quotas on the
/// templates, at once, then the quotas' findings before the next message
/// is read. A newer edit already waiting makes those measurements stale, and
/// they are skipped: its own check will measure.
pub fn serve(connection: &Connection, loader: &mut dyn SourceLoader) -> Result<(), String> {
    let capabilities = serde_json::to_value(capabilities())
        .map_err(|e| format!("cannot encode the capabilities: {e}"))?;
    let protocol = |e: ProtocolError| e.to_string();
    connection.initialize(capabilities).map_err(protocol)?;
    let send = |replies: Vec<Message>| {
        replies.into_iter().try_for_each(|reply| {
            connection
                .sender
                .send(reply)
                .map_err(|e| format!("the client went away: {e}"))
        })
    };
    let mut server = Server::new(loader);
    let mut waiting = None;
    loop {
        let message = match waiting.take() {
            Some(message) => message,
            None => match connection.receiver.recv() {
                Ok(message) => message,
                Err(_) => return Ok(()),
            },
        };
        if let Message::Request(request) = &message {
            if connection.handle_shutdown(request).map_err(protocol)? {
                return Ok(());
            }
        }
        send(server.handle(message))?;
        if server.quotas_pending() {
            waiting = connection.receiver.try_recv().ok();
            if !waiting.as_ref().is_some_and(changes_a_document) {
                send(server.measure_quotas())?;
            }
        }
    }
}

/// Whether a message edits, opens or closes a document: a new check.
fn changes_a_document(message: &Message) -> bool {
    matches!(message, Message::Notification(n) if [
        DidOpenTextDocument::METHOD,
        DidChangeTextDocument::METHOD,
        DidCloseTextDocument::METHOD,
    ]
    .contains(&n.method.as_str()))
}

/// The server's state: open documents and the lakes they belong to.
pub struct Server<'l> {
    documents: Documents<'l>,
}

impl<'l> Server<'l> {
    pub fn new(loader: &'l mut dyn SourceLoader) -> Server<'l> {
        Server {
            documents: Documents::new(loader),
        }
    }

    /// How much the server holds, for a test that edits many times.
    pub fn retained(&self) -> Retained {
        self.documents.retained()
    }

    /// Whether the last change's quota measurements are still to be made
    /// ([`Server::measure_quotas`]).
    pub fn quotas_pending(&self) -> bool {
        self.documents.quotas_pending()
    }

    /// Measures the last change's templates against CloudFormation's quotas
    /// and publishes the files whose diagnostics that changed. After it,
    /// the diagnostics are those of `dlc check`.
    pub fn measure_quotas(&mut self) -> Vec<Message> {
        self.documents.measure_quotas();
        publish(self.documents.changed_diagnostics())
    }

    /// The messages one message from the client calls for. A change
    /// publishes its diagnostics without the quotas on the templates, which
    /// [`Server::measure_quotas`] adds.
    pub fn handle(&mut self, message: Message) -> Vec<Message> {
        match message {
            Message::Notification(notification) => self.notification(notification),
            Message::Request(request) => vec![Message::Response(self.request(request))],
            Message::Response(_) => Vec::new(),
        }
    }

    fn notification(&mut self, notification: Notification) -> Vec<Message> {
        let changed = match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                match serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(
                    notification.params,
                ) {
                    Ok(params) => self.documents.set(
                        params.text_document.uri,
                        params.text_document.version,
                        params.text_document.text,
                    ),
                    Err(_) => false,
                }
            }
            DidChangeTextDocument::METHOD => {
                match serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(
                    notification.params,
                ) {
                    // Full sync: the last change is the whole text.
                    Ok(mut params) => match params.content_changes.pop() {
                        Some(change) => self.documents.set(
                            params.text_document.uri,
                            params.text_document.version,
                            change.text,
                        ),
                        None => false,
                    },
                    Err(_) => false,
                }
            }
            DidCloseTextDocument::METHOD => {
                match serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(
                    notification.params,
                ) {
                    Ok(params) => {
                        self.documents.close(&params.text_document.uri);
                        true
                    }
                    Err(_) => false,
                }
            }
            _ => false,
        };
        if !changed {
            return Vec::new();
        }
        self.documents.reanalyze();
        publish(self.documents.diagnostics())
    }

    fn request(&mut self, request: Request) -> Response {
        let id = request.id.clone();
        match self.answer(request) {
            Ok(result) => Response::new_ok(id, result),
            Err((code, message)) => Response::new_err(id, code as i32, message),
        }
    }

    fn answer(&mut self, request: Request) -> Result<Json, (ErrorCode, String)> {
        let params = request.params;
        let json = |value: Result<Json, serde_json::Error>| {
            value.map_err(|e| (ErrorCode::InternalError, e.to_string()))
        };
        match request.method.as_str() {
            HoverRequest::METHOD => {
                let at: TextDocumentPositionParams = parse(params)?;
                let hover = self.node_at(&at).and_then(|(analysis, node)| {
                    Some(Hover {
                        contents: HoverContents::Markup(MarkupContent {
                            kind: MarkupKind::Markdown,
                            value: hover::hover(analysis, &node)?,
                        }),
                        range: None,
                    })
                });
                json(serde_json::to_value(hover))
            }
            GotoDefinition::METHOD => {
                let at: TextDocumentPositionParams = parse(params)?;
                let location = self
                    .node_at(&at)
                    .and_then(|(analysis, node)| navigation::definition(analysis, &node))
                    .map(GotoDefinitionResponse::Scalar);
                json(serde_json::to_value(location))
            }
            References::METHOD => {
                let params: lsp_types::ReferenceParams = parse(params)?;
                let locations =
                    self.node_at(&params.text_document_position)
                        .map(|(analysis, node)| {
                            navigation::references(
                                analysis,
                                &node,
                                params.context.include_declaration,
                            )
                        });
                json(serde_json::to_value(locations))
            }
            Completion::METHOD => {
                let params: lsp_types::CompletionParams = parse(params)?;
                let items = self.complete(&params.text_document_position);
                json(serde_json::to_value(items.map(CompletionResponse::Array)))
            }
            CodeActionRequest::METHOD => {
                let params: lsp_types::CodeActionParams = parse(params)?;
                let actions = self.documents.analysis_of(&params.text_document.uri).map(
                    |(analysis, file)| {
                        let text = &analysis.checked.sources.get(file).text;
                        let index = LineIndex::new(text);
                        let start = index.offset(text, convert::to_analysis(params.range.start));
                        let end = index.offset(text, convert::to_analysis(params.range.end));
                        actions::code_actions(analysis, file, start, end)
                            .into_iter()
                            .map(CodeActionOrCommand::CodeAction)
                            .collect::<Vec<_>>()
                    },
                );
                json(serde_json::to_value(actions))
            }
            Formatting::METHOD => {
                let params: lsp_types::DocumentFormattingParams = parse(params)?;
                let edits = self
                    .documents
                    .analysis_of(&params.text_document.uri)
                    .and_then(|(analysis, file)| {
                        let text = &analysis.checked.sources.get(file).text;
                        actions::format(text, &LineIndex::new(text))
                    });
                json(serde_json::to_value(edits))
            }
            DocumentSymbolRequest::METHOD => {
                let params: lsp_types::DocumentSymbolParams = parse(params)?;
                let symbols = self.documents.analysis_of(&params.text_document.uri).map(
                    |(analysis, file)| {
                        DocumentSymbolResponse::Nested(navigation::symbols(analysis, file))
                    },
                );
                json(serde_json::to_value(symbols))
            }
            InlayHintRequest::METHOD => {
                let params: lsp_types::InlayHintParams = parse(params)?;
                let hints = self
                    .documents
                    .analysis_of(&params.text_document.uri)
                    .map(|(analysis, file)| inlay::hints(analysis, file));
                json(serde_json::to_value(hints))
            }
            READ_STDLIB => {
                let params: ReadStdlib = parse(params)?;
                let name = params
                    .uri
                    .as_str()
                    .strip_prefix(&format!("{STD_SCHEME}:"))
                    .unwrap_or_default()
                    .to_string();
                let module = crate::stdlib::MODULES
                    .iter()
                    .find(|m| m.display_path() == name);
                let text = module.map(|m| m.text).ok_or((
                    ErrorCode::InvalidParams,
                    format!("no stdlib module `{name}`"),
                ))?;
                Ok(Json::String(text.to_string()))
            }
            method => Err((
                ErrorCode::MethodNotFound,
                format!("dlc lsp does not answer `{method}`"),
            )),
        }
    }

    /// The lake of the document and the node at the position, if any.
    fn node_at(&self, at: &TextDocumentPositionParams) -> Option<(&Analysis, Node)> {
        let (analysis, file, offset) = self.offset_of(at)?;
        let node = analysis.index.at(file, offset)?.clone();
        Some((analysis, node))
    }

    fn offset_of(&self, at: &TextDocumentPositionParams) -> Option<(&Analysis, FileId, usize)> {
        let (analysis, file) = self.documents.analysis_of(&at.text_document.uri)?;
        let text = &analysis.checked.sources.get(file).text;
        let offset = LineIndex::new(text).offset(text, convert::to_analysis(at.position));
        Some((analysis, file, offset))
    }

    fn complete(
        &mut self,
        at: &TextDocumentPositionParams,
    ) -> Option<Vec<lsp_types::CompletionItem>> {
        let (analysis, file, offset) = self.offset_of(at)?;
        let text = &analysis.checked.sources.get(file).text;
        let items = match completion::context(text, offset)? {
            Context::Extends => completion::environments(analysis),
            Context::Key => {
                let (record, written) = completion::record_at(analysis, file, text, offset)?;
                completion::missing_fields(analysis, &record, &written)
            }
            Context::Value(key) => {
                let (record, _) = completion::record_at(analysis, file, text, offset)?;
                completion::values(analysis, &record, &key)
            }
            Context::Import(folder) => {
                let path = convert::path_of(&at.text_document.uri)?;
                let dir = path.parent()?.join(folder);
                let own = path.file_name()?.to_string_lossy().into_owned();
                let names = self.lake_files_in(&dir);
                completion::files(names.into_iter().filter(|n| *n != own).collect())
            }
        };
        Some(items)
    }

    fn lake_files_in(&mut self, dir: &std::path::Path) -> Vec<String> {
        let overlay = self.documents.overlay().clone();
        let loader = OverlayLoader {
            overlay: &overlay,
            inner: self.documents.loader(),
        };
        loader.lake_files_in(dir)
    }
}

#[derive(serde::Deserialize)]
struct ReadStdlib {
    uri: Url,
}

fn publish(lists: Vec<documents::Published>) -> Vec<Message> {
    lists
        .into_iter()
        .map(|(uri, version, diagnostics)| {
            Message::Notification(Notification::new(
                PublishDiagnostics::METHOD.to_string(),
                PublishDiagnosticsParams {
                    uri,
                    diagnostics,
                    version,
                },
            ))
        })
        .collect()
}

fn parse<T: serde::de::DeserializeOwned>(params: Json) -> Result<T, (ErrorCode, String)> {
    serde_json::from_value(params).map_err(|e| (ErrorCode::InvalidParams, e.to_string()))
}
