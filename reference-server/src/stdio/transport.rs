//! [`LineTransport`]: rmcp transport over any byte stream, one JSON message per line.

use std::{io, sync::Arc};

use rmcp::{
    RoleServer,
    model::{ClientJsonRpcMessage, ClientRequest, ErrorCode, ServerJsonRpcMessage},
    transport::Transport,
};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};

/// Longest accepted input line; longer lines are answered with `-32600` and skipped.
pub(crate) const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

/// Line-delimited JSON-RPC transport with explicit answers to malformed input.
pub(crate) struct LineTransport<R, W> {
    reader: BufReader<R>,
    line: Vec<u8>,
    discarding: bool,
    writer: Arc<tokio::sync::Mutex<W>>,
    lifecycle_started: bool,
}

impl<R, W> LineTransport<R, W>
where
    R: AsyncRead + Unpin + Send,
    W: AsyncWrite + Unpin + Send + 'static,
{
    /// A transport reading `reader` and writing `writer`.
    pub(crate) fn new(reader: R, writer: W) -> Self {
        Self {
            reader: BufReader::with_capacity(64 * 1024, reader),
            line: Vec::with_capacity(4096),
            discarding: false,
            writer: Arc::new(tokio::sync::Mutex::new(writer)),
            lifecycle_started: false,
        }
    }

    /// Reads the next complete line into `self.line`; `Ok(false)` at end of input.
    ///
    /// Cancel safe: bytes are moved out of the buffer only together with
    /// `consume`, and a partial line stays in `self.line` for the next call.
    async fn read_line(&mut self) -> io::Result<bool> {
        loop {
            let available = self.reader.fill_buf().await?;
            if available.is_empty() {
                return Ok(!self.line.is_empty() && !std::mem::take(&mut self.discarding));
            }
            let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
                Some(newline) => (&available[..newline], newline + 1),
                None => (available, available.len()),
            };
            let complete = done > chunk.len();
            if !self.discarding {
                if self.line.len() + chunk.len() > MAX_LINE_BYTES {
                    self.discarding = true;
                    self.line.clear();
                } else {
                    self.line.extend_from_slice(chunk);
                }
            }
            self.reader.consume(done);
            if complete {
                if std::mem::take(&mut self.discarding) {
                    write_error(
                        &self.writer,
                        Value::Null,
                        ErrorCode::INVALID_REQUEST.0,
                        "message exceeds the maximum line length",
                    )
                    .await?;
                    continue;
                }
                return Ok(true);
            }
        }
    }

    /// Whether rmcp's lifecycle has started; before that it only accepts requests.
    fn admits(&mut self, message: &ClientJsonRpcMessage) -> bool {
        if self.lifecycle_started {
            return true;
        }
        match message {
            ClientJsonRpcMessage::Request(request) => {
                let starts = match &request.request {
                    ClientRequest::InitializeRequest(_) => true,
                    ClientRequest::DiscoverRequest(_) | ClientRequest::PingRequest(_) => false,
                    other => {
                        use rmcp::model::GetMeta as _;
                        other.get_meta().protocol_version().is_some()
                    }
                };
                self.lifecycle_started = starts;
                true
            }
            _ => {
                tracing::debug!("ignoring a non-request message received before initialization");
                false
            }
        }
    }
}

/// Writes one JSON-RPC error response line.
async fn write_error<W: AsyncWrite + Unpin>(
    writer: &tokio::sync::Mutex<W>,
    id: Value,
    code: i32,
    message: &str,
) -> io::Result<()> {
    let body = json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } });
    let mut bytes = serde_json::to_vec(&body).map_err(io::Error::other)?;
    bytes.push(b'\n');
    let mut writer = writer.lock().await;
    writer.write_all(&bytes).await?;
    writer.flush().await
}

/// Classifies a line that rmcp could not parse into a JSON-RPC error to send back.
pub(crate) fn classify_invalid(line: &[u8]) -> (Value, i32, &'static str) {
    let Ok(value) = serde_json::from_slice::<Value>(line) else {
        return (Value::Null, ErrorCode::PARSE_ERROR.0, "Parse error: invalid JSON");
    };
    let Some(object) = value.as_object() else {
        let message = if value.is_array() { "Invalid Request: batches are not supported" } else { "Invalid Request" };
        return (Value::Null, ErrorCode::INVALID_REQUEST.0, message);
    };
    let id = match object.get("id") {
        Some(id @ (Value::String(_) | Value::Number(_))) if id.as_f64().is_none_or(|_| id.is_i64() || id.is_u64()) => {
            id.clone()
        }
        _ => Value::Null,
    };
    let envelope_ok = object.get("jsonrpc") == Some(&Value::from("2.0"))
        && object.get("method").is_some_and(Value::is_string)
        && !id.is_null();
    if envelope_ok {
        (id, ErrorCode::INVALID_PARAMS.0, "Invalid params")
    } else {
        (id, ErrorCode::INVALID_REQUEST.0, "Invalid Request")
    }
}

impl<R, W> Transport<RoleServer> for LineTransport<R, W>
where
    R: AsyncRead + Unpin + Send,
    W: AsyncWrite + Unpin + Send + 'static,
{
    type Error = io::Error;

    fn send(&mut self, item: ServerJsonRpcMessage) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        let writer = self.writer.clone();
        async move {
            let mut bytes = serde_json::to_vec(&item).map_err(io::Error::other)?;
            bytes.push(b'\n');
            let mut writer = writer.lock().await;
            writer.write_all(&bytes).await?;
            writer.flush().await
        }
    }

    async fn receive(&mut self) -> Option<ClientJsonRpcMessage> {
        loop {
            match self.read_line().await {
                Ok(true) => {}
                Ok(false) => return None,
                Err(error) => {
                    tracing::error!(%error, "failed to read stdin");
                    return None;
                }
            }
            let line = std::mem::take(&mut self.line);
            let trimmed = line.strip_suffix(b"\r").unwrap_or(&line);
            if trimmed.iter().all(u8::is_ascii_whitespace) {
                self.line = line;
                self.line.clear();
                continue;
            }
            let parsed = serde_json::from_slice::<ClientJsonRpcMessage>(trimmed);
            match parsed {
                Ok(message) => {
                    self.line = line;
                    self.line.clear();
                    if self.admits(&message) {
                        return Some(message);
                    }
                }
                Err(_) => {
                    let (id, code, message) = classify_invalid(trimmed);
                    self.line = line;
                    self.line.clear();
                    if let Err(error) = write_error(&self.writer, id, code, message).await {
                        tracing::error!(%error, "failed to write an error response");
                        return None;
                    }
                }
            }
        }
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        self.writer.lock().await.flush().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_json_is_a_parse_error_with_null_id() {
        assert_eq!(classify_invalid(b"{not json"), (Value::Null, -32700, "Parse error: invalid JSON"));
    }

    #[test]
    fn wrong_jsonrpc_version_is_an_invalid_request_with_id() {
        let (id, code, _) = classify_invalid(br#"{"jsonrpc":"1.0","id":7,"method":"ping"}"#);
        assert_eq!((id, code), (json!(7), -32600));
    }

    #[test]
    fn batches_are_invalid_requests() {
        assert_eq!(classify_invalid(b"[]").1, -32600);
    }

    #[tokio::test]
    async fn answers_garbage_and_passes_valid_messages() {
        let input = b"garbage\n\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}\n";
        let (out_tx, mut out_rx) = tokio::io::duplex(4096);
        let mut transport = LineTransport::new(&input[..], out_tx);
        let message = transport.receive().await.expect("a message");
        assert!(matches!(message, ClientJsonRpcMessage::Request(_)));
        assert!(transport.receive().await.is_none());
        drop(transport);
        let mut written = String::new();
        tokio::io::AsyncReadExt::read_to_string(&mut out_rx, &mut written).await.unwrap();
        let first: Value = serde_json::from_str(written.lines().next().unwrap()).unwrap();
        assert_eq!(first["error"]["code"], -32700);
        assert!(first["id"].is_null());
    }
}
