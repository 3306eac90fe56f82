//! Stdio line framing on the real path: a child process (`cat` of a prepared file) writes `tools/call` responses on
//! stdout, and [`StdioWire::recv`] returns them one by one. That covers the wire's reader task (64 KiB buffered
//! reads, newline search, the line cap), its byte-budgeted queue and the JSON parse of each line. Timings are
//! informational; nothing asserts on them.
//!
//! Each iteration starts one `cat` and reads every line; the process start (about a millisecond) is part of the
//! time and amortised over the lines. Run with `cargo bench -p mcp-harness --bench stdio_framing`.

use std::io::Write as _;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mcp_harness::wire::{Incoming, Limits, StdioCommand, StdioWire, Transcript};

const WAIT: Duration = Duration::from_secs(30);

/// A `tools/call` response line of about `text_bytes` of text.
fn response_line(id: usize, text_bytes: usize) -> String {
    let text = "x".repeat(text_bytes);
    format!(
        r#"{{"jsonrpc":"2.0","id":{id},"result":{{"content":[{{"type":"text","text":"{text}"}}],"isError":false}}}}"#
    )
}

/// A file of `lines` response lines; kept alive by the returned handle.
fn lines_file(lines: usize, text_bytes: usize) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    for id in 0..lines {
        writeln!(file, "{}", response_line(id, text_bytes)).expect("write");
    }
    file.flush().expect("flush");
    file
}

/// Starts `cat file` and reads `lines` lines; `record` puts every line in the transcript as `spawn` does.
async fn read_all(cat: &StdioCommand, lines: usize, record: bool) {
    let limits = Limits::default();
    let transcript = Transcript::new(&limits);
    let mut wire = if record {
        StdioWire::spawn(cat, &limits, transcript).await
    } else {
        StdioWire::spawn_spare(cat, &limits, transcript).await
    }
    .expect("spawn cat");
    for _ in 0..lines {
        match wire.recv(WAIT).await.expect("a line") {
            Incoming::Message(_) => {}
            other => panic!("unexpected line: {other:?}"),
        }
    }
    wire.shutdown(Duration::from_secs(5)).await;
}

fn stdio_framing(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let mut group = c.benchmark_group("stdio_framing");
    for (name, lines, text_bytes, record) in [
        ("small-lines", 5_000, 16, false),
        ("small-lines-recorded", 5_000, 16, true),
        ("8k-lines", 1_000, 8 << 10, false),
    ] {
        let file = lines_file(lines, text_bytes);
        let cat = StdioCommand {
            program: "cat".into(),
            args: vec![file.path().display().to_string()],
            env: Vec::new(),
            cwd: None,
        };
        group.throughput(Throughput::Elements(lines as u64));
        group.bench_function(name, |b| b.iter(|| runtime.block_on(read_all(&cat, lines, record))));
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(5)).warm_up_time(Duration::from_secs(1));
    targets = stdio_framing
}
criterion_main!(benches);
