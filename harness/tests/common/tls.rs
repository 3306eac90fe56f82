//! Test certificates and a reference server over HTTPS, for the tests of `https://` targets.
#![allow(dead_code, reason = "each test crate uses a different part of this module")]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};

/// A CA and a server certificate it signed, for `localhost` and `127.0.0.1`, written as PEM files in `dir`.
pub struct TestCerts {
    /// The CA certificate (what `--ca-cert` takes).
    pub ca: PathBuf,
    /// The server's certificate chain.
    pub cert: PathBuf,
    /// The server's private key.
    pub key: PathBuf,
    /// The server's certificate and key in memory, for servers started inside the test.
    pub cert_pem: String,
    /// The server's private key, PEM.
    pub key_pem: String,
}

impl TestCerts {
    /// Generates a fresh CA and server certificate into `dir` (created when missing).
    pub fn generate(dir: &Path) -> TestCerts {
        std::fs::create_dir_all(dir).unwrap();
        let mut ca_params = CertificateParams::new(Vec::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.distinguished_name.push(DnType::CommonName, "mcp-harness test CA");
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_key = KeyPair::generate().unwrap();
        let ca_cert = ca_params.self_signed(&ca_key).unwrap();
        let issuer = Issuer::new(ca_params, ca_key);
        let mut params = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
        params.distinguished_name.push(DnType::CommonName, "localhost");
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &issuer).unwrap();
        let certs = TestCerts {
            ca: dir.join("ca.pem"),
            cert: dir.join("server.pem"),
            key: dir.join("server.key"),
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        };
        std::fs::write(&certs.ca, ca_cert.pem()).unwrap();
        std::fs::write(&certs.cert, &certs.cert_pem).unwrap();
        std::fs::write(&certs.key, &certs.key_pem).unwrap();
        certs
    }
}

/// The reference server (the harness binary re-executed) serving Streamable HTTP on a free loopback port; killed
/// when dropped.
pub struct ReferenceServer {
    child: Child,
    /// Its MCP endpoint, `http://127.0.0.1:PORT/mcp` or `https://…`.
    pub url: String,
}

impl ReferenceServer {
    /// Starts it with `extra` flags (e.g. `--tls-cert`, `--tls-key`) and waits for its "listening on" line.
    pub fn start(extra: &[&str]) -> ReferenceServer {
        let mut child = Command::new(super::HARNESS)
            .env("MCP_HARNESS_SERVE_REFERENCE", "1")
            .args(["--transport", "http", "--listen", "127.0.0.1:0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn the reference server");
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some((_, url)) = line.split_once("listening on ") {
                    let _ = tx.send(url.trim().to_owned());
                }
            }
        });
        let started = Instant::now();
        let url = loop {
            if let Ok(url) = rx.recv_timeout(Duration::from_millis(100)) {
                break url;
            }
            assert!(started.elapsed() < Duration::from_secs(30), "the reference server did not start");
        };
        ReferenceServer { child, url }
    }
}

impl Drop for ReferenceServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
