//! The OAuth client against a local authorization server and a protected MCP endpoint (a bearer-checking proxy
//! in front of the reference server): the discovery chain, the `resource` parameter, the token on every request,
//! renewal at expiry and after a rejection, no secret anywhere, and refused metadata URLs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use mcp_harness::oauth::{OAuthClient, OAuthConfig};
use mcp_harness::wire::tls::TlsOptions;
use mcp_harness::wire::{HttpRequest, HttpTarget, HttpWire, Limits, Transcript};
use serde_json::{Value, json};

mod common;

use common::tls::ReferenceServer;
use common::{code, harness_with, stderr};

const CLIENT_ID: &str = "harness-client";
const SECRET: &str = "s3cret-client-secret-value";
const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;

/// What the authorization server saw and issued.
#[derive(Default)]
struct Ledger {
    metadata_fetches: Vec<String>,
    /// `(grant_type, resource)` of every accepted token request.
    grants: Vec<(String, String)>,
    /// Issued access tokens and when they expire.
    tokens: HashMap<String, Instant>,
    /// Every access and refresh token ever issued.
    issued: Vec<String>,
    authorized: u32,
    rejected: u32,
    /// The protected endpoint refuses every token (as if the grants were for another audience).
    reject_all: bool,
}

#[derive(Clone)]
struct Servers {
    ledger: Arc<Mutex<Ledger>>,
    issuer: String,
    resource: String,
    /// What the protected resource's metadata names as its authorization server.
    named_server: String,
    upstream: String,
    lifetime: u64,
    client: Client<HttpConnector, Body>,
}

/// Starts the authorization server (issuer `…/tenant`, RFC 8414 path-inserted metadata, `client_secret_post`) and
/// the protected endpoint proxying to `upstream`. `named_server` replaces the issuer in the resource metadata.
async fn start(upstream: &str, lifetime: u64, named_server: Option<&str>) -> Servers {
    let as_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let rs_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}/tenant", as_listener.local_addr().unwrap());
    let servers = Servers {
        ledger: Arc::default(),
        issuer: issuer.clone(),
        resource: format!("http://{}/mcp", rs_listener.local_addr().unwrap()),
        named_server: named_server.map_or(issuer, str::to_owned),
        upstream: upstream.to_owned(),
        lifetime,
        client: Client::builder(TokioExecutor::new()).build_http(),
    };
    let authorization = Router::new()
        .route("/.well-known/oauth-authorization-server/tenant", get(server_metadata))
        .route("/tenant/token", post(token))
        .with_state(servers.clone());
    let protected = Router::new()
        .route("/.well-known/oauth-protected-resource/mcp", get(resource_metadata))
        .route("/mcp", any(protected_mcp))
        .with_state(servers.clone());
    tokio::spawn(async move { axum::serve(as_listener, authorization).await });
    tokio::spawn(async move { axum::serve(rs_listener, protected).await });
    servers
}

async fn server_metadata(State(s): State<Servers>) -> Response {
    s.ledger.lock().unwrap().metadata_fetches.push("authorization-server".into());
    axum::Json(json!({
        "issuer": s.issuer,
        "token_endpoint": format!("{}/token", s.issuer),
        "token_endpoint_auth_methods_supported": ["client_secret_post"],
        "grant_types_supported": ["client_credentials", "refresh_token"],
    }))
    .into_response()
}

async fn resource_metadata(State(s): State<Servers>) -> Response {
    s.ledger.lock().unwrap().metadata_fetches.push("protected-resource".into());
    axum::Json(json!({"resource": s.resource, "authorization_servers": [s.named_server]})).into_response()
}

async fn token(State(s): State<Servers>, axum::Form(form): axum::Form<HashMap<String, String>>) -> Response {
    let field = |k: &str| form.get(k).cloned().unwrap_or_default();
    if field("client_id") != CLIENT_ID || field("client_secret") != SECRET {
        return (StatusCode::UNAUTHORIZED, axum::Json(json!({"error": "invalid_client"}))).into_response();
    }
    let mut ledger = s.ledger.lock().unwrap();
    let grant = field("grant_type");
    let known_refresh = ledger.issued.contains(&field("refresh_token"));
    if grant != "client_credentials" && !(grant == "refresh_token" && known_refresh) {
        return (StatusCode::BAD_REQUEST, axum::Json(json!({"error": "invalid_grant"}))).into_response();
    }
    if field("resource") != s.resource {
        return (StatusCode::BAD_REQUEST, axum::Json(json!({"error": "invalid_target"}))).into_response();
    }
    ledger.grants.push((grant, field("resource")));
    let n = ledger.grants.len();
    let (access, refresh) = (format!("access-{n}-{:x}", rand_u64()), format!("refresh-{n}-{:x}", rand_u64()));
    ledger.tokens.insert(access.clone(), Instant::now() + Duration::from_secs(s.lifetime));
    ledger.issued.extend([access.clone(), refresh.clone()]);
    axum::Json(
        json!({"access_token": access, "token_type": "Bearer", "expires_in": s.lifetime, "refresh_token": refresh}),
    )
    .into_response()
}

fn rand_u64() -> u64 {
    use std::hash::{BuildHasher as _, Hasher as _};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0);
    h.finish()
}

/// Checks the bearer token, then forwards the request to the reference server.
async fn protected_mcp(State(s): State<Servers>, request: Request) -> Response {
    let presented = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    let valid = {
        let mut ledger = s.ledger.lock().unwrap();
        let valid = !ledger.reject_all
            && presented.as_ref().and_then(|t| ledger.tokens.get(t)).is_some_and(|exp| Instant::now() < *exp);
        if valid {
            ledger.authorized += 1
        } else {
            ledger.rejected += 1
        }
        valid
    };
    if !valid {
        let challenge = format!(
            r#"Bearer error="invalid_token", resource_metadata="{}""#,
            s.resource.replace("/mcp", "/.well-known/oauth-protected-resource/mcp")
        );
        return Response::builder().status(401).header("www-authenticate", challenge).body(Body::empty()).unwrap();
    }
    let (mut parts, body) = request.into_parts();
    parts.uri = s.upstream.parse().unwrap();
    parts.headers.remove("authorization");
    parts.headers.remove("host");
    match s.client.request(http::Request::from_parts(parts, body)).await {
        Ok(response) => response.map(Body::new),
        Err(e) => (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
    }
}

fn oauth_target(url: &str) -> (HttpTarget, OAuthClient) {
    let config = OAuthConfig { client_id: CLIENT_ID.into(), client_secret: SECRET.into(), scope: None };
    let oauth = OAuthClient::new(config, TlsOptions::default());
    (HttpTarget { oauth: Some(oauth.clone()), ..HttpTarget::new(url) }, oauth)
}

#[tokio::test]
async fn a_401_runs_discovery_and_the_grant_and_the_token_is_renewed_at_expiry_and_after_a_rejection() {
    let upstream = ReferenceServer::start(&[]);
    let s = start(&upstream.url, 2, None).await;
    let (target, oauth) = oauth_target(&s.resource);
    let limits = Limits::default();
    let transcript = Transcript::new(&limits);
    let wire = HttpWire::new(target, &limits, transcript.clone()).unwrap();
    let send = || wire.send(HttpRequest::post(INITIALIZE), Duration::from_secs(10));

    assert_eq!(send().await.unwrap().status, 200);
    {
        let ledger = s.ledger.lock().unwrap();
        // The challenge's resource_metadata, then RFC 8414 metadata at the path-inserted URL.
        assert_eq!(ledger.metadata_fetches, ["protected-resource", "authorization-server"]);
        assert_eq!(ledger.grants, [("client_credentials".to_owned(), s.resource.clone())]);
        assert_eq!((ledger.rejected, ledger.authorized), (1, 1));
    }
    assert_eq!(send().await.unwrap().status, 200);
    assert_eq!(oauth.grants(), 1, "a fresh token is reused");

    // Past 80 % of its lifetime the token is renewed before use, with the refresh token.
    tokio::time::sleep(Duration::from_millis(1700)).await;
    assert_eq!(send().await.unwrap().status, 200);
    assert_eq!(oauth.grants(), 2);
    assert_eq!(s.ledger.lock().unwrap().grants[1].0, "refresh_token");

    // The server forgets every token: the 401 brings one new grant and the request is sent again.
    s.ledger.lock().unwrap().tokens.clear();
    assert_eq!(send().await.unwrap().status, 200);
    assert_eq!(oauth.grants(), 3);
    // … and again later: a token the target once accepted may be revoked any number of times.
    s.ledger.lock().unwrap().tokens.clear();
    assert_eq!(send().await.unwrap().status, 200);
    assert_eq!(oauth.grants(), 4);
    assert_eq!(s.ledger.lock().unwrap().metadata_fetches.len(), 2, "discovery runs once");

    // A request that sets or drops Authorization itself is sent as it is, without OAuth.
    let probe = HttpRequest::post(INITIALIZE).without_header("authorization");
    assert_eq!(wire.send(probe, Duration::from_secs(10)).await.unwrap().status, 401);
    assert_eq!(oauth.grants(), 4);

    // A target that rejects even a token just granted: one more grant, then the flow fails for good.
    s.ledger.lock().unwrap().reject_all = true;
    assert_eq!(send().await.unwrap().status, 401);
    assert_eq!(oauth.grants(), 5);
    let err = send().await.unwrap_err();
    assert!(err.to_string().contains("a token just granted"), "{err}");
    assert_eq!(send().await.unwrap_err().to_string(), err.to_string(), "the failure is kept");
    assert_eq!(oauth.grants(), 5);

    let text: String = transcript.entries().iter().map(|e| e.text.clone()).collect::<Vec<_>>().join("\n");
    assert!(text.contains("oauth: client-credentials grant"), "{text}");
    for secret in std::iter::once(SECRET.to_owned()).chain(s.ledger.lock().unwrap().issued.clone()) {
        assert!(!text.contains(&secret), "transcript shows {secret}");
    }
    assert!(!format!("{wire:?} {oauth:?}").contains(SECRET));
}

fn out_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("oauth").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn run_with_oauth(url: &str, dir: &Path) -> std::process::Output {
    let args = [
        "run",
        "--url",
        url,
        "--suite",
        "conformance",
        "--oauth-client-id",
        CLIENT_ID,
        "--oauth-client-secret-env",
        "TEST_OAUTH_SECRET",
        "--out",
        dir.to_str().unwrap(),
    ];
    harness_with(
        &args,
        |c| {
            c.env("TEST_OAUTH_SECRET", SECRET);
        },
        Duration::from_secs(240),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conformance_run_through_oauth_passes_and_its_report_holds_no_secret() {
    let upstream = ReferenceServer::start(&[]);
    let s = start(&upstream.url, 1, None).await;
    let dir = out_dir("conformance");
    let resource = s.resource.clone();
    let out = tokio::task::spawn_blocking({
        let dir = dir.clone();
        move || run_with_oauth(&resource, &dir)
    })
    .await
    .unwrap();
    let text = stderr(&out);
    assert_eq!(code(&out), 0, "{text}");
    let report_text = std::fs::read_to_string(dir.join("report.json")).unwrap();
    let report: Value = serde_json::from_str(&report_text).unwrap();
    assert_eq!(report["summary"]["errors"], 0, "{}", report["summary"]);
    assert!(report["summary"]["passed"].as_u64().unwrap() > 20);
    assert!(report["target"]["connection"].to_string().contains(CLIENT_ID));
    let ledger = s.ledger.lock().unwrap();
    assert!(ledger.authorized > 20 && !ledger.grants.is_empty(), "{} {:?}", ledger.authorized, ledger.grants);
    for secret in std::iter::once(SECRET.to_owned()).chain(ledger.issued.clone()) {
        assert!(!report_text.contains(&secret) && !text.contains(&secret), "{secret} leaked");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metadata_pointing_at_a_private_address_is_refused_and_reported_once() {
    let upstream = ReferenceServer::start(&[]);
    let s = start(&upstream.url, 60, Some("http://10.0.0.1/")).await;
    let dir = out_dir("private");
    let resource = s.resource.clone();
    let out = tokio::task::spawn_blocking({
        let dir = dir.clone();
        move || run_with_oauth(&resource, &dir)
    })
    .await
    .unwrap();
    let text = stderr(&out);
    assert_eq!(code(&out), 3, "{text}");
    let refusal = "refused to fetch http://10.0.0.1/.well-known/oauth-authorization-server: a private address";
    // The run's cause, the summary's one grouped line and the exit reason (twice): never once per check.
    let mentions = text.matches(refusal).count();
    assert!((1..=4).contains(&mentions), "{mentions} mentions:\n{text}");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["summary"]["errors"], report["summary"]["total"]);
    let ledger = s.ledger.lock().unwrap();
    assert!(ledger.grants.is_empty() && !ledger.metadata_fetches.contains(&"authorization-server".to_owned()));
}
