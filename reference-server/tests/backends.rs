//! The reference server against real backends.
//!
//! * `MCP_TEST_DATABASE_URL` (e.g. `postgres://postgres@127.0.0.1:5432/postgres`): CRUD,
//!   queries and durability across a server restart against real Postgres.
//! * `MCP_TEST_REDIS_URL` (with `MCP_TEST_DATABASE_URL`): two server processes sharing
//!   Postgres and Redis, checking L2 hits and that no read is ever stale.
//! * Always: Redis unreachable (a closed port) → answers come from the store, the Redis
//!   breaker opens; and, when `redis-server` is on `PATH`, recovery once Redis starts.
//!
//! Tests whose backend is not configured print `SKIPPED …` and pass.

mod common;

use std::time::Duration;

use common::{StdioServer, initialize, request};
use serde_json::{Value, json};

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn database_url(test: &str) -> Option<String> {
    let url = env("MCP_TEST_DATABASE_URL");
    if url.is_none() {
        eprintln!("SKIPPED {test}: set MCP_TEST_DATABASE_URL to run it against Postgres");
    }
    url
}

/// A collection name unique to this test run, so parallel tests and reruns never collide.
fn collection(prefix: &str) -> String {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default();
    format!("{prefix}_{}_{nanos}", std::process::id())
}

struct Client {
    server: StdioServer,
    next_id: u64,
}

impl Client {
    async fn start(args: &[&str]) -> Self {
        let mut server = StdioServer::spawn(args);
        let init = server.call(initialize(1, "2025-11-25")).await;
        assert!(init["result"].is_object(), "initialize failed: {init}");
        Self { server, next_id: 1 }
    }

    async fn tool(&mut self, name: &str, arguments: Value) -> Value {
        self.next_id += 1;
        let response =
            self.server.call(request(self.next_id, "tools/call", json!({"name": name, "arguments": arguments}))).await;
        response["result"].clone()
    }

    async fn ok(&mut self, name: &str, arguments: Value) -> Value {
        let result = self.tool(name, arguments).await;
        assert_eq!(result["isError"], false, "{name} failed: {result}");
        result
    }

    async fn health(&mut self) -> Value {
        self.ok("health", json!({})).await["structuredContent"].clone()
    }
}

fn cache_level(result: &Value) -> &str {
    result["_meta"]["io.mcp-harness/cache"].as_str().unwrap_or("absent")
}

#[tokio::test]
async fn postgres_crud_query_and_durability() {
    let Some(db) = database_url("postgres_crud_query_and_durability") else {
        return;
    };
    let items = collection("crud");
    let mut client = Client::start(&["--database-url", &db]).await;
    let health = client.health().await;
    assert_eq!(health["store"]["kind"], "postgres", "{health}");
    assert_eq!(health["store"]["status"], "ok", "{health}");

    let mut ids = Vec::new();
    for qty in [5, 1, 3, 9] {
        let created = client
            .ok(
                "create_data",
                json!({"collection": items, "data": {"qty": qty, "tag": "x'); DROP TABLE mcp_records; --"}}),
            )
            .await;
        assert_eq!(created["structuredContent"]["version"], 1);
        ids.push(created["structuredContent"]["id"].as_str().expect("id").to_owned());
    }
    let got = client.ok("get_data", json!({"id": ids[0]})).await;
    assert_eq!(got["structuredContent"]["data"]["qty"], 5);
    assert_eq!(got["structuredContent"]["data"]["tag"], "x'); DROP TABLE mcp_records; --");

    let updated =
        client.ok("update_data", json!({"id": ids[0], "data": {"qty": 6, "tag": null}, "expected_version": 1})).await;
    assert_eq!(updated["structuredContent"]["version"], 2);
    assert_eq!(updated["structuredContent"]["data"], json!({"qty": 6}));
    let conflict = client.tool("update_data", json!({"id": ids[0], "data": {"qty": 7}, "expected_version": 1})).await;
    assert_eq!(conflict["isError"], true, "{conflict}");
    assert!(conflict["content"][0]["text"].as_str().unwrap_or("").contains("version conflict"));

    let query = json!({
        "collection": items,
        "filters": [{"field": "qty", "op": "ge", "value": 3}],
        "order_by": "qty", "order": "desc", "max_rows": 2
    });
    let result = client.ok("data_query", query.clone()).await;
    let qtys: Vec<_> = result["structuredContent"]["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["data"]["qty"].clone())
        .collect();
    assert_eq!(qtys, vec![json!(9), json!(6)]);
    assert_eq!(result["structuredContent"]["truncated"], true);
    let contains = client
        .ok("data_query", json!({"collection": items, "filters": [{"field": "tag", "op": "contains", "value": "DROP TABLE"}], "max_rows": 10}))
        .await;
    assert_eq!(contains["structuredContent"]["rows"].as_array().map(Vec::len), Some(3));
    let injection = client
        .tool("data_query", json!({"filters": [{"field": "qty; DROP TABLE mcp_records", "op": "eq", "value": 1}]}))
        .await;
    assert_eq!(injection["isError"], true);

    let deleted = client.ok("delete_data", json!({"id": ids[1]})).await;
    assert_eq!(deleted["structuredContent"]["deleted"], true);
    let missing = client.tool("get_data", json!({"id": ids[1]})).await;
    assert_eq!(missing["isError"], true);

    // Every acknowledged write survives a server restart.
    drop(client);
    let mut client = Client::start(&["--database-url", &db]).await;
    let all = client.ok("data_query", json!({"collection": items, "max_rows": 100})).await;
    let mut found: Vec<_> = all["structuredContent"]["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    found.sort();
    let mut expected = vec![ids[0].clone(), ids[2].clone(), ids[3].clone()];
    expected.sort();
    assert_eq!(found, expected);
}

#[tokio::test]
async fn redis_second_level_cache_is_never_stale() {
    let Some(db) = database_url("redis_second_level_cache_is_never_stale") else {
        return;
    };
    let Some(redis) = env("MCP_TEST_REDIS_URL") else {
        eprintln!(
            "SKIPPED redis_second_level_cache_is_never_stale: set MCP_TEST_REDIS_URL (and MCP_TEST_DATABASE_URL)"
        );
        return;
    };
    let args = ["--database-url", db.as_str(), "--redis-url", redis.as_str()];
    let mut a = Client::start(&args).await;
    let mut b = Client::start(&args).await;
    assert_eq!(a.health().await["cache"]["kind"], "lru+redis");

    let items = collection("cache");
    let created = a.ok("create_data", json!({"collection": items, "data": {"qty": 1}})).await;
    let id = created["structuredContent"]["id"].as_str().expect("id").to_owned();
    let get = json!({"id": id});

    assert_eq!(cache_level(&a.ok("get_data", get.clone()).await), "miss");
    assert_eq!(cache_level(&a.ok("get_data", get.clone()).await), "l1");
    // The other process has an empty L1 but finds A's entry in Redis.
    assert_eq!(cache_level(&b.ok("get_data", get.clone()).await), "l2");
    assert_eq!(cache_level(&b.ok("get_data", get.clone()).await), "l1");

    // A write through A invalidates B's L1 and the shared L2: B's next read is fresh.
    a.ok("update_data", json!({"id": id, "data": {"qty": 2}})).await;
    let fresh = b.ok("get_data", get.clone()).await;
    assert_eq!(cache_level(&fresh), "miss");
    assert_eq!(fresh["structuredContent"]["data"]["qty"], 2);

    let query = json!({"collection": items, "max_rows": 10});
    assert_eq!(cache_level(&b.ok("data_query", query.clone()).await), "miss");
    assert_eq!(cache_level(&a.ok("data_query", query.clone()).await), "l2");
    b.ok("delete_data", json!({"id": id})).await;
    let after = a.ok("data_query", query).await;
    assert_eq!(cache_level(&after), "miss");
    assert_eq!(after["structuredContent"]["rows"], json!([]));
    assert_eq!(a.tool("get_data", get).await["isError"], true, "deleted record is gone");
}

/// A TCP port with nothing listening (bound, then released).
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

const FAST_BREAKER: [&str; 6] = ["--breaker-failures", "2", "--breaker-open-ms", "300", "--redis-timeout-ms", "200"];

#[tokio::test]
async fn redis_down_degrades_to_store_reads() {
    let redis = format!("redis://127.0.0.1:{}", closed_port());
    let db = env("MCP_TEST_DATABASE_URL");
    let mut args = vec!["--redis-url", redis.as_str()];
    args.extend(FAST_BREAKER);
    if let Some(db) = &db {
        args.extend(["--database-url", db.as_str()]);
    } else {
        eprintln!("note: redis_down_degrades_to_store_reads uses the in-memory store (MCP_TEST_DATABASE_URL unset)");
    }
    let mut client = Client::start(&args).await;
    let created = client.ok("create_data", json!({"collection": collection("degrade"), "data": {"qty": 1}})).await;
    let id = created["structuredContent"]["id"].as_str().expect("id").to_owned();
    for round in 0..5 {
        // A fresh generation each round defeats L1, so every read reaches L2 (or its breaker).
        client.ok("update_data", json!({"id": id, "data": {"round": round}})).await;
        let got = client.ok("get_data", json!({"id": id})).await;
        assert_eq!(cache_level(&got), "miss");
        assert_eq!(got["structuredContent"]["data"]["round"], round);
    }
    let health = client.health().await;
    assert_eq!(health["store"]["status"], "ok", "{health}");
    assert_eq!(health["cache"]["kind"], "lru+redis", "{health}");
    assert_eq!(health["cache"]["breaker"], "open", "{health}");
    assert_eq!(health["cache"]["status"], "down", "{health}");
    assert_eq!(health["status"], "degraded", "{health}");
    assert!(health["cache"]["lastError"].is_string(), "{health}");
    assert!(health["cache"]["errors"].as_u64() >= Some(2), "{health}");
}

#[tokio::test]
async fn redis_outage_then_recovery_closes_the_breaker() {
    let Some(redis_server) = which("redis-server") else {
        eprintln!("SKIPPED redis_outage_then_recovery_closes_the_breaker: no redis-server on PATH");
        return;
    };
    let port = closed_port();
    let url = format!("redis://127.0.0.1:{port}");
    let mut args = vec!["--redis-url", url.as_str()];
    args.extend(FAST_BREAKER);
    let mut client = Client::start(&args).await;
    let created = client.ok("create_data", json!({"collection": "recovery", "data": {"qty": 1}})).await;
    let id = created["structuredContent"]["id"].as_str().expect("id").to_owned();
    for _ in 0..3 {
        client.ok("update_data", json!({"id": id, "data": {}})).await;
        client.ok("get_data", json!({"id": id})).await;
    }
    assert_eq!(client.health().await["cache"]["breaker"], "open");

    let mut redis = tokio::process::Command::new(redis_server)
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn redis-server");
    // The health probe doubles as the half-open probe once the open period has passed.
    let mut health = Value::Null;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        health = client.health().await;
        if health["cache"]["breaker"] == "closed" {
            break;
        }
    }
    assert_eq!(health["cache"]["breaker"], "closed", "{health}");
    assert_eq!(health["cache"]["status"], "ok", "{health}");
    assert!(health["cache"]["breakerTransitions"].as_u64() >= Some(3), "{health}");
    client.ok("update_data", json!({"id": id, "data": {"qty": 2}})).await;
    assert_eq!(cache_level(&client.ok("get_data", json!({"id": id})).await), "miss");
    assert_eq!(cache_level(&client.ok("get_data", json!({"id": id})).await), "l1");
    let _ = redis.kill().await;
}

fn which(binary: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| std::path::Path::new(dir).join(binary))
        .find(|path| path.is_file())
}

/// Sensitive fields are ciphertext in the Postgres row, plaintext in answers, readable after a restart with the same
/// `MCP_REFERENCE_DATA_KEY`, and a tool error (not garbage) under another key. Runs against `MCP_TEST_DATABASE_URL`,
/// or a Postgres container with `MCP_HARNESS_TEST_DOCKER=1`.
#[tokio::test]
async fn postgres_rows_hold_only_ciphertext_of_sensitive_fields() {
    let test = "postgres_rows_hold_only_ciphertext_of_sensitive_fields";
    let (_container, db) = match env("MCP_TEST_DATABASE_URL") {
        Some(url) => (None, url),
        None if common::containers::docker_enabled() => {
            let (container, url) = common::containers::postgres().await;
            (Some(container), url)
        }
        None => {
            eprintln!("SKIPPED {test}: set MCP_TEST_DATABASE_URL, or MCP_HARNESS_TEST_DOCKER=1 with a Docker engine");
            return;
        }
    };
    const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    let args = ["--database-url", db.as_str(), "--data-key", KEY];
    let mut client = Client::start(&args).await;
    let created = client
        .ok("create_data", json!({"collection": collection("sealed"), "data": {"secret": "hunter2", "qty": 1}}))
        .await;
    assert_eq!(created["structuredContent"]["data"]["secret"], "hunter2");
    let id = created["structuredContent"]["id"].as_str().expect("id").to_owned();

    let (rows, connection) = tokio_postgres::connect(&db, tokio_postgres::NoTls).await.expect("connect to Postgres");
    tokio::spawn(connection);
    let row = rows.query_one("SELECT data FROM mcp_records WHERE id = $1", &[&id]).await.expect("the row");
    let data: Value = row.get(0);
    let at_rest = data["secret"].as_str().expect("a sealed string");
    assert!(at_rest.starts_with("enc:v1:") && !at_rest.contains("hunter2"), "{at_rest}");
    assert_eq!(data["qty"], 1);
    assert!(!row.get::<_, Value>(0).to_string().contains("hunter2"));
    drop(client);

    let mut same_key = Client::start(&args).await;
    assert_eq!(same_key.ok("get_data", json!({"id": id})).await["structuredContent"]["data"]["secret"], "hunter2");
    drop(same_key);
    let other_key = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=";
    let mut wrong = Client::start(&["--database-url", db.as_str(), "--data-key", other_key]).await;
    let refused = wrong.tool("get_data", json!({"id": id})).await;
    assert_eq!(refused["isError"], true, "{refused}");
    assert!(refused["content"][0]["text"].as_str().unwrap_or("").contains("`secret`"), "{refused}");
}
