//! The OAuth 2.1 resource server (`--auth-jwks`) over real HTTP on 127.0.0.1: token validation, challenges,
//! scopes, the protected resource metadata, session binding, revocation and the JWKS from a URL.
//!
//! Tokens are signed by an RSA key generated here (never committed). The Redis-backed revocation test runs with
//! `MCP_HARNESS_TEST_DOCKER=1` (a Redis container through testcontainers, image `MCP_HARNESS_REDIS_IMAGE`,
//! default `redis:7`) or `MCP_TEST_REDIS_URL`; otherwise it says `NOT RUN` and passes.

mod common;

use std::{
    sync::{Arc, Mutex, OnceLock},
    time::{SystemTime, UNIX_EPOCH},
};

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use common::{HttpServer, initialize, modern_meta, request, response};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rsa::{RsaPrivateKey, pkcs1::EncodeRsaPrivateKey as _, traits::PublicKeyParts as _};
use serde_json::{Value, json};

const ISSUER: &str = "https://auth.test.example";
const KID: &str = "test-key-1";
const V25: (&str, &str) = ("mcp-protocol-version", "2025-11-25");

/// The test's signing key: generated once per test binary.
struct SigningKey {
    encoding: EncodingKey,
    n: String,
    e: String,
}

fn signing_key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| {
        let private = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).expect("RSA key");
        let der = private.to_pkcs1_der().expect("PKCS#1 DER");
        SigningKey {
            encoding: EncodingKey::from_rsa_der(der.as_bytes()),
            n: URL_SAFE_NO_PAD.encode(private.n().to_bytes_be()),
            e: URL_SAFE_NO_PAD.encode(private.e().to_bytes_be()),
        }
    })
}

/// A JWKS with the test key under each of `kids`.
fn jwks(kids: &[&str]) -> Value {
    let key = signing_key();
    let keys: Vec<Value> = kids
        .iter()
        .map(|kid| json!({"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256", "n": key.n, "e": key.e}))
        .collect();
    json!({ "keys": keys })
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// Claims of a valid token for `resource` with `scope`; tests override members.
fn claims(resource: &str, scope: &str) -> Value {
    let now = now();
    json!({
        "iss": ISSUER, "aud": resource, "sub": "alice", "scope": scope,
        "iat": now, "nbf": now - 5, "exp": now + 600,
        "jti": format!("jti-{}", rand_suffix()),
    })
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed) * 1_000_000 + u64::from(std::process::id())
}

fn sign_with_kid(claims: &Value, kid: &str) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.into());
    jsonwebtoken::encode(&header, claims, &signing_key().encoding).expect("sign")
}

fn sign(claims: &Value) -> String {
    sign_with_kid(claims, KID)
}

/// A server with authorization on, its JWKS in a file (kept alive with the server).
struct AuthServer {
    http: HttpServer,
    /// The resource URI tokens must name (`--auth-resource`, else the server's URL).
    resource: String,
    _jwks: tempfile::NamedTempFile,
}

impl AuthServer {
    async fn start(extra: &[&str]) -> Self {
        let file = tempfile::NamedTempFile::new().expect("temp file");
        std::fs::write(file.path(), jwks(&[KID]).to_string()).expect("write JWKS");
        let path = file.path().to_str().expect("UTF-8 path").to_owned();
        let mut args = vec!["--auth-jwks", path.as_str(), "--auth-issuer", ISSUER];
        args.extend_from_slice(extra);
        let http = HttpServer::spawn(&args).await;
        let explicit = extra.iter().position(|a| *a == "--auth-resource").map(|i| extra[i + 1].to_owned());
        let resource = explicit.unwrap_or_else(|| http.url.clone());
        Self { http, resource, _jwks: file }
    }

    fn resource(&self) -> &str {
        &self.resource
    }

    /// RFC 9728 §3.1: the well-known prefix between the resource's host and path.
    fn metadata_url(&self) -> String {
        let after_scheme = self.resource.find("://").expect("absolute URL") + 3;
        let path_start = self.resource[after_scheme..].find('/').map_or(self.resource.len(), |i| after_scheme + i);
        let (origin, path) = self.resource.split_at(path_start);
        format!("{origin}/.well-known/oauth-protected-resource{path}")
    }

    async fn post(&self, body: &Value, token: Option<&str>, extra: &[(&str, &str)]) -> reqwest::Response {
        let bearer = token.map(|t| format!("Bearer {t}"));
        let mut headers: Vec<(&str, &str)> = extra.to_vec();
        if let Some(bearer) = &bearer {
            headers.push(("authorization", bearer));
        }
        self.http.post(&body.to_string(), &headers).await
    }

    fn token(&self, scope: &str) -> String {
        sign(&claims(self.resource(), scope))
    }
}

/// The headers of a 2026-07-28 `tools/call` of `tool`.
fn modern_headers(tool: &str) -> [(&str, &str); 3] {
    [("mcp-protocol-version", "2026-07-28"), ("mcp-method", "tools/call"), ("mcp-name", tool)]
}

fn www_authenticate(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().expect("ASCII challenge").to_owned())
        .unwrap_or_default()
}

/// Asserts a 401 whose challenge names the metadata and, for a presented token, `invalid_token`.
fn assert_unauthorized(response: &reqwest::Response, server: &AuthServer, token_presented: bool, case: &str) {
    assert_eq!(response.status(), 401, "{case}");
    let challenge = www_authenticate(response);
    assert!(challenge.starts_with("Bearer "), "{case}: {challenge}");
    assert!(challenge.contains(&format!("resource_metadata=\"{}\"", server.metadata_url())), "{case}: {challenge}");
    if token_presented {
        assert!(challenge.contains("error=\"invalid_token\""), "{case}: {challenge}");
        assert!(challenge.contains("error_description=\""), "{case}: {challenge}");
    } else {
        assert_eq!(challenge, format!("Bearer resource_metadata=\"{}\"", server.metadata_url()), "{case}");
    }
}

/// Asserts a 403 `insufficient_scope` naming exactly `scope`.
fn assert_insufficient(response: &reqwest::Response, server: &AuthServer, scope: &str, case: &str) {
    assert_eq!(response.status(), 403, "{case}");
    let challenge = www_authenticate(response);
    assert!(challenge.starts_with("Bearer error=\"insufficient_scope\""), "{case}: {challenge}");
    assert!(challenge.contains(&format!("scope=\"{scope}\"")), "{case}: {challenge}");
    assert!(challenge.contains(&format!("resource_metadata=\"{}\"", server.metadata_url())), "{case}: {challenge}");
}

#[tokio::test]
async fn a_valid_token_is_served_and_every_invalid_one_gets_401() {
    let server = AuthServer::start(&[]).await;
    let init = initialize(1, "2025-11-25");
    let ok = server.post(&init, Some(&server.token("mcp:read")), &[]).await;
    assert_eq!(ok.status(), 200);
    assert_eq!(response(ok).await["result"]["protocolVersion"], "2025-11-25");
    // The stateless era too.
    let echo = request(2, "tools/call", json!({"name": "echo", "arguments": {"message": "m"}, "_meta": modern_meta()}));
    let ok = server.post(&echo, Some(&server.token("mcp:read")), &modern_headers("echo")).await;
    assert_eq!(ok.status(), 200);
    assert_eq!(response(ok).await["result"]["content"][0]["text"], "m");

    assert_unauthorized(&server.post(&init, None, &[]).await, &server, false, "no token");
    let basic = server.post(&init, None, &[("authorization", "Basic dXNlcjpwdw==")]).await;
    assert_unauthorized(&basic, &server, false, "another scheme");

    let resource = server.resource().to_owned();
    let valid = claims(&resource, "mcp:read");
    let with = |member: &str, value: Value| {
        let mut claims = valid.clone();
        claims[member] = value;
        claims
    };
    let without = |member: &str| {
        let mut claims = valid.clone();
        claims.as_object_mut().unwrap().remove(member);
        claims
    };
    let segment = |value: &Value| URL_SAFE_NO_PAD.encode(value.to_string());
    let alg_none = format!("{}.{}.", segment(&json!({"alg": "none", "typ": "JWT"})), segment(&valid));
    let mut hs256_header = Header::new(Algorithm::HS256);
    hs256_header.kid = Some(KID.into());
    let hs256 = jsonwebtoken::encode(&hs256_header, &valid, &EncodingKey::from_secret(signing_key().n.as_bytes()))
        .expect("HS256");
    let good = sign(&valid);
    let (signed, signature) = good.rsplit_once('.').unwrap();
    let mut tampered: Vec<u8> = signature.bytes().collect();
    tampered[10] = if tampered[10] == b'A' { b'B' } else { b'A' };
    let bad_signature = format!("{signed}.{}", String::from_utf8(tampered).unwrap());
    let (header, _) = good.split_once('.').unwrap();
    let swapped_payload = format!("{header}.{}.{signature}", segment(&with("sub", json!("mallory"))));
    let now = now();
    let cases: Vec<(&str, String)> = vec![
        ("garbage", "garbage".into()),
        ("alg none", alg_none),
        ("HS256 with the public modulus as secret", hs256),
        ("bad signature", bad_signature),
        ("payload swapped under a valid signature", swapped_payload),
        ("expired", sign(&with("exp", json!(now - 120)))),
        ("nbf in the future", sign(&with("nbf", json!(now + 300)))),
        ("wrong audience", sign(&with("aud", json!("http://127.0.0.1:1/mcp")))),
        ("audience array without us", sign(&with("aud", json!(["https://other.example/mcp"])))),
        ("wrong issuer", sign(&with("iss", json!("https://evil.example")))),
        ("no exp", sign(&without("exp"))),
        ("no aud", sign(&without("aud"))),
        ("unknown kid", sign_with_kid(&valid, "another-key")),
    ];
    for (case, token) in &cases {
        assert_unauthorized(&server.post(&init, Some(token), &[]).await, &server, true, case);
    }
    let array_audience = sign(&with("aud", json!(["https://other.example/mcp", resource])));
    assert_eq!(server.post(&init, Some(&array_audience), &[]).await.status(), 200, "aud array containing us");

    // A token in the query string is refused even alongside a valid header, and never reaches the service.
    let in_query = server
        .http
        .client
        .post(format!("{}?access_token={good}", server.resource()))
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("authorization", format!("Bearer {good}"))
        .body(init.to_string())
        .send()
        .await
        .unwrap();
    assert_unauthorized(&in_query, &server, true, "query-string token");

    let twice = server.post(&init, Some(&good), &[("authorization", "Bearer another")]).await;
    assert_unauthorized(&twice, &server, true, "two Authorization headers");
    let empty = server.post(&init, None, &[("authorization", "Bearer")]).await;
    assert_unauthorized(&empty, &server, true, "an empty bearer token");
    let only_in_query = server
        .http
        .client
        .post(format!("{}?token={good}", server.resource()))
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(init.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(only_in_query.status(), 401, "a token only in the query string");
    assert!(!only_in_query.text().await.unwrap().contains(&good), "the token is not reflected");

    // Host/Origin come first: a foreign Origin is 403 whatever the token.
    let foreign = server.post(&init, None, &[("origin", "https://evil.example")]).await;
    assert_eq!(foreign.status(), 403);
    assert!(www_authenticate(&foreign).is_empty(), "not an authorization refusal");

    // GET (SSE) and DELETE need a token as well.
    let get = server.http.client.get(server.resource()).header("accept", "text/event-stream").send().await.unwrap();
    assert_unauthorized(&get, &server, false, "GET without token");
    let delete = server.http.client.delete(server.resource()).header("mcp-session-id", "x").send().await.unwrap();
    assert_unauthorized(&delete, &server, false, "DELETE without token");
}

#[tokio::test]
async fn scopes_decide_what_a_valid_token_may_do() {
    let server = AuthServer::start(&[]).await;
    let init = initialize(1, "2025-11-25");
    let zero = server.token("");
    assert_insufficient(&server.post(&init, Some(&zero), &[]).await, &server, "mcp:read", "zero scopes");
    let unknown_only = server.token("profile email");
    assert_insufficient(&server.post(&init, Some(&unknown_only), &[]).await, &server, "mcp:read", "other scopes");

    let reader = server.token("mcp:read");
    let write_2026 = request(
        2,
        "tools/call",
        json!({"name": "create_data", "arguments": {"collection": "c", "data": {}}, "_meta": modern_meta()}),
    );
    let meta = modern_headers("create_data");
    let sum_headers = modern_headers("get-sum");
    assert_insufficient(
        &server.post(&write_2026, Some(&reader), &meta).await,
        &server,
        "mcp:read mcp:write",
        "read scope calling a write tool",
    );
    let mut read_2026 =
        request(3, "tools/call", json!({"name": "get-sum", "arguments": {"a": 1, "b": 2}, "_meta": modern_meta()}));
    let sum = server.post(&read_2026, Some(&reader), &sum_headers).await;
    assert_eq!(sum.status(), 200, "a read-only tool needs mcp:read only");
    assert_eq!(response(sum).await["result"]["isError"], false);

    let writer = server.token("mcp:read mcp:write");
    let created = server.post(&write_2026, Some(&writer), &meta).await;
    assert_eq!(created.status(), 200);
    assert_eq!(response(created).await["result"]["isError"], false);

    // Roles map onto scopes.
    let mut role_claims = claims(server.resource(), "");
    role_claims["roles"] = json!(["writer"]);
    assert_eq!(server.post(&write_2026, Some(&sign(&role_claims)), &meta).await.status(), 200, "writer role");
    role_claims["roles"] = json!(["reader"]);
    let role_reader = sign(&role_claims);
    assert_insufficient(
        &server.post(&write_2026, Some(&role_reader), &meta).await,
        &server,
        "mcp:read mcp:write",
        "reader role",
    );
    read_2026["id"] = json!(4);
    assert_eq!(server.post(&read_2026, Some(&role_reader), &sum_headers).await.status(), 200, "reader role reads");
    // A write-only token still needs mcp:read for everything.
    let write_only = server.token("mcp:write");
    assert_insufficient(
        &server.post(&write_2026, Some(&write_only), &meta).await,
        &server,
        "mcp:read mcp:write",
        "write only",
    );
}

#[tokio::test]
async fn protected_resource_metadata_is_served_unauthenticated() {
    let server = AuthServer::start(&[]).await;
    for path in ["/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"] {
        let reply = server.http.client.get(format!("{}{path}", server.http.base())).send().await.unwrap();
        assert_eq!(reply.status(), 200, "{path}");
        let document: Value = reply.json().await.unwrap();
        assert_eq!(document["resource"], server.resource(), "{path}");
        assert_eq!(document["authorization_servers"], json!([ISSUER]));
        assert_eq!(document["scopes_supported"], json!(["mcp:read", "mcp:write", "mcp:admin"]));
        assert_eq!(document["bearer_methods_supported"], json!(["header"]));
        assert!(document["resource_name"].is_string());
    }
    // Without --auth-jwks there is no metadata, and no token is needed.
    let open = HttpServer::spawn(&[]).await;
    let reply =
        open.client.get(format!("{}/.well-known/oauth-protected-resource/mcp", open.base())).send().await.unwrap();
    assert_eq!(reply.status(), 404);
    assert_eq!(open.post(&initialize(1, "2025-11-25").to_string(), &[]).await.status(), 200);
}

#[tokio::test]
async fn an_explicit_resource_is_the_audience_and_names_the_metadata() {
    let resource = "https://mcp.example.com/tenant/mcp";
    let server = AuthServer::start(&["--auth-resource", resource, "--allowed-host", "mcp.example.com"]).await;
    let init = initialize(1, "2025-11-25");
    let ours = sign(&claims(resource, "mcp:read"));
    assert_eq!(server.post(&init, Some(&ours), &[]).await.status(), 200);
    let local = sign(&claims(&server.http.url, "mcp:read"));
    let refused = server.post(&init, Some(&local), &[]).await;
    assert_eq!(refused.status(), 401);
    assert!(
        www_authenticate(&refused)
            .contains("resource_metadata=\"https://mcp.example.com/.well-known/oauth-protected-resource/tenant/mcp\""),
        "{}",
        www_authenticate(&refused)
    );
    let reply = server
        .http
        .client
        .get(format!("{}/.well-known/oauth-protected-resource/tenant/mcp", server.http.base()))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.json::<Value>().await.unwrap()["resource"], resource);
}

#[tokio::test]
async fn a_session_belongs_to_the_principal_that_opened_it() {
    let server = AuthServer::start(&[]).await;
    let alice = server.token("mcp:read");
    let mut bob_claims = claims(server.resource(), "mcp:read");
    bob_claims["sub"] = json!("bob");
    let bob = sign(&bob_claims);
    let mut other_issuer_alice = claims(server.resource(), "mcp:read");
    other_issuer_alice["iss"] = json!("https://other-as.example");

    let opened = server.post(&initialize(1, "2025-11-25"), Some(&alice), &[]).await;
    assert_eq!(opened.status(), 200);
    let session = opened.headers().get("mcp-session-id").expect("session id").to_str().unwrap().to_owned();
    let headers = [V25, ("mcp-session-id", session.as_str())];
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    assert_eq!(server.post(&initialized, Some(&alice), &headers).await.status(), 202);

    let ping = request(2, "ping", json!({}));
    let stolen = server.post(&ping, Some(&bob), &headers).await;
    assert_eq!(stolen.status(), 404, "another principal's token with alice's session");
    let stolen_delete = server
        .http
        .client
        .delete(server.resource())
        .header("mcp-session-id", &session)
        .header("authorization", format!("Bearer {bob}"))
        .send()
        .await
        .unwrap();
    assert_eq!(stolen_delete.status(), 404);
    let mine = server.post(&ping, Some(&server.token("mcp:read")), &headers).await;
    assert_eq!(mine.status(), 200, "alice again, with a fresh token");
    assert!(response(mine).await["result"].is_object());

    let deleted = server
        .http
        .client
        .delete(server.resource())
        .header("mcp-session-id", &session)
        .header("authorization", format!("Bearer {alice}"))
        .header(V25.0, V25.1)
        .send()
        .await
        .unwrap();
    assert!(deleted.status().is_success());
}

async fn revoke(server: &AuthServer, bearer: Option<&str>, token: &str) -> reqwest::Response {
    let mut request = server.http.client.post(format!("{}/oauth/revoke", server.http.base())).form(&[("token", token)]);
    if let Some(bearer) = bearer {
        request = request.bearer_auth(bearer);
    }
    request.send().await.unwrap()
}

/// Revokes a reader's token through `revoking` and checks it is refused by every server of `checking`.
async fn revocation_round(revoking: &AuthServer, checking: &[&AuthServer]) {
    let init = initialize(1, "2025-11-25");
    let reader = revoking.token("mcp:read");
    for server in checking {
        assert_eq!(server.post(&init, Some(&reader), &[]).await.status(), 200);
    }
    let by_reader = revoke(revoking, Some(&reader), &reader).await;
    assert_insufficient(&by_reader, revoking, "mcp:admin", "a reader cannot revoke");
    let unauthenticated = revoke(revoking, None, &reader).await;
    assert_eq!(unauthenticated.status(), 401);

    let admin = revoking.token("mcp:read mcp:write mcp:admin");
    assert_eq!(revoke(revoking, Some(&admin), &reader).await.status(), 200);
    assert_eq!(revoke(revoking, Some(&admin), "not-a-token").await.status(), 200, "RFC 7009: still 200");
    for server in checking {
        let refused = server.post(&init, Some(&reader), &[]).await;
        assert_unauthorized(&refused, server, true, "revoked token");
        assert!(www_authenticate(&refused).contains("revoked"), "{}", www_authenticate(&refused));
    }
    let other_reader = revoking.token("mcp:read");
    assert_eq!(checking[0].post(&init, Some(&other_reader), &[]).await.status(), 200, "other tokens unaffected");
}

#[tokio::test]
async fn revoked_tokens_are_refused_memory_store() {
    let server = AuthServer::start(&[]).await;
    revocation_round(&server, &[&server]).await;
}

#[tokio::test]
async fn revoked_tokens_are_refused_by_every_server_sharing_redis() {
    let redis_url = std::env::var("MCP_TEST_REDIS_URL").ok().filter(|u| !u.is_empty());
    let docker = common::containers::docker_enabled();
    let (_container, url) = match (redis_url, docker) {
        (Some(url), _) => (None, url),
        (None, true) => {
            let (container, url) = common::containers::redis().await;
            (Some(container), url)
        }
        (None, false) => {
            use std::io::Write as _;
            let _ = writeln!(
                std::io::stderr(),
                "auth::revoked_tokens_are_refused_by_every_server_sharing_redis: NOT RUN (passes without testing \
                 anything): set MCP_HARNESS_TEST_DOCKER=1 (Docker engine, image MCP_HARNESS_REDIS_IMAGE) or \
                 MCP_TEST_REDIS_URL"
            );
            return;
        }
    };
    // Both servers trust the same key set and issuer, and name one resource, as replicas behind a load balancer.
    let resource = "http://127.0.0.1/mcp";
    let first = AuthServer::start(&["--redis-url", &url, "--auth-resource", resource]).await;
    let second = AuthServer::start(&["--redis-url", &url, "--auth-resource", resource]).await;
    revocation_round(&first, &[&first, &second]).await;
}

/// A revocation list that cannot be asked refuses requests (503) rather than let a revoked token through.
#[tokio::test]
async fn an_unreachable_redis_denylist_fails_closed() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
        listener.local_addr().unwrap().port()
    };
    let redis = format!("redis://127.0.0.1:{port}");
    let server = AuthServer::start(&["--redis-url", &redis, "--redis-timeout-ms", "200"]).await;
    let refused = server.post(&initialize(1, "2025-11-25"), Some(&server.token("mcp:read")), &[]).await;
    assert_eq!(refused.status(), 503);
    assert!(refused.headers().contains_key("retry-after"));
    // Without a token the answer is still 401: nothing needs the list.
    assert_eq!(server.post(&initialize(1, "2025-11-25"), None, &[]).await.status(), 401);
}

/// A JWKS served over HTTP by the test, whose keys can change while the server runs.
async fn serve_jwks(document: Arc<Mutex<Value>>) -> String {
    let app = axum::Router::new().route(
        "/jwks.json",
        axum::routing::get(move || {
            let document = document.clone();
            async move { axum::Json(document.lock().unwrap().clone()) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[tokio::test]
async fn the_jwks_comes_from_a_url_and_is_fetched_again_for_an_unknown_kid() {
    let document = Arc::new(Mutex::new(jwks(&[KID])));
    let url = serve_jwks(document.clone()).await;
    let server = HttpServer::spawn(&["--auth-jwks", &url, "--auth-issuer", ISSUER]).await;
    let init = initialize(1, "2025-11-25").to_string();
    let bearer = |token: String| format!("Bearer {token}");
    let token = bearer(sign(&claims(&server.url, "mcp:read")));
    assert_eq!(server.post(&init, &[("authorization", &token)]).await.status(), 200);

    // The authorization server rotates to a new key id: the first token under it makes the server fetch again.
    *document.lock().unwrap() = jwks(&[KID, "rotated"]);
    let rotated = bearer(sign_with_kid(&claims(&server.url, "mcp:read"), "rotated"));
    assert_eq!(server.post(&init, &[("authorization", &rotated)]).await.status(), 200);
    assert_eq!(server.post(&init, &[("authorization", &token)]).await.status(), 200);
}

#[tokio::test]
async fn a_jwks_that_cannot_be_read_stops_the_server_at_start() {
    let output = tokio::process::Command::new(common::BIN)
        .args(["--transport", "http", "--auth-jwks", "/nonexistent/jwks.json", "--auth-issuer", ISSUER])
        .output()
        .await
        .expect("run");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--auth-jwks") && stderr.contains("/nonexistent/jwks.json"), "{stderr}");
}

#[tokio::test]
async fn auth_flags_are_a_usage_error_with_stdio() {
    let output = tokio::process::Command::new(common::BIN)
        .args(["--auth-jwks", "jwks.json", "--auth-issuer", ISSUER])
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--transport http"), "{stderr}");
    let output = tokio::process::Command::new(common::BIN)
        .args(["--transport", "http", "--auth-jwks", "jwks.json"])
        .output()
        .await
        .expect("run");
    assert_eq!(output.status.code(), Some(2), "--auth-jwks needs --auth-issuer");
}
