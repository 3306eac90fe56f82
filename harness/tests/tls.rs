//! `https://` targets: the reference server serves TLS with a certificate generated here (rcgen), and the harness
//! verifies it with `--ca-cert`, refuses it without, and accepts it — loudly — with `--insecure`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use mcp_harness::wire::tls::TlsOptions;
use mcp_harness::wire::{HttpRequest, HttpTarget, HttpWire, Limits, Transcript};
use serde_json::Value;

mod common;

use common::tls::{ReferenceServer, TestCerts};
use common::{code, harness, stderr};

const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;

fn out_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tls").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn read_report(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).expect("report.json")).unwrap()
}

/// Every check's id and outcome, sorted.
fn outcomes(report: &Value) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = report["suites"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["checks"].as_array().unwrap())
        .map(|c| (c["id"].as_str().unwrap().to_owned(), c["outcome"].as_str().unwrap().to_owned()))
        .collect();
    all.sort();
    all
}

fn wire(url: &str, tls: TlsOptions) -> HttpWire {
    let limits = Limits::default();
    HttpWire::new(HttpTarget { tls, ..HttpTarget::new(url) }, &limits, Transcript::new(&limits)).unwrap()
}

#[tokio::test]
async fn h2_is_negotiated_over_https_and_only_a_trusted_or_insecure_client_connects() {
    let certs = TestCerts::generate(&out_dir("wire-certs"));
    let tls_args = ["--tls-cert", certs.cert.to_str().unwrap(), "--tls-key", certs.key.to_str().unwrap()];
    let server = ReferenceServer::start(&tls_args);
    assert!(server.url.starts_with("https://127.0.0.1:"), "{}", server.url);
    let timeout = Duration::from_secs(10);

    let trusted = TlsOptions { ca_certs: vec![certs.ca.clone()], insecure: false };
    let reply = wire(&server.url, trusted).send(HttpRequest::post(INITIALIZE), timeout).await.unwrap();
    assert_eq!((reply.status, reply.version), (200, http::Version::HTTP_2));

    let err = wire(&server.url, TlsOptions::default()).send(HttpRequest::post(INITIALIZE), timeout).await.unwrap_err();
    assert!(err.is_connect(), "{err}");
    let message = err.to_string();
    assert!(message.contains("invalid peer certificate") && message.contains("--ca-cert"), "{message}");

    let insecure = TlsOptions { ca_certs: Vec::new(), insecure: true };
    let reply = wire(&server.url, insecure).send(HttpRequest::post(INITIALIZE), timeout).await.unwrap();
    assert_eq!(reply.status, 200);

    // The same client speaks HTTP/1.1 to a plain-HTTP server.
    let plain = ReferenceServer::start(&[]);
    let reply = wire(&plain.url, TlsOptions::default()).send(HttpRequest::post(INITIALIZE), timeout).await.unwrap();
    assert_eq!((reply.status, reply.version), (200, http::Version::HTTP_11));
}

#[test]
fn the_conformance_suite_over_https_gives_the_verdicts_it_gives_over_http() {
    let certs = TestCerts::generate(&out_dir("suite-certs"));
    let tls_args = ["--tls-cert", certs.cert.to_str().unwrap(), "--tls-key", certs.key.to_str().unwrap()];
    let https = ReferenceServer::start(&tls_args);
    let http = ReferenceServer::start(&[]);
    let limit = Duration::from_secs(240);

    let over_http = out_dir("suite-http");
    let out =
        harness(&["run", "--url", &http.url, "--suite", "conformance", "--out", over_http.to_str().unwrap()], limit);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let over_https = out_dir("suite-https");
    let ca = certs.ca.to_str().unwrap();
    let out = harness(
        &["run", "--url", &https.url, "--ca-cert", ca, "--suite", "conformance", "--out", over_https.to_str().unwrap()],
        limit,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let (a, b) = (read_report(&over_http), read_report(&over_https));
    assert_eq!(b["summary"]["errors"], 0, "{}", b["summary"]);
    assert!(b["summary"]["passed"].as_u64().unwrap() > 20, "{}", b["summary"]);
    assert_eq!(outcomes(&a), outcomes(&b));
    let notes = b["target"]["connection"].as_array().unwrap();
    assert!(notes.iter().any(|n| n.as_str().unwrap().contains("ca.pem")), "{notes:?}");
}

#[test]
fn an_untrusted_certificate_is_one_could_not_test_and_insecure_runs_flagged() {
    let certs = TestCerts::generate(&out_dir("untrusted-certs"));
    let tls_args = ["--tls-cert", certs.cert.to_str().unwrap(), "--tls-key", certs.key.to_str().unwrap()];
    let server = ReferenceServer::start(&tls_args);

    let dir = out_dir("untrusted");
    let out = harness(
        &["run", "--url", &server.url, "--suite", "conformance", "--out", dir.to_str().unwrap()],
        Duration::from_secs(120),
    );
    let text = stderr(&out);
    assert_eq!(code(&out), 3, "{text}");
    // As the cause of the run's "could not test" and in the summary's one grouped line: never once per check.
    let mentions = text.matches("invalid peer certificate").count();
    assert!((1..=4).contains(&mentions), "{mentions} mentions:\n{text}");
    assert!(text.contains(" checks — could not test: could not connect"), "{text}");
    assert!(text.contains("--ca-cert"), "{text}");
    let report = read_report(&dir);
    assert_eq!(report["summary"]["errors"], report["summary"]["total"]);

    let dir = out_dir("insecure");
    let out = harness(
        &["run", "--url", &server.url, "--insecure", "--suite", "conformance", "--out", dir.to_str().unwrap()],
        Duration::from_secs(240),
    );
    let text = stderr(&out);
    assert_eq!(code(&out), 0, "{text}");
    assert!(text.contains("warning: TLS: certificates NOT verified (--insecure)"), "{text}");
    let report = read_report(&dir);
    let notes = report["target"]["connection"].to_string();
    assert!(notes.contains("NOT verified"), "{notes}");
}

#[test]
fn tls_flags_on_a_plain_url_or_an_unreadable_ca_are_usage_errors() {
    let missing = out_dir("missing").join("nope.pem");
    for args in [
        vec!["run", "--url", "http://127.0.0.1:9/mcp", "--insecure"],
        vec!["run", "--url", "https://127.0.0.1:9/mcp", "--ca-cert", missing.to_str().unwrap()],
    ] {
        let out = harness(&args, Duration::from_secs(30));
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn the_load_generator_speaks_https_with_the_same_verification() {
    let certs = TestCerts::generate(&out_dir("load-certs"));
    let tls_args = ["--tls-cert", certs.cert.to_str().unwrap(), "--tls-key", certs.key.to_str().unwrap()];
    let server = ReferenceServer::start(&tls_args);
    let dir = out_dir("load");
    let args = [
        "run",
        "--url",
        &server.url,
        "--ca-cert",
        certs.ca.to_str().unwrap(),
        "--suite",
        "performance",
        "--rate",
        "100",
        "--duration",
        "2s",
        "--warmup",
        "500ms",
        "--out",
        dir.to_str().unwrap(),
    ];
    let out = harness(&args, Duration::from_secs(120));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let p = &read_report(&dir)["performance"];
    assert!(p["sent"].as_u64().unwrap() >= 150, "{p}");
    assert_eq!(p["errors"]["total"], 0, "{p}");
    assert_eq!(p["transport"], "http");
}
