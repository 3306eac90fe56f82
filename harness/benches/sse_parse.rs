//! SSE parsing: [`SseReader`] over an in-memory body of `tools/call` response events, delivered in 16 KiB chunks as
//! hyper would hand them over. `next_event` measures the field parser alone (plus the transcript record every
//! event gets); `next_message` adds the JSON parse of each event's data. Timings are informational.
//!
//! Run with `cargo bench -p mcp-harness --bench sse_parse`.

use std::time::Duration;

use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mcp_harness::wire::{Limits, SseReader, Transcript};

const WAIT: Duration = Duration::from_secs(30);
const CHUNK: usize = 16 << 10;

/// A stream body of `events` events (`id:` + one `data:` line each), with the given line end.
fn body(events: usize, text_bytes: usize, line_end: &str) -> Vec<u8> {
    let text = "x".repeat(text_bytes);
    let mut body = String::new();
    for id in 0..events {
        body.push_str(&format!("id: {id}/0{line_end}"));
        body.push_str(&format!(
            r#"data: {{"jsonrpc":"2.0","id":{id},"result":{{"content":[{{"type":"text","text":"{text}"}}],"isError":false}}}}"#
        ));
        body.push_str(line_end);
        body.push_str(line_end);
    }
    body.into_bytes()
}

fn reader(chunks: Vec<Bytes>) -> SseReader {
    let limits = Limits { max_sse_events: usize::MAX, ..Limits::default() };
    let stream = futures::stream::iter(chunks.into_iter().map(Ok));
    SseReader::new(Box::pin(stream), &limits, Transcript::new(&limits))
}

fn sse_parse(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let mut group = c.benchmark_group("sse_parse");
    for (name, events, text_bytes, line_end) in
        [("small-events", 2_000, 16, "\n"), ("small-events-crlf", 2_000, 16, "\r\n"), ("8k-events", 200, 8 << 10, "\n")]
    {
        let body = body(events, text_bytes, line_end);
        let chunks: Vec<Bytes> = body.chunks(CHUNK).map(Bytes::copy_from_slice).collect();
        group.throughput(Throughput::Elements(events as u64));
        group.bench_function(format!("{name}/next_event"), |b| {
            b.iter(|| {
                runtime.block_on(async {
                    let mut reader = reader(chunks.clone());
                    let mut read = 0;
                    while reader.next_event(WAIT).await.expect("an event").is_some() {
                        read += 1;
                    }
                    assert_eq!(read, events);
                })
            })
        });
        group.bench_function(format!("{name}/next_message"), |b| {
            b.iter(|| {
                runtime.block_on(async {
                    let mut reader = reader(chunks.clone());
                    let mut read = 0;
                    while let Some((_, message)) = reader.next_message(WAIT).await.expect("a message") {
                        assert!(message.is_ok());
                        read += 1;
                    }
                    assert_eq!(read, events);
                })
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(4)).warm_up_time(Duration::from_secs(1));
    targets = sse_parse
}
criterion_main!(benches);
