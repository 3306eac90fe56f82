//! The messages of one proxied session, paired into exchanges: each client request with its answer, the server's
//! requests (sampling, elicitation, roots) and the client's replies to them, and the notifications that arrived
//! while it was the current exchange.

use std::collections::HashMap;

use serde_json::Value;

/// Who sent a message through the proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// From the MCP client (the host application) to the server.
    ClientToServer,
    /// From the server to the client.
    ServerToClient,
}

/// How the server answered a client request.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// A JSON-RPC `result`.
    Result(Value),
    /// A JSON-RPC `error` object.
    Error(Value),
}

/// A request the server sent the client during an exchange, and the client's reply.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerRequest {
    /// Its method (`elicitation/create`, `sampling/createMessage`, `roots/list`, …).
    pub method: String,
    /// The client's reply, once seen.
    pub reply: Option<Answer>,
}

/// One client message and what followed it.
#[derive(Debug, Clone, PartialEq)]
pub struct Exchange {
    /// The method.
    pub method: String,
    /// The params, as sent.
    pub params: Option<Value>,
    /// The request id; `None` for a notification.
    pub id: Option<Value>,
    /// The server's answer, once seen.
    pub answer: Option<Answer>,
    /// Requests the server sent while this was the current exchange.
    pub server_requests: Vec<ServerRequest>,
    /// Notifications (method and params) the server sent while this was the current exchange.
    pub notifications: Vec<(String, Value)>,
}

/// The most exchanges one recording keeps; later messages are still proxied, not recorded.
pub const MAX_EXCHANGES: usize = 10_000;

/// The most server requests or notifications kept per exchange.
const MAX_PER_EXCHANGE: usize = 200;

/// A request id as a map key (ids are strings or numbers; their JSON text tells them apart).
fn id_key(id: &Value) -> String {
    id.to_string()
}

/// The session so far, fed one message at a time.
#[derive(Debug, Default)]
pub struct SessionLog {
    exchanges: Vec<Exchange>,
    /// Open client requests: id → exchange index.
    pending: HashMap<String, usize>,
    /// Open server requests: id → (exchange index, index in its `server_requests`).
    server_pending: HashMap<String, (usize, usize)>,
    /// What could not be recorded, for the user.
    notes: Vec<String>,
    /// Messages not recorded because [`MAX_EXCHANGES`] was reached.
    dropped: u64,
}

impl SessionLog {
    /// An empty log.
    pub fn new() -> SessionLog {
        SessionLog::default()
    }

    /// The exchanges, in the order the client sent them.
    pub fn exchanges(&self) -> &[Exchange] {
        &self.exchanges
    }

    /// What could not be recorded.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = self.notes.clone();
        if self.dropped > 0 {
            notes.push(format!(
                "the recording keeps at most {MAX_EXCHANGES} client messages; {} later messages were proxied but not recorded",
                self.dropped
            ));
        }
        notes
    }

    /// Notes something the recording could not keep.
    pub fn note(&mut self, note: impl Into<String>) {
        if self.notes.len() < 100 {
            self.notes.push(note.into());
        }
    }

    /// Records one JSON message (a batch is recorded element by element).
    pub fn feed(&mut self, direction: Direction, message: &Value) {
        if let Value::Array(items) = message {
            for item in items {
                self.feed(direction, item);
            }
            return;
        }
        let Some(obj) = message.as_object() else {
            self.note(format!("a message that is not a JSON-RPC object was proxied: {}", preview(message)));
            return;
        };
        let method = obj.get("method").and_then(Value::as_str);
        let id = obj.get("id").filter(|id| !id.is_null());
        let answer = if let Some(result) = obj.get("result") {
            Some(Answer::Result(result.clone()))
        } else {
            obj.get("error").map(|e| Answer::Error(e.clone()))
        };
        match (direction, method, id, answer) {
            (Direction::ClientToServer, Some(method), id, _) => self.client_message(method, obj.get("params"), id),
            (Direction::ClientToServer, None, Some(id), Some(answer)) => {
                match self.server_pending.remove(&id_key(id)) {
                    Some((e, r)) => self.exchanges[e].server_requests[r].reply = Some(answer),
                    None => self.note(format!("the client answered id {id}, which the server never asked")),
                }
            }
            (Direction::ServerToClient, None, Some(id), Some(answer)) => match self.pending.remove(&id_key(id)) {
                Some(e) => self.exchanges[e].answer = Some(answer),
                None => {
                    self.note(format!("the server answered id {id}, which the client never asked (or asked twice)"))
                }
            },
            (Direction::ServerToClient, Some(method), id, _) => self.server_message(method, obj.get("params"), id),
            _ => self.note(format!("an unrecognised message was proxied: {}", preview(message))),
        }
    }

    fn client_message(&mut self, method: &str, params: Option<&Value>, id: Option<&Value>) {
        if self.exchanges.len() >= MAX_EXCHANGES {
            self.dropped += 1;
            return;
        }
        let index = self.exchanges.len();
        if let Some(id) = id
            && self.pending.insert(id_key(id), index).is_some()
        {
            self.note(format!("the client reused request id {id} while it was still open"));
        }
        self.exchanges.push(Exchange {
            method: method.to_owned(),
            params: params.cloned(),
            id: id.cloned(),
            answer: None,
            server_requests: Vec::new(),
            notifications: Vec::new(),
        });
    }

    /// The exchange a server message belongs to: the newest one still waiting for its answer, else the newest.
    fn current(&self) -> Option<usize> {
        self.pending.values().copied().max().or_else(|| self.exchanges.len().checked_sub(1))
    }

    fn server_message(&mut self, method: &str, params: Option<&Value>, id: Option<&Value>) {
        let Some(current) = self.current() else {
            self.note(format!("the server sent `{method}` before the client sent anything"));
            return;
        };
        let exchange = &mut self.exchanges[current];
        match id {
            Some(id) if exchange.server_requests.len() < MAX_PER_EXCHANGE => {
                exchange.server_requests.push(ServerRequest { method: method.to_owned(), reply: None });
                let at = (current, exchange.server_requests.len() - 1);
                self.server_pending.insert(id_key(id), at);
            }
            None if exchange.notifications.len() < MAX_PER_EXCHANGE => {
                exchange.notifications.push((method.to_owned(), params.cloned().unwrap_or(Value::Null)));
            }
            _ => {}
        }
    }
}

/// A short rendering of a message for a note.
fn preview(message: &Value) -> String {
    let text = message.to_string();
    match text.char_indices().nth(120) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn requests_pair_with_answers_and_server_requests_with_replies() {
        let mut log = SessionLog::new();
        let c = Direction::ClientToServer;
        let s = Direction::ServerToClient;
        log.feed(c, &json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "ask"}}));
        log.feed(c, &json!({"jsonrpc": "2.0", "id": "two", "method": "ping"}));
        log.feed(s, &json!({"jsonrpc": "2.0", "id": "two", "result": {}}));
        log.feed(s, &json!({"jsonrpc": "2.0", "id": 0, "method": "elicitation/create", "params": {}}));
        log.feed(s, &json!({"jsonrpc": "2.0", "method": "notifications/progress", "params": {"progress": 1}}));
        log.feed(c, &json!({"jsonrpc": "2.0", "id": 0, "result": {"action": "decline"}}));
        log.feed(s, &json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32602, "message": "no"}}));
        log.feed(c, &json!([{"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 9}}]));
        log.feed(s, &json!({"jsonrpc": "2.0", "id": 77, "result": {}}));
        log.feed(s, &json!("garbage"));

        let ex = log.exchanges();
        assert_eq!(ex.len(), 3);
        assert_eq!(ex[0].answer, Some(Answer::Error(json!({"code": -32602, "message": "no"}))));
        assert_eq!(ex[0].server_requests[0].reply, Some(Answer::Result(json!({"action": "decline"}))));
        assert_eq!(ex[0].notifications, [("notifications/progress".to_owned(), json!({"progress": 1}))]);
        assert_eq!(ex[1].answer, Some(Answer::Result(json!({}))));
        assert_eq!((ex[2].method.as_str(), ex[2].id.as_ref()), ("notifications/cancelled", None));
        let notes = log.notes();
        assert!(notes[0].contains("id 77"), "{notes:?}");
        assert!(notes[1].contains("\"garbage\""), "{notes:?}");
    }
}
