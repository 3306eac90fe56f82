//! Round-trip latency of a `tools/call` to `echo` against the real binary:
//! over stdio (after `initialize`), over Streamable HTTP on the 2026-07-28
//! stateless wire (plain JSON responses), and inside a 2025-11-25 HTTP session
//! (SSE responses). Timings are informational; nothing asserts on them.
//!
//! Run with `cargo bench -p mcp-reference-server --bench echo_roundtrip`.

use std::{
    io::{BufRead, BufReader, Write},
    process::{Child, ChildStdin, ChildStdout, Command, Stdio},
    time::Duration,
};

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_mcp-reference-server");

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn echo_request(id: u64, meta: Option<&Value>) -> String {
    let mut params = json!({ "name": "echo", "arguments": { "message": "hello" } });
    if let Some(meta) = meta {
        params["_meta"] = meta.clone();
    }
    json!({ "jsonrpc": "2.0", "id": id, "method": "tools/call", "params": params }).to_string()
}

fn initialize() -> String {
    json!({
        "jsonrpc": "2.0", "id": 0, "method": "initialize",
        "params": { "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": { "name": "bench", "version": "0" } }
    })
    .to_string()
}

fn stdio(c: &mut Criterion) {
    let mut child = Command::new(BIN)
        .args(["--log-level", "error"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn server");
    let mut stdin: ChildStdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap() as ChildStdout);
    let _guard = Killed(child);
    let mut line = String::new();
    let mut round_trip = |request: &str, line: &mut String| {
        stdin.write_all(request.as_bytes()).unwrap();
        stdin.write_all(b"\n").unwrap();
        stdin.flush().unwrap();
        line.clear();
        stdout.read_line(line).unwrap();
        assert!(line.contains("\"result\""), "unexpected reply: {line}");
    };
    round_trip(&initialize(), &mut line);
    let request = echo_request(1, None);
    c.bench_function("echo_roundtrip/stdio", |b| b.iter(|| round_trip(&request, &mut line)));
}

fn http(c: &mut Criterion) {
    let mut child = Command::new(BIN)
        .args(["--transport", "http", "--listen", "127.0.0.1:0", "--log-level", "error"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn server");
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let _guard = Killed(child);
    let mut url = String::new();
    for _ in 0..100 {
        let mut line = String::new();
        if stderr.read_line(&mut line).unwrap() == 0 {
            break;
        }
        if let Some(found) = line.trim().strip_prefix("mcp-reference-server listening on ") {
            url = found.to_owned();
            break;
        }
    }
    assert!(!url.is_empty(), "server did not report its URL");
    std::thread::spawn(move || for _ in stderr.lines() {});

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let client = reqwest::Client::builder()
        .tcp_nodelay(true)
        .pool_max_idle_per_host(1)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let post = |body: String, headers: Vec<(&'static str, String)>| {
        let mut builder = client
            .post(&url)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(body);
        for (name, value) in headers {
            builder = builder.header(name, value);
        }
        builder.send()
    };

    // 2026-07-28: stateless, JSON response.
    let meta = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {}
    });
    let modern = echo_request(1, Some(&meta));
    let modern_headers = vec![
        ("mcp-protocol-version", "2026-07-28".to_owned()),
        ("mcp-method", "tools/call".to_owned()),
        ("mcp-name", "echo".to_owned()),
    ];
    c.bench_function("echo_roundtrip/http-stateless-2026", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let reply = post(modern.clone(), modern_headers.clone()).await.unwrap();
                let body = reply.bytes().await.unwrap();
                assert!(body.windows(8).any(|w| w == b"\"result\""));
            })
        })
    });

    // 2025-11-25: session, SSE response.
    let session = runtime.block_on(async {
        let reply = post(initialize(), vec![]).await.unwrap();
        let id = reply.headers()["mcp-session-id"].to_str().unwrap().to_owned();
        reply.bytes().await.unwrap();
        id
    });
    let legacy = echo_request(2, None);
    let legacy_headers = vec![("mcp-protocol-version", "2025-11-25".to_owned()), ("mcp-session-id", session)];
    c.bench_function("echo_roundtrip/http-session-2025", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let reply = post(legacy.clone(), legacy_headers.clone()).await.unwrap();
                let body = reply.bytes().await.unwrap();
                assert!(body.windows(8).any(|w| w == b"\"result\""));
            })
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = stdio, http
}
criterion_main!(benches);
