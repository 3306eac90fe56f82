//! The real binary over Streamable HTTP: hardening, sessions, both eras, ops endpoints.

mod common;

use common::{HttpServer, initialize, modern_meta, request, response};
use serde_json::json;

const V25: (&str, &str) = ("mcp-protocol-version", "2025-11-25");

async fn open_session(server: &HttpServer) -> String {
    let reply = server.post(&initialize(1, "2025-11-25").to_string(), &[]).await;
    assert_eq!(reply.status(), 200);
    let session = reply.headers().get("mcp-session-id").expect("session id header").to_str().unwrap().to_owned();
    assert!(session.len() >= 32 && session.bytes().all(|b| (0x21..=0x7e).contains(&b)));
    let init = response(reply).await;
    assert_eq!(init["result"]["protocolVersion"], "2025-11-25");
    let ack = server
        .post(
            &json!({"jsonrpc": "2.0", "method": "notifications/initialized"}).to_string(),
            &[V25, ("mcp-session-id", &session)],
        )
        .await;
    assert_eq!(ack.status(), 202);
    session
}

#[tokio::test]
async fn legacy_session_lifecycle() {
    let server = HttpServer::spawn(&[]).await;
    let session = open_session(&server).await;
    let headers = [V25, ("mcp-session-id", session.as_str())];
    let echo = server
        .post(&request(2, "tools/call", json!({"name": "echo", "arguments": {"message": "hi"}})).to_string(), &headers)
        .await;
    assert_eq!(response(echo).await["result"]["content"][0]["text"], "hi");

    let unknown = server.post(&request(3, "ping", json!({})).to_string(), &[V25, ("mcp-session-id", "unknown")]).await;
    assert_eq!(unknown.status(), 404);

    let deleted =
        server.client.delete(&server.url).header("mcp-session-id", &session).header(V25.0, V25.1).send().await.unwrap();
    assert!(deleted.status().is_success());
    let after = server.post(&request(4, "ping", json!({})).to_string(), &headers).await;
    assert_eq!(after.status(), 404);
}

/// Two concurrent POSTs in one session that share one id: both are answered, the second at once with `-32600`
/// (rmcp alone routes both to one stream and leaves the other POST hanging), the first with its result.
#[tokio::test]
async fn a_reused_id_in_flight_is_answered_at_once() {
    let server = HttpServer::spawn(&[]).await;
    let session = open_session(&server).await;
    let headers = [V25, ("mcp-session-id", session.as_str())];
    let slow = request(
        7,
        "tools/call",
        json!({"name": "trigger-long-running-operation", "arguments": {"duration": 0.5, "steps": 1}}),
    )
    .to_string();
    let first = async {
        let answer = response(server.post(&slow, &headers).await).await;
        (std::time::Instant::now(), answer)
    };
    let second = async {
        // Let the first call reach the session before its duplicate.
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let answer = response(server.post(&slow, &headers).await).await;
        (std::time::Instant::now(), answer)
    };
    let ((first_at, first), (second_at, second)) = tokio::join!(first, second);
    assert_eq!(first["id"], 7);
    assert_eq!(first["result"]["isError"], false, "{first}");
    assert_eq!(second["id"], 7);
    assert_eq!(second["error"]["code"], -32600, "{second}");
    assert!(second_at < first_at, "the duplicate is answered before the first call ends");
    let again = response(
        server
            .post(
                &request(7, "tools/call", json!({"name": "echo", "arguments": {"message": "x"}})).to_string(),
                &headers,
            )
            .await,
    )
    .await;
    assert_eq!(again["result"]["content"][0]["text"], "x", "answered, the id is free again");
}

#[tokio::test]
async fn hardening_rejects_bad_requests() {
    let server = HttpServer::spawn(&["--max-body-bytes", "4096"]).await;
    let init = initialize(1, "2025-11-25").to_string();

    let foreign = server.post(&init, &[("origin", "https://evil.example")]).await;
    assert_eq!(foreign.status(), 403);
    let local = server.post(&init, &[("origin", "http://localhost:6274")]).await;
    assert_eq!(local.status(), 200);
    let rebinding = server.post(&init, &[("host", "evil.example")]).await;
    assert_eq!(rebinding.status(), 403);

    let parse = server.post("{nope", &[]).await;
    assert_eq!(parse.status(), 400);
    let body = response(parse).await;
    assert_eq!(body["error"]["code"], -32700);

    let wrong = server.post(&json!({"jsonrpc": "1.0", "id": 5, "method": "ping"}).to_string(), &[]).await;
    assert_eq!(wrong.status(), 400);
    assert_eq!(response(wrong).await["id"], 5);

    let text = server
        .client
        .post(&server.url)
        .header("content-type", "text/plain")
        .header("accept", "application/json, text/event-stream")
        .body(init.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(text.status(), 415);

    let big = json!({"jsonrpc": "2.0", "id": 1, "method": "ping", "params": {"pad": "x".repeat(10_000)}}).to_string();
    assert_eq!(server.post(&big, &[]).await.status(), 413);
}

#[tokio::test]
async fn modern_stateless_requests() {
    let server = HttpServer::spawn(&["--page-size", "3"]).await;
    let headers = [("mcp-protocol-version", "2026-07-28"), ("mcp-method", "tools/list")];
    let first =
        response(server.post(&request(1, "tools/list", json!({"_meta": modern_meta()})).to_string(), &headers).await)
            .await;
    let result = &first["result"];
    assert_eq!(result["tools"].as_array().unwrap().len(), 3);
    assert!(result["ttlMs"].is_u64() && result["cacheScope"].is_string());
    let cursor = result["nextCursor"].as_str().expect("next page");
    let second = response(
        server
            .post(&request(2, "tools/list", json!({"_meta": modern_meta(), "cursor": cursor})).to_string(), &headers)
            .await,
    )
    .await;
    assert_ne!(second["result"]["tools"][0]["name"], result["tools"][0]["name"]);

    let bad = server
        .post(&request(3, "tools/list", json!({"_meta": modern_meta(), "cursor": "bogus"})).to_string(), &headers)
        .await;
    assert_eq!(response(bad).await["error"]["code"], -32602);

    let call_headers = [
        ("mcp-protocol-version", "2026-07-28"),
        ("mcp-method", "tools/call"),
        ("mcp-name", "test_input_required_result_request_state"),
    ];
    let round1 = response(
        server
            .post(
                &request(4, "tools/call", json!({"name": "test_input_required_result_request_state", "arguments": {}, "_meta": modern_meta()}))
                    .to_string(),
                &call_headers,
            )
            .await,
    )
    .await;
    assert_eq!(round1["result"]["resultType"], "input_required");
    let state = round1["result"]["requestState"].as_str().expect("requestState").to_owned();
    let tampered = format!("{}x", state);
    let rejected = response(
        server
            .post(
                &request(5, "tools/call", json!({"name": "test_input_required_result_request_state", "arguments": {}, "requestState": tampered, "inputResponses": {"confirm": {"action": "accept", "content": {"ok": true}}}, "_meta": modern_meta()}))
                    .to_string(),
                &call_headers,
            )
            .await,
    )
    .await;
    assert_eq!(rejected["error"]["code"], -32602);
}

#[tokio::test]
async fn ops_endpoints() {
    let server = HttpServer::spawn(&[]).await;
    let health = server.client.get(format!("{}/healthz", server.base())).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(health.json::<serde_json::Value>().await.unwrap()["status"], "ok");
    server.post(&initialize(1, "2025-11-25").to_string(), &[]).await;
    let metrics = server.client.get(format!("{}/metrics", server.base())).send().await.unwrap();
    assert!(metrics.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = metrics.text().await.unwrap();
    assert!(text.contains("# TYPE mcp_http_responses_total counter"));
    assert!(text.contains("mcp_http_responses_total{status=\"200\"}"));
}

#[tokio::test]
async fn sigterm_drains_and_exits_cleanly() {
    let mut server = HttpServer::spawn(&[]).await;
    let session = open_session(&server).await;
    let body = request(
        2,
        "tools/call",
        json!({"name": "trigger-long-running-operation", "arguments": {"duration": 1, "steps": 2}}),
    )
    .to_string();
    let client = server.client.clone();
    let url = server.url.clone();
    let in_flight = tokio::spawn(async move {
        client
            .post(url)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .header(V25.0, V25.1)
            .header("mcp-session-id", session)
            .body(body)
            .send()
            .await
            .expect("POST")
    });
    // Wait (bounded) until the server reports the call in flight.
    let metrics_url = format!("{}/metrics", server.base());
    for _ in 0..200 {
        let text = server.client.get(&metrics_url).send().await.unwrap().text().await.unwrap();
        if text.contains("mcp_tool_calls_in_flight 1") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    common::terminate(&server.child);
    let reply = response(tokio::time::timeout(common::WAIT, in_flight).await.unwrap().unwrap()).await;
    assert_eq!(reply["id"], 2);
    assert_eq!(reply["result"]["isError"], false, "{reply}");
    let status = tokio::time::timeout(common::WAIT, server.child.wait()).await.unwrap().unwrap();
    assert!(status.success(), "exit status {status}");
}
