//! The real binary over stdio: lifecycle, malformed input, pagination, shutdown.

mod common;

use common::{StdioServer, initialize, request};
use serde_json::{Value, json};

#[tokio::test]
async fn initialize_echo_and_clean_exit_on_eof() {
    let mut server = StdioServer::spawn(&[]);
    let init = server.call(initialize(1, "2025-11-25")).await;
    assert_eq!(init["result"]["protocolVersion"], "2025-11-25");
    assert_eq!(init["result"]["serverInfo"]["name"], "mcp-reference-server");
    server.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"})).await;
    let echo = server.call(request(2, "tools/call", json!({"name": "echo", "arguments": {"message": "hello"}}))).await;
    assert_eq!(echo["result"]["content"][0]["text"], "hello");
    server.close_stdin();
    assert_eq!(server.exit_code().await, Some(0));
}

#[tokio::test]
async fn older_revisions_are_negotiated() {
    for version in ["2025-06-18", "2025-03-26"] {
        let mut server = StdioServer::spawn(&[]);
        let init = server.call(initialize(1, version)).await;
        assert_eq!(init["result"]["protocolVersion"], version);
    }
}

#[tokio::test]
async fn malformed_input_gets_json_rpc_errors() {
    let mut server = StdioServer::spawn(&[]);
    server.send_raw("{this is not json").await;
    let parse = server.recv().await;
    assert_eq!(parse["error"]["code"], -32700);
    assert_eq!(parse["id"], Value::Null);

    server.call(initialize(1, "2025-11-25")).await;
    server.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"})).await;

    let wrong_version = server.call(json!({"jsonrpc": "1.0", "id": 2, "method": "ping"})).await;
    assert_eq!(wrong_version["error"]["code"], -32600);
    assert_eq!(wrong_version["id"], 2);

    let unknown = server.call(request(3, "no/such-method", json!({}))).await;
    assert_eq!(unknown["error"]["code"], -32601);

    let again = server.call(initialize(4, "2025-11-25")).await;
    assert_eq!(again["error"]["code"], -32600);

    let bad_cursor = server.call(request(5, "tools/list", json!({"cursor": "garbage"}))).await;
    assert_eq!(bad_cursor["error"]["code"], -32602);

    let unknown_tool = server.call(request(6, "tools/call", json!({"name": "nope", "arguments": {}}))).await;
    assert_eq!(unknown_tool["error"]["code"], -32602);
}

/// Follows `nextCursor` through `method`, returning every item of `field`.
async fn walk(server: &mut StdioServer, method: &str, field: &str, first_id: u64) -> (Vec<Value>, usize) {
    let mut items = vec![];
    let mut cursor: Option<String> = None;
    for page in 0..200 {
        let params = match &cursor {
            Some(cursor) => json!({ "cursor": cursor }),
            None => json!({}),
        };
        let response = server.call(request(first_id + page, method, params)).await;
        let result = &response["result"];
        items.extend(result[field].as_array().expect("items").iter().cloned());
        match result["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return (items, page as usize + 1),
        }
    }
    panic!("pagination of {method} did not terminate");
}

#[tokio::test]
async fn every_list_method_paginates() {
    let mut small = StdioServer::spawn(&["--page-size", "2"]);
    small.call(initialize(1, "2025-11-25")).await;
    let mut large = StdioServer::spawn(&[]);
    large.call(initialize(1, "2025-11-25")).await;
    for (method, field) in [
        ("tools/list", "tools"),
        ("prompts/list", "prompts"),
        ("resources/list", "resources"),
        ("resources/templates/list", "resourceTemplates"),
    ] {
        let (paged, pages) = walk(&mut small, method, field, 100).await;
        let (all, one) = walk(&mut large, method, field, 100).await;
        assert_eq!(one, 1, "{method} paginates at the default page size");
        assert!(pages > 1, "{method} did not paginate with --page-size 2");
        assert_eq!(paged, all, "{method} pages differ from the full list");
    }
}

#[tokio::test]
async fn tool_annotations_mark_read_only_and_destructive_tools() {
    let mut server = StdioServer::spawn(&[]);
    server.call(initialize(1, "2025-11-25")).await;
    let list = server.call(request(2, "tools/list", json!({}))).await;
    let tools = list["result"]["tools"].as_array().unwrap();
    let hint = |name: &str, key: &str| {
        tools.iter().find(|t| t["name"] == name).unwrap_or_else(|| panic!("{name} listed"))["annotations"][key].clone()
    };
    assert_eq!(hint("echo", "readOnlyHint"), true);
    assert_eq!(hint("data_query", "readOnlyHint"), true);
    assert_eq!(hint("delete_data", "destructiveHint"), true);
    assert_eq!(hint("update_data", "destructiveHint"), true);
}

#[tokio::test]
async fn sigterm_drains_in_flight_requests() {
    let mut server = StdioServer::spawn(&[]);
    server.call(initialize(1, "2025-11-25")).await;
    server
        .send(&request(
            2,
            "tools/call",
            json!({"name": "trigger-long-running-operation", "arguments": {"duration": 1, "steps": 2}}),
        ))
        .await;
    // Make sure the call is running before the signal: a progress-free ping round trip.
    let ping = server.call(request(3, "ping", json!({}))).await;
    assert_eq!(ping["id"], 3);
    common::terminate(&server.child);
    let response = server.response().await;
    assert_eq!(response["id"], 2);
    assert_eq!(response["result"]["isError"], false, "{response}");
    assert_eq!(server.exit_code().await, Some(0));
}

/// Two concurrent calls that share one id: the second is answered at once with `-32600` (rmcp alone would leave
/// one of them unanswered for ever); the first gets its normal result.
#[tokio::test]
async fn a_reused_id_in_flight_is_answered_at_once() {
    let mut server = StdioServer::spawn(&[]);
    server.call(initialize(1, "2025-11-25")).await;
    server.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"})).await;
    let slow = request(
        7,
        "tools/call",
        json!({"name": "trigger-long-running-operation", "arguments": {"duration": 0.5, "steps": 1}}),
    );
    server.send(&slow).await;
    server.send(&slow).await;
    let duplicate = server.response().await;
    assert_eq!(duplicate["id"], 7);
    assert_eq!(duplicate["error"]["code"], -32600, "{duplicate}");
    assert!(duplicate["error"]["message"].as_str().unwrap().contains("in flight"), "{duplicate}");
    let first = server.response().await;
    assert_eq!(first["id"], 7);
    assert_eq!(first["result"]["isError"], false, "{first}");
    // Answered, the id is free again.
    let again = server.call(request(7, "tools/call", json!({"name": "echo", "arguments": {"message": "x"}}))).await;
    assert_eq!(again["result"]["content"][0]["text"], "x");
}

#[tokio::test]
async fn data_tools_round_trip_and_cache_queries() {
    let mut server = StdioServer::spawn(&[]);
    server.call(initialize(1, "2025-11-25")).await;
    let created = server
        .call(request(
            2,
            "tools/call",
            json!({"name": "create_data", "arguments": {"collection": "items", "data": {"qty": 3}}}),
        ))
        .await;
    let id = created["result"]["structuredContent"]["id"].as_str().expect("id").to_owned();
    let query = json!({"name": "data_query", "arguments": {"collection": "items", "filters": [{"field": "qty", "op": "ge", "value": 1}], "max_rows": 10}});
    let first = server.call(request(3, "tools/call", query.clone())).await;
    assert_eq!(first["result"]["_meta"]["io.mcp-harness/cache"], "miss");
    assert_eq!(first["result"]["structuredContent"]["rows"][0]["id"], id.as_str());
    let second = server.call(request(4, "tools/call", query.clone())).await;
    assert_eq!(second["result"]["_meta"]["io.mcp-harness/cache"], "l1");
    server.call(request(5, "tools/call", json!({"name": "delete_data", "arguments": {"id": id}}))).await;
    let after = server.call(request(6, "tools/call", query)).await;
    assert_eq!(after["result"]["_meta"]["io.mcp-harness/cache"], "miss", "a write invalidates cached queries");
    assert_eq!(after["result"]["structuredContent"]["rows"], json!([]));
    let injection = server
        .call(request(7, "tools/call", json!({"name": "data_query", "arguments": {"filters": [{"field": "x; DROP TABLE t", "op": "eq", "value": 1}]}})))
        .await;
    assert_eq!(injection["result"]["isError"], true);
}

#[tokio::test]
async fn modern_requests_work_over_stdio() {
    let mut server = StdioServer::spawn(&[]);
    let discover = server.call(request(1, "server/discover", json!({"_meta": common::modern_meta()}))).await;
    let versions = discover["result"]["supportedVersions"].as_array().expect("supportedVersions");
    assert!(versions.contains(&json!("2026-07-28")) && versions.contains(&json!("2025-11-25")));
    let call = server
        .call(request(
            2,
            "tools/call",
            json!({"name": "echo", "arguments": {"message": "m"}, "_meta": common::modern_meta()}),
        ))
        .await;
    assert_eq!(call["result"]["resultType"], "complete");
    assert_eq!(call["result"]["content"][0]["text"], "m");
}

/// Reads messages until one satisfies `wanted`, bounded.
async fn until(server: &mut StdioServer, wanted: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..100 {
        let message = server.recv().await;
        if wanted(&message) {
            return message;
        }
    }
    panic!("expected message not seen among 100");
}

#[tokio::test]
async fn subscriptions_and_list_changes_are_notified() {
    let mut server = StdioServer::spawn(&[]);
    server.call(initialize(1, "2025-11-25")).await;
    server.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"})).await;
    let uri = "test://watched-resource";
    let subscribed = server.call(request(2, "resources/subscribe", json!({"uri": uri}))).await;
    assert_eq!(subscribed["result"], json!({}));
    let missing = server.call(request(3, "resources/subscribe", json!({"uri": "test://missing"}))).await;
    assert!(missing["error"].is_object());

    server.send(&request(4, "tools/call", json!({"name": "touch-resource", "arguments": {"uri": uri}}))).await;
    let updated = until(&mut server, |m| m["method"] == "notifications/resources/updated").await;
    assert_eq!(updated["params"]["uri"], uri);
    until(&mut server, |m| m["id"] == 4).await;

    server.send(&request(5, "tools/call", json!({"name": "toggle-dynamic-tool", "arguments": {}}))).await;
    until(&mut server, |m| m["method"] == "notifications/tools/list_changed").await;
    until(&mut server, |m| m["id"] == 5).await;
    let list = server.call(request(6, "tools/list", json!({}))).await;
    assert!(list["result"]["tools"].as_array().unwrap().iter().any(|t| t["name"] == "dynamic-tool"));
}

/// Sensitive record fields are answered in plaintext by every data tool and the record resource, and cannot be
/// filtered on (they are ciphertext at rest; the store-level proof is `tools::data`'s unit test).
#[tokio::test]
async fn sensitive_fields_read_back_in_plaintext_and_are_not_filterable() {
    let mut server = StdioServer::spawn(&[]);
    server.call(initialize(1, "2025-11-25")).await;
    let call = |id: u64, name: &str, arguments: Value| {
        request(id, "tools/call", json!({"name": name, "arguments": arguments}))
    };
    let created = server
        .call(call(2, "create_data", json!({"collection": "people", "data": {"email": "ada@example.com", "age": 36}})))
        .await;
    assert_eq!(created["result"]["structuredContent"]["data"]["email"], "ada@example.com", "{created}");
    let id = created["result"]["structuredContent"]["id"].as_str().expect("id").to_owned();
    let updated = server.call(call(3, "update_data", json!({"id": id, "data": {"notes": ["a", 1]}}))).await;
    assert_eq!(updated["result"]["structuredContent"]["data"]["notes"], json!(["a", 1]), "{updated}");
    assert_eq!(updated["result"]["structuredContent"]["data"]["email"], "ada@example.com");
    let got = server.call(call(4, "get_data", json!({"id": id}))).await;
    assert_eq!(got["result"]["structuredContent"]["data"]["notes"], json!(["a", 1]));
    let rows = server.call(call(5, "data_query", json!({"collection": "people", "max_rows": 10}))).await;
    assert_eq!(rows["result"]["structuredContent"]["rows"][0]["data"]["email"], "ada@example.com");
    let read = server.call(request(6, "resources/read", json!({"uri": format!("data://records/{id}")}))).await;
    let text = read["result"]["contents"][0]["text"].as_str().expect("record JSON");
    assert!(text.contains("ada@example.com") && !text.contains("enc:v1:"), "{text}");
    for (request_id, arguments) in [
        (7, json!({"filters": [{"field": "email", "op": "contains", "value": "ada"}]})),
        (8, json!({"order_by": "notes"})),
    ] {
        let refused = server.call(call(request_id, "data_query", arguments)).await;
        assert_eq!(refused["result"]["isError"], true, "{refused}");
        assert!(refused["result"]["content"][0]["text"].as_str().unwrap_or("").contains("encrypted at rest"));
    }
}
