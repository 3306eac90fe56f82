//! A capped Server-Sent Events reader over an HTTP response body.
//!
//! Own parser rather than `sse-stream`: that crate buffers a line until its end without a cap, so a target sending
//! one endless line (or endless events) could exhaust memory. This one follows the WHATWG parsing rules (field
//! lines, `data` lines joined by `\n`, comments ignored, CRLF/CR/LF line ends, a leading BOM stripped) with caps on
//! event size and event count, reads lazily, and keeps its state across timeouts.

use std::fmt;
use std::pin::Pin;
use std::time::Duration;

use bytes::{Buf, Bytes};
use futures::{Stream, StreamExt};
use serde_json::Value;

use super::{Direction, Limits, Transcript, WireError};

/// One SSE event.
///
/// Unlike a browser, the reader also returns events that carry no `data` line (for example only `id` or `retry`),
/// so that priming events are visible; their `data` is empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SseEvent {
    /// The `id` field of this event, if it had one (see [`SseReader::last_event_id`] for the stream's).
    pub id: Option<String>,
    /// The `event` field (the event type), if present.
    pub event: Option<String>,
    /// The `data` lines joined by `\n`; empty when there were none.
    pub data: String,
    /// The `retry` field in milliseconds, if present and valid.
    pub retry: Option<u64>,
}

/// The byte stream an [`SseReader`] parses; errors are already text.
pub(crate) type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, String>> + Send>>;

/// Reads SSE events from a response body, lazily and with caps: an event may hold at most
/// [`Limits::max_line_bytes`], and at most [`Limits::max_sse_events`] events are read (then the reader fails).
/// Every event read is recorded in the transcript (channel `sse`).
pub struct SseReader {
    source: Option<ByteStream>,
    state: State,
    pending: Bytes,
    line: Vec<u8>,
    skip_lf: bool,
    first_line: bool,
    event: Partial,
    events: usize,
    last_event_id: Option<String>,
    max_event_bytes: usize,
    max_events: usize,
    transcript: Transcript,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Open,
    Ended,
    Failed(String),
}

/// The event being assembled.
#[derive(Debug, Default)]
struct Partial {
    id: Option<String>,
    event: Option<String>,
    data: String,
    retry: Option<u64>,
    any_field: bool,
    bytes: usize,
}

/// Bytes of an event's data put into its transcript record (the record keeps less).
const RECORD_PREFIX: usize = 64 << 10;

impl SseReader {
    /// A reader over `source`.
    ///
    /// Public (and hidden) only so that `benches/sse_parse.rs` can drive the parser over an in-memory stream.
    #[doc(hidden)]
    pub fn new(source: ByteStream, limits: &Limits, transcript: Transcript) -> Self {
        SseReader {
            source: Some(source),
            state: State::Open,
            pending: Bytes::new(),
            line: Vec::new(),
            skip_lf: false,
            first_line: true,
            event: Partial::default(),
            events: 0,
            last_event_id: None,
            max_event_bytes: limits.max_line_bytes,
            max_events: limits.max_sse_events,
            transcript,
        }
    }

    /// The next event, waiting at most `timeout`; `None` when the stream ended cleanly (an unterminated event at
    /// the end is discarded, as browsers do, and noted in the transcript).
    ///
    /// Fails with [`WireError::Timeout`] when no complete event arrived in time (the reader stays usable), and
    /// with [`WireError::Sse`] when the stream broke or exceeded a cap (then every later call fails the same way).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: bytes already read stay in the reader.
    pub async fn next_event(&mut self, timeout: Duration) -> Result<Option<SseEvent>, WireError> {
        let deadline = super::deadline::after(timeout);
        loop {
            match &self.state {
                State::Open => {}
                State::Ended => return Ok(None),
                State::Failed(detail) => return Err(WireError::Sse { detail: detail.clone() }),
            }
            if let Some(event) = self.parse_pending() {
                return Ok(Some(event));
            }
            if self.state != State::Open {
                continue;
            }
            let Some(source) = self.source.as_mut() else {
                self.state = State::Ended;
                continue;
            };
            match tokio::time::timeout_at(deadline, source.next()).await {
                Err(_) => {
                    return Err(WireError::Timeout { action: "receive an SSE event".to_owned(), timeout });
                }
                Ok(None) => {
                    if !self.line.is_empty() || self.event.any_field {
                        self.transcript.note("the SSE stream ended inside an unterminated event; it was discarded");
                    }
                    self.finish(State::Ended);
                }
                Ok(Some(Err(e))) => self.fail(format!("the stream broke: {e}")),
                Ok(Some(Ok(bytes))) => self.pending = bytes,
            }
        }
    }

    /// The next event that carries data, parsed as JSON (`Err(raw data)` when it is not JSON); events with empty
    /// data (priming events, `retry`-only events) are skipped. Waits at most `timeout` in all.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, like [`SseReader::next_event`].
    pub async fn next_message(
        &mut self,
        timeout: Duration,
    ) -> Result<Option<(SseEvent, Result<Value, String>)>, WireError> {
        let deadline = super::deadline::after(timeout);
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let Some(event) = self.next_event(left).await.map_err(|e| match e {
                WireError::Timeout { action, .. } => WireError::Timeout { action, timeout },
                e => e,
            })?
            else {
                return Ok(None);
            };
            if event.data.is_empty() {
                continue;
            }
            let parsed = serde_json::from_str(&event.data).map_err(|_| event.data.clone());
            return Ok(Some((event, parsed)));
        }
    }

    /// The last `id` seen on this stream (what a client would send as `Last-Event-ID` to resume).
    pub fn last_event_id(&self) -> Option<&str> {
        self.last_event_id.as_deref()
    }

    /// How many events were read so far.
    pub fn events_read(&self) -> usize {
        self.events
    }

    /// Parses buffered bytes until an event is complete or the buffer is used up.
    fn parse_pending(&mut self) -> Option<SseEvent> {
        while self.state == State::Open {
            let line = self.take_line()?;
            if let Some(event) = self.process_line(&line) {
                return Some(event);
            }
        }
        None
    }

    /// The next complete line from the buffer, without its line end.
    fn take_line(&mut self) -> Option<Vec<u8>> {
        if self.skip_lf && !self.pending.is_empty() {
            if self.pending[0] == b'\n' {
                self.pending.advance(1);
            }
            self.skip_lf = false;
        }
        match self.pending.iter().position(|&b| b == b'\n' || b == b'\r') {
            Some(i) => {
                self.line.extend_from_slice(&self.pending[..i]);
                self.skip_lf = self.pending[i] == b'\r';
                self.pending.advance(i + 1);
                if self.check_size() {
                    return None;
                }
                let mut line = std::mem::take(&mut self.line);
                if self.first_line {
                    self.first_line = false;
                    if line.starts_with(b"\xEF\xBB\xBF") {
                        line.drain(..3);
                    }
                }
                Some(line)
            }
            None => {
                self.line.extend_from_slice(&self.pending);
                self.pending.clear();
                self.check_size();
                None
            }
        }
    }

    /// Fails the reader when the event being read is over the cap; true when it did.
    fn check_size(&mut self) -> bool {
        if self.event.bytes.saturating_add(self.line.len()) > self.max_event_bytes {
            self.fail(format!("an event is larger than {} bytes", self.max_event_bytes));
            return true;
        }
        false
    }

    /// Applies one line; returns an event when the line ends one.
    fn process_line(&mut self, line: &[u8]) -> Option<SseEvent> {
        if line.is_empty() {
            return self.dispatch();
        }
        if line[0] == b':' {
            return None;
        }
        self.event.bytes += line.len();
        let text = String::from_utf8_lossy(line);
        let (name, value) = match text.find(':') {
            Some(i) => {
                let value = &text[i + 1..];
                (&text[..i], value.strip_prefix(' ').unwrap_or(value))
            }
            None => (text.as_ref(), ""),
        };
        match name {
            "event" => self.event.event = Some(value.to_owned()),
            "data" => {
                self.event.data.push_str(value);
                self.event.data.push('\n');
            }
            "id" if !value.contains('\0') => {
                self.event.id = Some(value.to_owned());
                self.last_event_id = Some(value.to_owned());
            }
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                self.event.retry = value.parse().ok();
            }
            _ => return None,
        }
        self.event.any_field = true;
        None
    }

    /// Completes the event being read, if it had any field.
    fn dispatch(&mut self) -> Option<SseEvent> {
        let partial = std::mem::take(&mut self.event);
        if !partial.any_field {
            return None;
        }
        if self.events >= self.max_events {
            self.fail(format!("the stream sent more than {} events", self.max_events));
            return None;
        }
        self.events += 1;
        let mut data = partial.data;
        if data.ends_with('\n') {
            data.pop();
        }
        let event = SseEvent { id: partial.id, event: partial.event, data, retry: partial.retry };
        self.record(&event);
        Some(event)
    }

    fn record(&self, event: &SseEvent) {
        let mut text = String::new();
        if let Some(id) = &event.id {
            text.push_str(&format!("id: {id}\n"));
        }
        if let Some(name) = &event.event {
            text.push_str(&format!("event: {name}\n"));
        }
        if let Some(retry) = event.retry {
            text.push_str(&format!("retry: {retry}\n"));
        }
        let head = text.len();
        let cut = super::transcript::floor_char_boundary(&event.data, RECORD_PREFIX);
        for line in event.data[..cut].split('\n') {
            text.push_str("data: ");
            text.push_str(line);
            text.push('\n');
        }
        text.pop();
        let full = head + event.data.len() + 7 * (event.data.matches('\n').count() + 1);
        self.transcript.record_len(Direction::Received, "sse", &text, full.max(text.len()));
    }

    fn fail(&mut self, detail: String) {
        self.transcript.note(&format!("SSE stream abandoned: {detail}"));
        self.finish(State::Failed(detail));
    }

    /// Stops reading: drops the body (closing the connection) and the buffers.
    fn finish(&mut self, state: State) {
        self.state = state;
        self.source = None;
        self.pending = Bytes::new();
        self.line = Vec::new();
        self.event = Partial::default();
    }
}

impl fmt::Debug for SseReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SseReader")
            .field("state", &self.state)
            .field("events", &self.events)
            .field("last_event_id", &self.last_event_id)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const T: Duration = Duration::from_secs(20);

    fn reader_with(chunks: &[&[u8]], limits: &Limits) -> (SseReader, Transcript) {
        let items: Vec<Result<Bytes, String>> = chunks.iter().map(|c| Ok(Bytes::copy_from_slice(c))).collect();
        let transcript = Transcript::new(limits);
        (SseReader::new(Box::pin(futures::stream::iter(items)), limits, transcript.clone()), transcript)
    }

    fn reader(chunks: &[&[u8]]) -> SseReader {
        reader_with(chunks, &Limits::default()).0
    }

    async fn all(mut r: SseReader) -> Vec<SseEvent> {
        let mut out = Vec::new();
        while let Some(e) = r.next_event(T).await.unwrap() {
            out.push(e);
        }
        out
    }

    fn ev(id: Option<&str>, event: Option<&str>, data: &str, retry: Option<u64>) -> SseEvent {
        SseEvent { id: id.map(Into::into), event: event.map(Into::into), data: data.into(), retry }
    }

    #[tokio::test]
    async fn fields_multi_line_data_and_comments() {
        let r = reader(&[b": hello\nid: 7\nevent: message\ndata: {\"a\":\ndata:  1}\nunknown: x\n\n"]);
        assert_eq!(all(r).await, [ev(Some("7"), Some("message"), "{\"a\":\n 1}", None)]);
    }

    #[tokio::test]
    async fn line_ends_crlf_cr_lf_split_across_chunks() {
        let r = reader(&[b"data: a\r", b"\ndata: b\r\r", b"data: c\n", b"\n", b"data:d\r\n\r\n"]);
        assert_eq!(all(r).await, [ev(None, None, "a\nb", None), ev(None, None, "c", None), ev(None, None, "d", None)]);
    }

    #[tokio::test]
    async fn priming_event_and_retry_are_visible_but_skipped_as_messages() {
        let bytes: &[u8] = b"\xEF\xBB\xBFid: p-0\nretry: 3000\ndata:\n\nretry: x\nid: 1\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n\ndata: not json\n\n";
        let events = all(reader(&[bytes])).await;
        assert_eq!(events[0], ev(Some("p-0"), None, "", Some(3000)));
        assert_eq!(events[1].retry, None);
        let mut r = reader(&[bytes]);
        let (e, v) = r.next_message(T).await.unwrap().unwrap();
        assert_eq!(e.id.as_deref(), Some("1"));
        assert_eq!(v.unwrap(), json!({"jsonrpc": "2.0", "id": 1, "result": {}}));
        let (_, raw) = r.next_message(T).await.unwrap().unwrap();
        assert_eq!(raw.unwrap_err(), "not json");
        assert!(r.next_message(T).await.unwrap().is_none());
        assert_eq!(r.last_event_id(), Some("1"));
        assert_eq!(r.events_read(), 3);
    }

    #[tokio::test]
    async fn unterminated_event_at_the_end_is_discarded() {
        let (r, transcript) = reader_with(&[b"data: 1\n\ndata: 2\n"], &Limits::default());
        assert_eq!(all(r).await, [ev(None, None, "1", None)]);
        assert!(transcript.entries().iter().any(|e| e.text.contains("unterminated event")));
    }

    #[tokio::test]
    async fn event_count_cap_ends_with_an_error() {
        let limits = Limits { max_sse_events: 2, ..Limits::default() };
        let (mut r, _) = reader_with(&[b"data: 1\n\ndata: 2\n\ndata: 3\n\n"], &limits);
        assert!(r.next_event(T).await.unwrap().is_some());
        assert!(r.next_event(T).await.unwrap().is_some());
        let err = r.next_event(T).await.unwrap_err();
        assert!(err.to_string().contains("more than 2 events"), "{err}");
        assert!(r.next_event(T).await.is_err());
    }

    #[tokio::test]
    async fn event_size_cap_counts_lines_and_partial_lines() {
        let limits = Limits { max_line_bytes: 16, ..Limits::default() };
        let (mut r, _) = reader_with(&[b"data: 12345\ndata: 67890\n\n"], &limits);
        assert!(matches!(r.next_event(T).await, Err(WireError::Sse { .. })));
        // A line that never ends is not buffered past the cap.
        let endless: Vec<u8> = vec![b'x'; 100];
        let (mut r, _) = reader_with(&[b"data: ", &endless], &limits);
        assert!(r.next_event(T).await.unwrap_err().to_string().contains("larger than 16 bytes"));
        // Comments do not add up (each line is still capped).
        let (r, _) = reader_with(&[b": a comment\n: another one\ndata: ok\n\n"], &limits);
        assert_eq!(all(r).await, [ev(None, None, "ok", None)]);
    }

    #[tokio::test]
    async fn a_broken_stream_is_an_error() {
        let items: Vec<Result<Bytes, String>> = vec![Ok(Bytes::from_static(b"data: 1\n\n")), Err("reset".into())];
        let mut r = SseReader::new(
            Box::pin(futures::stream::iter(items)),
            &Limits::default(),
            Transcript::new(&Limits::default()),
        );
        assert!(r.next_event(T).await.unwrap().is_some());
        let err = r.next_event(T).await.unwrap_err();
        assert!(err.to_string().contains("the stream broke: reset"), "{err}");
    }

    #[tokio::test]
    async fn timeout_keeps_partial_state() {
        let (tx, rx) = futures::channel::mpsc::unbounded::<Result<Bytes, String>>();
        let mut r = SseReader::new(Box::pin(rx), &Limits::default(), Transcript::new(&Limits::default()));
        tx.unbounded_send(Ok(Bytes::from_static(b"id: 5\ndata: par"))).unwrap();
        assert!(r.next_event(Duration::from_millis(50)).await.unwrap_err().is_timeout());
        tx.unbounded_send(Ok(Bytes::from_static(b"tial\n\n"))).unwrap();
        assert_eq!(r.next_event(T).await.unwrap().unwrap(), ev(Some("5"), None, "partial", None));
        drop(tx);
        assert!(r.next_event(T).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn unbounded_timeout_is_accepted() {
        let mut r = reader(&[b"data: 1\n\n"]);
        assert!(r.next_message(Duration::MAX).await.unwrap().is_some());
        assert!(r.next_event(Duration::MAX).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn events_are_recorded() {
        let (r, transcript) = reader_with(&[b"id: 1\nevent: message\ndata: a\ndata: b\n\n"], &Limits::default());
        all(r).await;
        let e = transcript.entries().into_iter().find(|e| e.channel == "sse").unwrap();
        assert_eq!(e.text, "id: 1\nevent: message\ndata: a\ndata: b");
        assert_eq!(e.direction, Direction::Received);
    }
}
