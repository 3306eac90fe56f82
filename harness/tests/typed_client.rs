//! rmcp's typed client running on the harness's own wire (stdio and HTTP), against the reference server.

use std::time::Duration;

use mcp_harness::session::{Connection, client_config, typed_client};
use mcp_harness::target::{LaunchedTarget, TargetSpec};
use mcp_harness::wire::{Direction, Limits, StdioCommand, Transcript};
use rmcp::model::ProtocolVersion;

const HARNESS: &str = env!("CARGO_BIN_EXE_mcp-harness");

fn reference(transport: &str) -> TargetSpec {
    TargetSpec::Stdio(StdioCommand {
        program: HARNESS.to_owned(),
        args: ["serve-reference", "--", "--transport", transport].map(str::to_owned).to_vec(),
        env: Vec::new(),
        cwd: None,
    })
}

async fn list_tools_typed(target: &LaunchedTarget) -> (usize, Transcript) {
    let limits = Limits::default();
    let transcript = Transcript::new(&limits);
    let log = mcp_harness::session::WireLog::default();
    let conn = Connection::open(target, &limits, &transcript, Duration::from_secs(10), &log).await.expect("connection");
    let client = typed_client(conn, client_config(ProtocolVersion::V_2025_11_25), Duration::from_secs(10))
        .await
        .expect("typed handshake");
    let tools = tokio::time::timeout(Duration::from_secs(10), client.peer().list_all_tools())
        .await
        .expect("in time")
        .expect("tools/list");
    let _ = client.cancel().await;
    (tools.len(), transcript)
}

#[tokio::test]
async fn rmcp_lists_tools_over_our_stdio_wire_and_every_message_is_recorded() {
    let target = LaunchedTarget::launch(&reference("stdio"), Duration::from_secs(30)).await.expect("launch");
    let (count, transcript) = list_tools_typed(&target).await;
    assert!(count > 0, "the reference server lists tools");
    let entries = transcript.since(0, 10_000);
    assert!(entries.iter().any(|e| matches!(e.direction, Direction::Sent) && e.text.contains("\"initialize\"")));
    assert!(entries.iter().any(|e| matches!(e.direction, Direction::Received) && e.text.contains("\"tools\"")));
    target.shutdown().await;
}

#[tokio::test]
async fn rmcp_lists_tools_over_our_http_wire() {
    // The HTTP reference server is started by the harness binary, which reports its URL on stderr.
    let spec = reference("http");
    let TargetSpec::Stdio(cmd) = &spec else { unreachable!() };
    let mut cmd = cmd.clone();
    cmd.args.extend(["--listen", "127.0.0.1:0"].map(str::to_owned));
    let log = mcp_harness::target::StderrLog::default();
    let mut child = tokio::process::Command::new(&cmd.program)
        .args(&cmd.args)
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn");
    let stderr = child.stderr.take().expect("stderr");
    let url = tokio::time::timeout(Duration::from_secs(30), async {
        use tokio::io::AsyncBufReadExt as _;
        let mut lines = tokio::io::BufReader::new(stderr).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            log.push(&line);
            if let Some(pos) = line.find("http://") {
                return line[pos..].split_whitespace().next().map(str::to_owned);
            }
        }
        None
    })
    .await
    .expect("server announced its URL in time")
    .expect("a URL");
    let target = LaunchedTarget::launch(&TargetSpec::http(url), Duration::from_secs(5)).await.expect("launch");
    let (count, _) = list_tools_typed(&target).await;
    assert!(count > 0);
    let _ = child.kill().await;
}
