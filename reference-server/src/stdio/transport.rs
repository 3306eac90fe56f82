//! [`LineTransport`]: rmcp transport over any byte stream, one JSON message per line.
//!
//! Output goes through one writer task: [`Transport::send`] serializes the message and
//! queues the line, and the task writes every line queued meanwhile with one `write`
//! and one flush. Answers the transport gives itself (malformed input, a reused id) are
//! queued the same way, from `receive`, without awaiting the writer, so they survive
//! rmcp's loop dropping a pending `receive` for another event.

use std::io;

use rmcp::{
    RoleServer,
    model::{ClientJsonRpcMessage, ClientNotification, ClientRequest, ErrorCode, ServerJsonRpcMessage},
    transport::Transport,
};
use serde_json::{Value, json};
use tokio::{
    io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader},
    sync::mpsc,
    task::JoinHandle,
};

use crate::server::{InFlight, duplicate_id_error};

/// Longest accepted input line; longer lines are answered with `-32600` and skipped.
pub(crate) const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

/// Lines queued for the writer before `send` waits (back-pressure from a slow reader of stdout).
const OUTPUT_QUEUE: usize = 1024;

/// Most lines the writer gathers into one write.
const WRITE_BATCH: usize = 256;

/// Line-delimited JSON-RPC transport with explicit answers to malformed input.
pub(crate) struct LineTransport<R> {
    reader: BufReader<R>,
    line: Vec<u8>,
    discarding: bool,
    /// Lines for the writer task; `None` once closed.
    output: Option<mpsc::Sender<Vec<u8>>>,
    writer: Option<JoinHandle<io::Result<()>>>,
    /// An answer of the transport's own that is not queued yet (the queue was full).
    answer: Option<Vec<u8>>,
    lifecycle_started: bool,
    /// Ids of the requests handed to rmcp and not answered yet.
    in_flight: InFlight,
}

/// What [`LineTransport::read_line`] found.
enum Read {
    /// A complete line is in `line`.
    Line,
    /// A line longer than [`MAX_LINE_BYTES`] was skipped.
    TooLong,
    /// End of input.
    End,
}

impl<R> LineTransport<R>
where
    R: AsyncRead + Unpin + Send,
{
    /// A transport reading `reader` and writing `writer` (from a task spawned on the current runtime).
    pub(crate) fn new<W>(reader: R, writer: W) -> Self
    where
        W: AsyncWrite + Unpin + Send + 'static,
    {
        let (output, lines) = mpsc::channel(OUTPUT_QUEUE);
        Self {
            reader: BufReader::with_capacity(64 * 1024, reader),
            line: Vec::with_capacity(4096),
            discarding: false,
            output: Some(output),
            writer: Some(tokio::spawn(write_lines(writer, lines))),
            answer: None,
            lifecycle_started: false,
            in_flight: InFlight::default(),
        }
    }

    /// Reads the next complete line into `self.line`.
    ///
    /// Cancel safe: bytes are moved out of the buffer only together with
    /// `consume`, and a partial line stays in `self.line` for the next call.
    async fn read_line(&mut self) -> io::Result<Read> {
        loop {
            let available = self.reader.fill_buf().await?;
            if available.is_empty() {
                let pending = !self.line.is_empty() && !std::mem::take(&mut self.discarding);
                return Ok(if pending { Read::Line } else { Read::End });
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
                    return Ok(Read::TooLong);
                }
                return Ok(Read::Line);
            }
        }
    }

    /// Queues an answer of the transport's own; [`Self::flush_answer`] finishes the job if the queue is full.
    fn answer(&mut self, line: Vec<u8>) {
        debug_assert!(self.answer.is_none());
        match self.output.as_ref().map(|output| output.try_send(line)) {
            Some(Err(mpsc::error::TrySendError::Full(line))) => self.answer = Some(line),
            Some(Ok(()) | Err(mpsc::error::TrySendError::Closed(_))) | None => {}
        }
    }

    /// Queues the answer left over by [`Self::answer`]. Cancel safe: the answer stays put until a slot is reserved.
    async fn flush_answer(&mut self) -> io::Result<()> {
        if self.answer.is_none() {
            return Ok(());
        }
        let Some(output) = &self.output else { return Ok(()) };
        let permit = output.reserve().await.map_err(|_| closed())?;
        if let Some(line) = self.answer.take() {
            permit.send(line);
        }
        Ok(())
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

    /// Tracks the ids in flight: `false` if `message` reuses the id of a request in flight
    /// (rmcp would replace the first request's state and leave one of the two unanswered).
    fn track(&mut self, message: &ClientJsonRpcMessage) -> bool {
        match message {
            ClientJsonRpcMessage::Request(request) => self.in_flight.claim(&request.id).is_some(),
            ClientJsonRpcMessage::Notification(notification) => {
                // rmcp drops the response of a cancelled request, so its id is free now.
                if let ClientNotification::CancelledNotification(cancelled) = &notification.notification
                    && let Some(id) = &cancelled.params.request_id
                {
                    self.in_flight.release(id);
                }
                true
            }
            ClientJsonRpcMessage::Response(_) | ClientJsonRpcMessage::Error(_) => true,
        }
    }
}

/// Writes queued lines until every sender is gone, batching what is queued at once.
async fn write_lines<W: AsyncWrite + Unpin>(mut writer: W, mut lines: mpsc::Receiver<Vec<u8>>) -> io::Result<()> {
    let mut batch = Vec::with_capacity(WRITE_BATCH);
    let mut buffer = Vec::with_capacity(64 * 1024);
    while lines.recv_many(&mut batch, WRITE_BATCH).await > 0 {
        if let [line] = batch.as_slice() {
            writer.write_all(line).await?;
        } else {
            buffer.clear();
            for line in &batch {
                buffer.extend_from_slice(line);
            }
            writer.write_all(&buffer).await?;
        }
        batch.clear();
        writer.flush().await?;
    }
    writer.flush().await
}

fn closed() -> io::Error {
    io::Error::new(io::ErrorKind::BrokenPipe, "the output writer has stopped")
}

/// One message as a line.
fn line_of(message: &impl serde::Serialize) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::with_capacity(256);
    serde_json::to_writer(&mut bytes, message).map_err(io::Error::other)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// One JSON-RPC error response as a line.
fn error_line(id: Value, code: i32, message: &str) -> Vec<u8> {
    let body = json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } });
    line_of(&body).expect("a JSON value serializes")
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

impl<R> Transport<RoleServer> for LineTransport<R>
where
    R: AsyncRead + Unpin + Send,
{
    type Error = io::Error;

    fn send(&mut self, item: ServerJsonRpcMessage) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        // The answer frees its id: the client may reuse it once it has the response.
        match &item {
            ServerJsonRpcMessage::Response(response) => self.in_flight.release(&response.id),
            ServerJsonRpcMessage::Error(error) => {
                if let Some(id) = &error.id {
                    self.in_flight.release(id);
                }
            }
            ServerJsonRpcMessage::Request(_) | ServerJsonRpcMessage::Notification(_) => {}
        }
        let line = line_of(&item);
        let output = self.output.clone();
        async move {
            let output = output.ok_or_else(closed)?;
            output.send(line?).await.map_err(|_| closed())
        }
    }

    async fn receive(&mut self) -> Option<ClientJsonRpcMessage> {
        loop {
            if let Err(error) = self.flush_answer().await {
                tracing::error!(%error, "failed to write an error response");
                return None;
            }
            match self.read_line().await {
                Ok(Read::Line) => {}
                Ok(Read::TooLong) => {
                    let id = Value::Null;
                    self.answer(error_line(
                        id,
                        ErrorCode::INVALID_REQUEST.0,
                        "message exceeds the maximum line length",
                    ));
                    continue;
                }
                Ok(Read::End) => return None,
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
            let message = match serde_json::from_slice::<ClientJsonRpcMessage>(trimmed) {
                Ok(message) => message,
                Err(_) => {
                    let (id, code, message) = classify_invalid(trimmed);
                    let answer = error_line(id, code, message);
                    self.line = line;
                    self.line.clear();
                    self.answer(answer);
                    continue;
                }
            };
            self.line = line;
            self.line.clear();
            if !self.admits(&message) {
                continue;
            }
            if !self.track(&message) {
                if let ClientJsonRpcMessage::Request(request) = &message {
                    let answer = line_of(&duplicate_id_error(request.id.clone())).expect("an error serializes");
                    self.answer(answer);
                }
                continue;
            }
            return Some(message);
        }
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        // Everything queued so far is written before the writer sees the channel close.
        if let Some(line) = self.answer.take()
            && let Some(output) = &self.output
        {
            let _ = output.send(line).await;
        }
        self.output = None;
        match self.writer.take() {
            Some(writer) => writer.await.map_err(io::Error::other)?,
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use rmcp::model::{RequestId, ServerResult};

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

    fn call(id: u64) -> String {
        format!(
            "{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":\"tools/call\",\"params\":{{\"name\":\"echo\",\"arguments\":{{}}}}}}\n"
        )
    }

    #[tokio::test]
    async fn a_reused_id_is_answered_until_the_first_request_is() {
        let init = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}\n";
        let (mut in_tx, in_rx) = tokio::io::duplex(4096);
        let (out_tx, mut out_rx) = tokio::io::duplex(4096);
        let mut transport = LineTransport::new(in_rx, out_tx);
        let id = |message: Option<ClientJsonRpcMessage>| match message {
            Some(ClientJsonRpcMessage::Request(request)) => request.id,
            other => panic!("expected a request, got {other:?}"),
        };
        let input = format!("{init}{}{}{}", call(2), call(2), call(3));
        in_tx.write_all(input.as_bytes()).await.unwrap();
        assert_eq!(id(transport.receive().await), RequestId::Number(1));
        assert_eq!(id(transport.receive().await), RequestId::Number(2));
        // The second call with id 2 is answered by the transport and never reaches rmcp.
        assert_eq!(id(transport.receive().await), RequestId::Number(3));
        // Once the first call is answered its id may be used again.
        transport.send(ServerJsonRpcMessage::response(ServerResult::empty(()), RequestId::Number(2))).await.unwrap();
        in_tx.write_all(call(2).as_bytes()).await.unwrap();
        assert_eq!(id(transport.receive().await), RequestId::Number(2));
        drop(in_tx);
        assert!(transport.receive().await.is_none());
        transport.close().await.unwrap();
        drop(transport);
        let mut written = String::new();
        tokio::io::AsyncReadExt::read_to_string(&mut out_rx, &mut written).await.unwrap();
        let lines: Vec<Value> = written.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
        assert_eq!(lines.len(), 2, "{written}");
        assert_eq!(lines[0]["id"], 2);
        assert_eq!(lines[0]["error"]["code"], -32600);
        assert_eq!(lines[1], json!({"jsonrpc": "2.0", "id": 2, "result": {}}));
    }
}
