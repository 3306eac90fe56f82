//! Helpers shared by the integration tests: spawn the real binary and talk raw JSON-RPC.

#![allow(dead_code)] // each test binary uses a different subset

pub mod containers;

use std::{process::Stdio, time::Duration};

use serde_json::{Value, json};
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines},
    process::{Child, ChildStdin, ChildStdout, Command},
};

/// Upper bound for any single wait in these tests.
pub const WAIT: Duration = Duration::from_secs(20);

pub const BIN: &str = env!("CARGO_BIN_EXE_mcp-reference-server");

pub fn initialize(id: u64, version: &str) -> Value {
    json!({
        "jsonrpc": "2.0", "id": id, "method": "initialize",
        "params": {
            "protocolVersion": version,
            "capabilities": {},
            "clientInfo": { "name": "reference-server-tests", "version": "0" }
        }
    })
}

pub fn request(id: u64, method: &str, params: Value) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params })
}

/// `_meta` of a 2026-07-28 stateless request.
pub fn modern_meta() -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": { "name": "reference-server-tests", "version": "0" }
    })
}

/// A server child process on stdio.
pub struct StdioServer {
    pub child: Child,
    stdin: Option<ChildStdin>,
    stdout: Lines<BufReader<ChildStdout>>,
}

impl StdioServer {
    pub fn spawn(args: &[&str]) -> Self {
        let mut child = Command::new(BIN)
            .args(args)
            .args(["--log-level", "warn"])
            // Hermetic: backends only when a test passes them explicitly.
            .env_remove("DATABASE_URL")
            .env_remove("REDIS_URL")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("spawn mcp-reference-server");
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().expect("stdout")).lines();
        Self { child, stdin, stdout }
    }

    pub async fn send_raw(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(line.as_bytes()).await.expect("write");
        stdin.write_all(b"\n").await.expect("write");
        stdin.flush().await.expect("flush");
    }

    pub async fn send(&mut self, message: &Value) {
        self.send_raw(&message.to_string()).await;
    }

    /// The next stdout line as JSON (fails the test on timeout or end of output).
    pub async fn recv(&mut self) -> Value {
        let line = tokio::time::timeout(WAIT, self.stdout.next_line())
            .await
            .expect("timed out waiting for the server")
            .expect("read stdout")
            .expect("server closed stdout");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line}"))
    }

    /// The next response (skipping notifications), bounded.
    pub async fn response(&mut self) -> Value {
        for _ in 0..1000 {
            let message = self.recv().await;
            if message.get("method").is_none() {
                return message;
            }
        }
        panic!("no response among 1000 messages");
    }

    pub async fn call(&mut self, message: Value) -> Value {
        self.send(&message).await;
        self.response().await
    }

    pub fn close_stdin(&mut self) {
        self.stdin.take();
    }

    pub async fn exit_code(&mut self) -> Option<i32> {
        tokio::time::timeout(WAIT, self.child.wait()).await.expect("server did not exit").expect("wait").code()
    }
}

/// A server child process on HTTP, with its `/mcp` URL.
pub struct HttpServer {
    pub child: Child,
    pub url: String,
    pub client: reqwest::Client,
}

impl HttpServer {
    pub async fn spawn(args: &[&str]) -> Self {
        let mut child = Command::new(BIN)
            .args(["--transport", "http", "--listen", "127.0.0.1:0", "--log-level", "warn"])
            .args(args)
            .env_remove("DATABASE_URL")
            .env_remove("REDIS_URL")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("spawn mcp-reference-server");
        let mut stderr = BufReader::new(child.stderr.take().expect("stderr")).lines();
        let url = tokio::time::timeout(WAIT, async {
            while let Some(line) = stderr.next_line().await.expect("read stderr") {
                if let Some(url) = line.strip_prefix("mcp-reference-server listening on ") {
                    return url.to_owned();
                }
            }
            panic!("server exited before listening");
        })
        .await
        .expect("server did not report its URL");
        // Keep draining stderr so the server never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = stderr.next_line().await {} });
        let client = reqwest::Client::builder().timeout(WAIT).build().expect("client");
        Self { child, url, client }
    }

    pub fn base(&self) -> String {
        self.url.trim_end_matches("/mcp").to_owned()
    }

    /// POSTs `body` to `/mcp` with MCP headers plus `extra`.
    pub async fn post(&self, body: &str, extra: &[(&str, &str)]) -> reqwest::Response {
        let mut builder = self
            .client
            .post(&self.url)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(body.to_owned());
        for (name, value) in extra {
            builder = builder.header(*name, *value);
        }
        builder.send().await.expect("POST /mcp")
    }
}

/// The JSON-RPC messages of a response body, whether JSON or SSE.
pub async fn messages(response: reqwest::Response) -> Vec<Value> {
    let is_sse = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"));
    let text = tokio::time::timeout(WAIT, response.text()).await.expect("body timeout").expect("body");
    if !is_sse {
        return vec![serde_json::from_str(&text).expect("JSON body")];
    }
    text.lines()
        .filter_map(|line| line.strip_prefix("data:"))
        .map(str::trim)
        .filter(|data| !data.is_empty())
        .map(|data| serde_json::from_str(data).expect("SSE data is JSON"))
        .collect()
}

/// The last message (the response) of a POST.
pub async fn response(response: reqwest::Response) -> Value {
    messages(response).await.pop().expect("at least one message")
}

/// Sends SIGTERM to the child.
pub fn terminate(child: &Child) {
    let pid = child.id().expect("child running") as i32;
    // SAFETY: plain kill(2) on our own child's pid.
    let rc = unsafe { libc::kill(pid, libc::SIGTERM) };
    assert_eq!(rc, 0, "kill failed");
}
