//! A language client for tests: the server runs in-process on a memory
//! connection (the same loop `dlc lsp` runs over stdio).

use std::collections::HashMap;
use std::thread::JoinHandle;

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{json, Value};

pub struct Client {
    connection: Connection,
    server: Option<JoinHandle<()>>,
    next_id: i32,
}

impl Client {
    pub fn start() -> Client {
        let (server, connection) = Connection::memory();
        let thread = std::thread::spawn(move || {
            dlc::lsp::serve(&server, &mut dlc::host::FsLoader).unwrap();
        });
        let mut client = Client {
            connection,
            server: Some(thread),
            next_id: 0,
        };
        let result = client.request("initialize", json!({ "capabilities": {} }));
        assert!(result["capabilities"]["hoverProvider"].as_bool().unwrap());
        client.notify("initialized", json!({}));
        client
    }

    fn send_request(&mut self, method: &str, params: Value) -> RequestId {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        let request = Request::new(id.clone(), method.to_string(), params);
        self.connection.sender.send(request.into()).unwrap();
        id
    }

    /// The response's result, and the diagnostics published before it, by URI.
    fn request_collecting(
        &mut self,
        method: &str,
        params: Value,
    ) -> (Result<Value, String>, HashMap<String, Value>) {
        let (result, published) = self.request_publishing(method, params);
        (result, published.into_iter().collect())
    }

    /// The response's result, and every list of diagnostics published
    /// before it, in the order sent: (URI, diagnostics).
    fn request_publishing(
        &mut self,
        method: &str,
        params: Value,
    ) -> (Result<Value, String>, Vec<(String, Value)>) {
        let id = self.send_request(method, params);
        let mut published = Vec::new();
        loop {
            match self.connection.receiver.recv().unwrap() {
                Message::Response(response) if response.id == id => {
                    let result = match response.error {
                        Some(error) => Err(error.message),
                        None => Ok(response.result.unwrap_or(Value::Null)),
                    };
                    return (result, published);
                }
                Message::Notification(n) if n.method == "textDocument/publishDiagnostics" => {
                    let uri = n.params["uri"].as_str().unwrap().to_string();
                    published.push((uri, n.params["diagnostics"].clone()));
                }
                _ => {}
            }
        }
    }

    pub fn request(&mut self, method: &str, params: Value) -> Value {
        self.request_collecting(method, params).0.unwrap()
    }

    pub fn notify(&self, method: &str, params: Value) {
        let notification = Notification::new(method.to_string(), params);
        self.connection.sender.send(notification.into()).unwrap();
    }

    /// Sends a notification and returns the diagnostics it published, by
    /// URI: a request the server does not know follows it, and the server
    /// answers messages in order.
    pub fn notify_collecting(&mut self, method: &str, params: Value) -> HashMap<String, Value> {
        self.notify(method, params);
        self.request_collecting("dlc/barrier", json!({})).1
    }

    /// [`Client::notify_collecting`], each list published kept, in order.
    pub fn notify_publishing(&mut self, method: &str, params: Value) -> Vec<(String, Value)> {
        self.notify(method, params);
        self.request_publishing("dlc/barrier", json!({})).1
    }

    pub fn open(&mut self, uri: &str, text: &str) -> HashMap<String, Value> {
        self.notify_collecting(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "dl", "version": 1, "text": text } }),
        )
    }

    pub fn change(&mut self, uri: &str, text: &str) -> HashMap<String, Value> {
        self.notify_collecting(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "text": text }] }),
        )
    }

    pub fn at(&mut self, method: &str, uri: &str, position: Value) -> Value {
        let mut params = json!({ "textDocument": { "uri": uri }, "position": position });
        if method == "textDocument/references" {
            params["context"] = json!({ "includeDeclaration": true });
        }
        self.request(method, params)
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        if let Some(server) = self.server.take() {
            server.join().unwrap();
        }
    }
}

/// The zero-based position of the `nth` `needle` in `text`, plus `shift`
/// characters, its column in UTF-16 code units.
pub fn position(text: &str, needle: &str, nth: usize, shift: usize) -> Value {
    let offset = text.match_indices(needle).nth(nth).unwrap().0 + shift;
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..line_start].matches('\n').count();
    let character = text[line_start..offset].encode_utf16().count();
    json!({ "line": line, "character": character })
}

/// `text` with the edits of one code action's workspace edit for `uri`
/// applied (edits do not overlap; applied from the last).
pub fn apply(text: &str, edits: &Value) -> String {
    let mut edits: Vec<&Value> = edits.as_array().unwrap().iter().collect();
    let offset = |p: &Value| {
        let line = p["line"].as_u64().unwrap() as usize;
        let character = p["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let mut units = 0;
        for (i, c) in text[start..].char_indices() {
            if units >= character {
                return start + i;
            }
            units += c.len_utf16();
        }
        text.len()
    };
    edits.sort_by_key(|e| std::cmp::Reverse(offset(&e["range"]["start"])));
    let mut out = text.to_string();
    for edit in edits {
        let start = offset(&edit["range"]["start"]);
        let end = offset(&edit["range"]["end"]);
        out.replace_range(start..end, edit["newText"].as_str().unwrap());
    }
    out
}
