//! Decoding a `tools/call` response, as a load generator's hot path would: everything it needs is `id`,
//! `error.code` and `result.isError` (performance.md §5: decode only those with a borrowed struct, and validate the
//! full schema on a sample). Three decoders over the same bytes:
//!
//! - `value`: `serde_json::Value`, then three lookups (what the conformance checks do);
//! - `head`: a borrowed struct that reads the three fields and skips everything else;
//! - `rmcp`: rmcp's `ServerJsonRpcMessage` (what rmcp's own client decodes).
//!
//! Timings are informational. Run with `cargo bench -p mcp-harness --bench jsonrpc_decode`.

use std::borrow::Cow;
use std::fmt;
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde::Deserialize;
use serde_json::Value;

/// What the hot path reads of a response.
#[derive(Debug, PartialEq, Eq)]
struct Outcome<'a> {
    id: Option<Id<'a>>,
    error_code: Option<i64>,
    is_error: bool,
}

/// A JSON-RPC id, borrowed when it is a string without escapes.
#[derive(Debug, PartialEq, Eq)]
enum Id<'a> {
    Number(i64),
    String(Cow<'a, str>),
}

impl<'de: 'a, 'a> Deserialize<'de> for Id<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IdVisitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for IdVisitor<'a> {
            type Value = Id<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an integer")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Id<'a>, E> {
                Ok(Id::Number(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Id<'a>, E> {
                i64::try_from(v).map(Id::Number).map_err(|_| E::custom("id out of range"))
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Id<'a>, E> {
                Ok(Id::String(Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Id<'a>, E> {
                Ok(Id::String(Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_any(IdVisitor(std::marker::PhantomData))
    }
}

/// The borrowed head of a response: unknown members (`jsonrpc`, `content`, `message`, …) are skipped unbuilt.
#[derive(Deserialize)]
struct Head<'a> {
    #[serde(borrow)]
    id: Option<Id<'a>>,
    error: Option<ErrorHead>,
    result: Option<ResultHead>,
}

#[derive(Deserialize)]
struct ErrorHead {
    code: i64,
}

#[derive(Deserialize)]
struct ResultHead {
    #[serde(rename = "isError", default)]
    is_error: bool,
}

fn decode_head(bytes: &[u8]) -> Outcome<'_> {
    let head: Head<'_> = serde_json::from_slice(bytes).expect("a response");
    Outcome { id: head.id, error_code: head.error.map(|e| e.code), is_error: head.result.is_some_and(|r| r.is_error) }
}

fn decode_value(bytes: &[u8]) -> Outcome<'static> {
    let value: Value = serde_json::from_slice(bytes).expect("a response");
    let id = match &value["id"] {
        Value::Number(n) => n.as_i64().map(Id::Number),
        Value::String(s) => Some(Id::String(Cow::Owned(s.clone()))),
        _ => None,
    };
    Outcome {
        id,
        error_code: value["error"]["code"].as_i64(),
        is_error: value["result"]["isError"].as_bool().unwrap_or(false),
    }
}

fn decode_rmcp(bytes: &[u8]) -> rmcp::model::ServerJsonRpcMessage {
    serde_json::from_slice(bytes).expect("an rmcp message")
}

fn samples() -> Vec<(&'static str, Vec<u8>)> {
    let big_text = "x".repeat(8 << 10);
    vec![
        (
            "result",
            br#"{"jsonrpc":"2.0","id":12345,"result":{"content":[{"type":"text","text":"hello world"}],"isError":false}}"#
                .to_vec(),
        ),
        (
            "tool-error",
            br#"{"jsonrpc":"2.0","id":"req-7","result":{"content":[{"type":"text","text":"no such record"}],"isError":true}}"#
                .to_vec(),
        ),
        (
            "jsonrpc-error",
            br#"{"jsonrpc":"2.0","id":7,"error":{"code":-32602,"message":"unknown tool: nope","data":{"name":"nope"}}}"#
                .to_vec(),
        ),
        (
            "8k-result",
            format!(
                r#"{{"jsonrpc":"2.0","id":99,"result":{{"content":[{{"type":"text","text":"{big_text}"}}],"structuredContent":{{"rows":[1,2,3]}},"isError":false}}}}"#
            )
            .into_bytes(),
        ),
    ]
}

fn jsonrpc_decode(c: &mut Criterion) {
    let mut group = c.benchmark_group("jsonrpc_decode");
    for (name, bytes) in samples() {
        // The decoders agree before they are timed.
        let expected = decode_value(&bytes);
        assert_eq!(decode_head(&bytes), expected, "{name}");
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(format!("{name}/value"), |b| b.iter(|| black_box(decode_value(black_box(&bytes)))));
        group.bench_function(format!("{name}/head"), |b| b.iter(|| black_box(decode_head(black_box(&bytes)))));
        group.bench_function(format!("{name}/rmcp"), |b| b.iter(|| black_box(decode_rmcp(black_box(&bytes)))));
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = jsonrpc_decode
}
criterion_main!(benches);
