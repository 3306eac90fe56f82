//! The load generator's hot-path decode: of an answer it reads only `id`, `error.code` and `result.isError`
//! (`../shared/reference/performance.md` §5: a borrowed view costs a fraction of a full `Value` decode).

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::report::performance::ErrorKind;

/// What one request came to.
#[derive(Debug, Clone, PartialEq)]
pub enum CallResult {
    /// Answered with a result that is not a tool error.
    Success,
    /// Not successful.
    Failed(Failure),
}

/// An unsuccessful request.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// Its kind.
    pub kind: ErrorKind,
    /// The JSON-RPC error code or HTTP status (`-32603`, `http 503`), when there is one.
    pub code: Option<String>,
    /// One line for the report's examples.
    pub detail: String,
}

impl Failure {
    /// A failure of `kind` with no code.
    pub fn new(kind: ErrorKind, detail: impl Into<String>) -> Self {
        Failure { kind, code: None, detail: detail.into() }
    }
}

/// A message from the target, as far as the generator cares.
#[derive(Debug, PartialEq)]
pub enum Incoming {
    /// The answer to the request with this id.
    Answer {
        /// The request id.
        id: u64,
        /// What it came to.
        result: CallResult,
    },
    /// A request from the server (it has a `method` and an `id`): the generator answers it with an error.
    ServerRequest,
    /// A notification, an answer with an id the generator did not send, or anything else to ignore.
    Other,
    /// Not JSON, or not a JSON-RPC message.
    Malformed,
}

#[derive(Deserialize)]
struct View {
    #[serde(default)]
    id: Option<IdView>,
    #[serde(default)]
    method: Option<IgnoredAny>,
    #[serde(default)]
    error: Option<ErrorView>,
    #[serde(default)]
    result: Option<ResultView>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum IdView {
    Number(u64),
    Other(IgnoredAny),
}

#[derive(Deserialize)]
struct ErrorView {
    #[serde(default)]
    code: Option<i64>,
    #[serde(default)]
    message: Option<String>,
}

#[derive(Deserialize)]
struct ResultView {
    #[serde(default, rename = "isError")]
    is_error: Option<bool>,
}

/// Reads one message (a stdio line, an HTTP body or an SSE `data` field).
pub fn decode(bytes: &[u8]) -> Incoming {
    // A struct deserialises from a JSON array too (field by position): only an object is a message.
    if bytes.trim_ascii_start().first() != Some(&b'{') {
        return Incoming::Malformed;
    }
    let Ok(view) = serde_json::from_slice::<View>(bytes) else {
        return Incoming::Malformed;
    };
    match (view.id, view.method) {
        (Some(_), Some(_)) => Incoming::ServerRequest,
        (_, Some(_)) | (None, None) | (Some(IdView::Other(_)), None) => Incoming::Other,
        (Some(IdView::Number(id)), None) => {
            let result = match (view.error, view.result) {
                (Some(e), _) => {
                    let code = e.code.map(|c| c.to_string());
                    let detail = format!(
                        "JSON-RPC error {}: {}",
                        code.as_deref().unwrap_or("without a code"),
                        clip(e.message.as_deref().unwrap_or(""), 120)
                    );
                    CallResult::Failed(Failure { kind: ErrorKind::JsonRpc, code, detail })
                }
                (None, Some(r)) if r.is_error == Some(true) => {
                    CallResult::Failed(Failure::new(ErrorKind::ToolError, "a tool result with isError: true"))
                }
                (None, Some(_)) => CallResult::Success,
                (None, None) => {
                    CallResult::Failed(Failure::new(ErrorKind::Transport, "an answer with neither result nor error"))
                }
            };
            Incoming::Answer { id, result }
        }
    }
}

/// The id of a server request, as JSON text, to answer it (rare path: a full parse).
pub fn server_request_id(bytes: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    v.get("id").map(|id| id.to_string())
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max { s.to_owned() } else { s.chars().take(max).chain(['…']).collect() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_told_apart_by_what_they_carry() {
        assert_eq!(
            decode(br#"{"jsonrpc":"2.0","id":7,"result":{"content":[]}}"#),
            Incoming::Answer { id: 7, result: CallResult::Success }
        );
        let Incoming::Answer { id: 8, result: CallResult::Failed(f) } =
            decode(br#"{"jsonrpc":"2.0","id":8,"result":{"content":[],"isError":true}}"#)
        else {
            panic!("a tool error")
        };
        assert_eq!(f.kind, ErrorKind::ToolError);
        let Incoming::Answer { id: 9, result: CallResult::Failed(f) } =
            decode(br#"{"jsonrpc":"2.0","id":9,"error":{"code":-32603,"message":"boom"}}"#)
        else {
            panic!("a JSON-RPC error")
        };
        assert_eq!((f.kind, f.code.as_deref()), (ErrorKind::JsonRpc, Some("-32603")));
    }

    #[test]
    fn everything_else_is_classified_without_failing() {
        assert_eq!(decode(br#"{"jsonrpc":"2.0","method":"notifications/message","params":{}}"#), Incoming::Other);
        assert_eq!(decode(br#"{"jsonrpc":"2.0","id":"s1","method":"ping"}"#), Incoming::ServerRequest);
        assert_eq!(decode(br#"{"jsonrpc":"2.0","id":"x","result":{}}"#), Incoming::Other);
        assert_eq!(decode(b"not json"), Incoming::Malformed);
        assert_eq!(decode(b"[1,2]"), Incoming::Malformed);
        assert_eq!(server_request_id(br#"{"jsonrpc":"2.0","id":"s1","method":"ping"}"#).as_deref(), Some("\"s1\""));
    }
}
