//! `mcp-harness record` and `mcp-harness journey init`, end to end: a scripted client talks to the bundled
//! reference server through the recording proxy, the journey written is replayed green; a starter journey is
//! written from the server's surface and passes. Every process is bounded in time.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod common;

use common::{HARNESS, code, harness, stderr};

fn dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("record").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A scripted MCP client on the recording proxy's stdin/stdout.
struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
}

impl Client {
    fn start(args: &[&str]) -> Client {
        let mut child = Command::new(HARNESS)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Client { stdin: child.stdin.take(), child, lines }
    }

    fn send(&mut self, message: Value) {
        let stdin = self.stdin.as_mut().unwrap();
        writeln!(stdin, "{message}").unwrap();
        stdin.flush().unwrap();
    }

    /// Sends a request and returns its response, answering the server's requests meanwhile as a user would.
    fn request(&mut self, id: u64, method: &str, params: Value) -> Value {
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let line = self.lines.recv_timeout(Duration::from_secs(20)).expect("an answer within 20 s");
            let message: Value = serde_json::from_str(&line).expect("the proxy passes JSON lines unchanged");
            match (message.get("method").and_then(Value::as_str), message.get("id")) {
                (Some("elicitation/create"), Some(sid)) => {
                    let content = json!({"username": "ada", "email": "ada@example.com"});
                    self.send(json!({"jsonrpc": "2.0", "id": sid, "result": {"action": "accept", "content": content}}));
                }
                (Some("roots/list"), Some(sid)) => {
                    let roots = json!([{"uri": "file:///work/project", "name": "project"}]);
                    self.send(json!({"jsonrpc": "2.0", "id": sid, "result": {"roots": roots}}));
                }
                (Some(_), Some(sid)) => self.send(json!({"jsonrpc": "2.0", "id": sid, "result": {}})),
                (Some(_), None) => {}
                (None, _) if message["id"] == id => return message,
                (None, _) => panic!("an answer to an id never sent: {message}"),
            }
        }
    }

    /// Closes stdin (the session ends) and waits for the proxy to exit.
    fn finish(mut self) -> i32 {
        drop(self.stdin.take());
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().unwrap_or(-1);
            }
            if started.elapsed() > Duration::from_secs(30) {
                let _ = self.child.kill();
                panic!("the recording proxy did not exit within 30 s of the client closing");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[test]
fn a_recorded_session_replays_green() {
    let dir = dir("round-trip");
    let file = dir.join("session.journey.yaml");
    let file_arg = file.to_str().unwrap();
    let mut client = Client::start(&["record", "--out", file_arg, "--", HARNESS, "serve-reference"]);
    let init = client.request(
        1,
        "initialize",
        json!({"protocolVersion": "2025-11-25", "capabilities": {"elicitation": {}, "roots": {}},
               "clientInfo": {"name": "scripted", "version": "1"}}),
    );
    assert_eq!(init["result"]["protocolVersion"], "2025-11-25");
    client.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    client.request(2, "tools/list", json!({}));
    let created = client.request(
        3,
        "tools/call",
        json!({"name": "create_data", "arguments": {"collection": "recorded", "data": {"title": "Hi"}}}),
    );
    let id = created["result"]["structuredContent"]["id"].as_str().unwrap().to_owned();
    client.request(4, "tools/call", json!({"name": "get_data", "arguments": {"id": id}}));
    client.request(5, "resources/read", json!({"uri": format!("data://records/{id}")}));
    client.request(6, "tools/call", json!({"name": "trigger-elicitation-request"}));
    client.request(7, "tools/call", json!({"name": "get-roots-list"}));
    client.request(8, "tools/call", json!({"name": "no-such-tool"}));
    client.request(9, "prompts/get", json!({"name": "args-prompt", "arguments": {"city": "Paris"}}));
    client.request(10, "ping", json!({}));
    assert_eq!(client.finish(), 0);

    let text = std::fs::read_to_string(&file).unwrap();
    // The id the server handed out is captured and sent back as a variable; the user's answers are scripted.
    assert!(text.contains("capture:\n      id: $.structuredContent.id"), "{text}");
    assert!(text.contains("id: ${id}"), "{text}");
    assert!(text.contains("read: data://records/${id}"), "{text}");
    assert!(text.contains("elicitation:\n        action: accept"), "{text}");
    assert!(text.contains("roots:\n      - uri: file:///work/project"), "{text}");
    assert!(text.contains("- error: -32602"), "{text}");
    assert!(text.contains("revisions: <2026-07-28"), "{text}");
    assert!(!text.contains("initialize"), "the handshake is not a step: {text}");
    assert!(dir.join("journey.schema.json").exists(), "the schema is written beside it for editors");

    // The replay: a new server process (a new store); the journey passes.
    let out = harness(
        &[
            "run",
            "--stdio",
            &format!("{HARNESS} serve-reference"),
            "--suite",
            "e2e",
            "--journeys",
            dir.to_str().unwrap(),
            "--protocol",
            "2025-11-25",
            "--out",
            dir.join("report").to_str().unwrap(),
        ],
        Duration::from_secs(120),
    );
    assert_eq!(code(&out), 0, "{}\n{text}", stderr(&out));
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report/report.json")).unwrap()).unwrap();
    let check = report["suites"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["checks"].as_array().unwrap())
        .find(|c| c["id"] == "e2e.session.recorded")
        .expect("the recorded journey is a check");
    assert_eq!(check["outcome"], "passed", "{check}");

    // A second session: refused without a choice, added with --append under a new name.
    let refused = harness(&["record", "--out", file_arg, "--", HARNESS, "serve-reference"], Duration::from_secs(20));
    assert_eq!(code(&refused), 2, "{}", stderr(&refused));
    assert!(stderr(&refused).contains("exists; --append adds this session to it, --force overwrites it"));
    let mut again = Client::start(&["record", "--out", file_arg, "--append", "--", HARNESS, "serve-reference"]);
    again.request(
        1,
        "initialize",
        json!({"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "s", "version": "1"}}),
    );
    again.request(2, "tools/call", json!({"name": "echo", "arguments": {"message": "cost ${x}"}}));
    assert_eq!(again.finish(), 0);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("name: recorded-2"), "{text}");
    assert!(text.contains("message: cost $${x}"), "recorded text is escaped, not read as a variable: {text}");
}

#[test]
fn bad_record_arguments_are_usage_errors() {
    let dir = dir("usage");
    let bad_name = dir.join("Session.journey.yaml");
    let not_journey = dir.join("session.yaml");
    for (args, says) in [
        (
            vec!["record", "--out", not_journey.to_str().unwrap(), "--", "true"],
            "a journey file is named NAME.journey.yaml",
        ),
        (vec!["record", "--out", bad_name.to_str().unwrap(), "--", "true"], "must be lowercase letters"),
        (vec!["record", "--out", "x.journey.yaml", "--name", "Bad", "--", "true"], "--name \"Bad\""),
    ] {
        let out = harness(&args, Duration::from_secs(20));
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out).lines().count(), 1, "one line: {}", stderr(&out));
    }
    let missing = dir.join("m.journey.yaml");
    let out =
        harness(&["record", "--out", missing.to_str().unwrap(), "--", "/nonexistent/server"], Duration::from_secs(20));
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(!missing.exists(), "nothing is written when the server cannot start");
}

#[test]
fn journey_init_writes_a_starter_journey_that_passes() {
    let dir = dir("init");
    let file = dir.join("starter.journey.yaml");
    let out = harness(
        &["journey", "init", "--reference", "--protocol", "2025-11-25", "--out", file.to_str().unwrap()],
        Duration::from_secs(60),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("- list: tools"), "{text}");
    assert!(text.contains("tool: health"), "a read-only tool is called: {text}");
    assert!(!text.contains("tool: delete_data"), "a tool that is not read-only is not called: {text}");
    assert!(text.contains("`delete_data` (not annotated read-only)"), "{text}");
    assert!(text.contains("- read: "), "{text}");
    assert!(text.contains("get:\n      prompt: "), "{text}");
    assert!(stderr(&out).contains("--suite e2e --journeys"), "{}", stderr(&out));

    let again = harness(&["journey", "init", "--reference", "--out", file.to_str().unwrap()], Duration::from_secs(60));
    assert_eq!(code(&again), 2, "an existing file needs --force: {}", stderr(&again));

    assert!(text.contains("revisions: <2026-07-28"), "a starter applies to the era it was written on: {text}");
    for transport in ["stdio", "http"] {
        run_green(&dir, transport, "2025-11-25", &text);
    }

    // The stateless era has its own starter.
    let dir = self::dir("init-2026");
    let file = dir.join("starter.journey.yaml");
    let out = harness(
        &["journey", "init", "--reference", "http", "--protocol", "2026-07-28", "--out", file.to_str().unwrap()],
        Duration::from_secs(60),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("revisions: '>=2026-07-28'") || text.contains("revisions: \">=2026-07-28\""), "{text}");
    run_green(&dir, "http", "2026-07-28", &text);
}

/// Runs the journeys of `dir` against the reference server; they must pass.
fn run_green(dir: &Path, transport: &str, protocol: &str, text: &str) {
    let report = dir.join(format!("report-{transport}-{protocol}"));
    let out = harness(
        &[
            "run",
            "--reference",
            transport,
            "--protocol",
            protocol,
            "--suite",
            "e2e",
            "--journeys",
            dir.to_str().unwrap(),
            "--out",
            report.to_str().unwrap(),
        ],
        Duration::from_secs(120),
    );
    assert_eq!(code(&out), 0, "{transport} {protocol}: {}\n{text}", stderr(&out));
}
