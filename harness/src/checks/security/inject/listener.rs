//! The out-of-band canary: an HTTP listener on `127.0.0.1:<ephemeral>` that records which paths were asked for
//! (`../shared/reference/security-checks.md` §4.2 d). A payload names a path carrying a per-check nonce and its own
//! index, so a hit attributes to exactly one payload. The listener records only the path and the time of each
//! hit, answers `200 ok` (or a `302` to another listener: the redirect SSRF case) and never fetches anything.
//!
//! Bounded: at most [`MAX_HITS`] hits recorded, [`MAX_CONNECTIONS`] connections served, [`REQUEST_CAP`] bytes and
//! [`READ_WAIT`] per request; it stops when dropped.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// Hits recorded at most.
const MAX_HITS: usize = 64;
/// Connections served at most over the listener's life.
const MAX_CONNECTIONS: usize = 256;
/// Bytes of a request read at most (the request line is all that is kept).
const REQUEST_CAP: usize = 4096;
/// How long one connection may take to send its request line.
const READ_WAIT: Duration = Duration::from_secs(2);
/// Longest path kept.
const PATH_MAX: usize = 200;

/// One request the listener received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hit {
    /// The request target (path and query), clipped.
    pub path: String,
    /// When, since the listener started.
    pub after: Duration,
}

/// What the listener answers.
#[derive(Debug, Clone)]
enum Answer {
    /// `200 ok`.
    Ok,
    /// `302 Found` to this URL.
    Redirect(String),
}

/// A running canary listener; stops when dropped.
pub(crate) struct Canary {
    addr: SocketAddr,
    hits: Arc<Mutex<Vec<Hit>>>,
    task: JoinHandle<()>,
}

impl Canary {
    /// A listener answering `200 ok` to every request.
    pub async fn start() -> std::io::Result<Canary> {
        Canary::serve(Answer::Ok).await
    }

    /// A listener answering every request with a redirect to `to`.
    pub async fn redirecting(to: String) -> std::io::Result<Canary> {
        Canary::serve(Answer::Redirect(to)).await
    }

    async fn serve(answer: Answer) -> std::io::Result<Canary> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let hits = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&hits);
        let started = Instant::now();
        let task = tokio::spawn(async move {
            for _ in 0..MAX_CONNECTIONS {
                let Ok((stream, _)) = listener.accept().await else { break };
                let hits = Arc::clone(&recorded);
                let answer = answer.clone();
                tokio::spawn(async move {
                    if let Ok(Some(path)) = tokio::time::timeout(READ_WAIT, one(stream, &answer)).await {
                        let mut hits = hits.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                        if hits.len() < MAX_HITS {
                            hits.push(Hit { path, after: started.elapsed() });
                        }
                    }
                });
            }
        });
        Ok(Canary { addr, hits, task })
    }

    /// The port it listens on (on 127.0.0.1).
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port())
    }

    /// Every hit so far.
    pub fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// The hits whose path starts with `prefix`.
    pub fn hits_on(&self, prefix: &str) -> Vec<Hit> {
        self.hits().into_iter().filter(|h| h.path.starts_with(prefix)).collect()
    }
}

impl Drop for Canary {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves one connection: reads the request line (bounded), answers, returns the path.
async fn one(mut stream: TcpStream, answer: &Answer) -> Option<String> {
    let mut buf = Vec::with_capacity(512);
    let mut chunk = [0u8; 512];
    while !buf.windows(2).any(|w| w == b"\r\n") && buf.len() < REQUEST_CAP {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let line = String::from_utf8_lossy(&buf);
    // `GET /path HTTP/1.1`; a gopher client sends the selector alone.
    let mut words = line.lines().next()?.split_whitespace();
    let first = words.next()?;
    let path: String = words.next().unwrap_or(first).chars().take(PATH_MAX).collect();
    let reply = match answer {
        Answer::Ok => {
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".to_owned()
        }
        Answer::Redirect(to) => {
            format!("HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        }
    };
    let _ = stream.write_all(reply.as_bytes()).await;
    let _ = stream.shutdown().await;
    Some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn get(port: u16, path: &str) -> String {
        let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes()).await.unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        out
    }

    #[tokio::test]
    async fn records_paths_and_redirects() {
        let canary = Canary::start().await.unwrap();
        let redirect = Canary::redirecting(canary.url("/s-n-7")).await.unwrap();
        assert!(get(canary.port(), "/c-n-1").await.ends_with("ok"));
        let answer = get(redirect.port(), "/r").await;
        assert!(answer.starts_with("HTTP/1.1 302") && answer.contains(&canary.url("/s-n-7")), "{answer}");
        assert_eq!(canary.hits_on("/c-n-").len(), 1);
        assert!(canary.hits_on("/s-").is_empty(), "the listener itself never follows a redirect");
        assert_eq!(redirect.hits()[0].path, "/r");
        // A gopher client sends the selector alone.
        let mut s = TcpStream::connect(("127.0.0.1", canary.port())).await.unwrap();
        s.write_all(b"s-n-006\r\n").await.unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        assert_eq!(canary.hits().last().map(|h| h.path.as_str()), Some("s-n-006"));
    }
}
