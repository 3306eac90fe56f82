//! SSE: the GET stream (stateful era), GET/DELETE on modern-only servers, and the framing of POST reply streams.

use std::collections::HashSet;
use std::time::Duration;

use serde_json::Value;

use super::probe::{Probe, clip, media_type, method_of};
use crate::check::{
    Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Eras, Level, Outcome, SkipReason, Suite,
    Transports,
};
use crate::check_fn;
use crate::protocol::{Era, Revision};
use crate::session::clip_json;
use crate::wire::{HttpRequest, ReplyBody};

/// How long the harness waits, after the response, for the server to end an SSE stream.
const END_GRACE: Duration = Duration::from_secs(2);

/// GET on the endpoint opens an SSE stream or is answered 405 (stateful era).
pub(crate) const GET_STREAM: Check = Check {
    meta: CheckMeta {
        id: CheckId("http.get-stream"),
        title: "GET with Accept: text/event-stream opens an SSE stream or is answered with HTTP 405",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["transport.http.get-sse-or-405"],
        applies: Applicability { transports: Transports::Http, eras: Eras::Stateful, ..Applicability::ALWAYS },
        tags: &["http", "sse"],
    },
    run: check_fn!(get_stream),
};

async fn get_stream(cx: &mut CheckContext) -> Conclusion {
    let mut p = Probe::open(cx).await?;
    let req = p.bare(HttpRequest::get()).without_header("accept").header("accept", "text/event-stream");
    let reply = p.send(req).await;
    let reply = match reply {
        Ok(r) => r,
        Err(e) => {
            p.close().await;
            return Err(e);
        }
    };
    let status = reply.status;
    let ct = reply.header("content-type").map(str::to_owned);
    // Ends the stream without reading it.
    drop(reply);
    p.close().await;
    let is_sse = ct.as_deref().map(media_type).as_deref() == Some("text/event-stream");
    if status == 405 || ((200..300).contains(&status) && is_sse) {
        Ok(Outcome::pass_with(format!("HTTP {status}{}", ct.map(|c| format!(", {c}")).unwrap_or_default())))
    } else {
        Ok(Outcome::violated(
            "HTTP 2xx with Content-Type text/event-stream, or HTTP 405",
            format!("GET answered HTTP {status}, {}", ct.as_deref().unwrap_or("no Content-Type")),
        ))
    }
}

/// A server that speaks only 2026-07-28 answers GET and DELETE with 405.
///
/// Servers that also speak a stateful revision keep their GET stream and DELETE for those clients, so the check
/// applies only when `server/discover` lists no stateful revision.
pub(crate) const LEGACY_GET_DELETE_405: Check = Check {
    meta: CheckMeta {
        id: CheckId("http.legacy-get-delete-405"),
        title: "a server that speaks only stateless revisions answers GET and DELETE on the endpoint with HTTP 405",
        suite: Suite::Conformance,
        level: Level::Should,
        requirements: &["transport.http.legacy-get-delete-405"],
        applies: Applicability {
            transports: Transports::Http,
            eras: Eras::Stateless,
            since: Revision::V2026_07_28,
            ..Applicability::ALWAYS
        },
        tags: &["http", "sse", "compatibility"],
    },
    run: check_fn!(legacy_get_delete_405),
};

async fn legacy_get_delete_405(cx: &mut CheckContext) -> Conclusion {
    let stateful: Vec<&String> = cx
        .profile()
        .supported_versions
        .iter()
        // Dates sort as strings; every revision before 2026-07-28 is stateful.
        .filter(|v| {
            v.parse::<Revision>().is_ok_and(|r| r.era() == Era::Stateful) || v.as_str() < Revision::V2026_07_28.as_str()
        })
        .collect();
    if !stateful.is_empty() {
        return Ok(Outcome::skip(
            SkipReason::NotApplicable,
            format!("server/discover also lists stateful revisions ({stateful:?}); GET and DELETE belong to them"),
        ));
    }
    let mut p = Probe::open(cx).await?;
    let mut seen = Vec::new();
    for (name, req) in [
        ("GET", HttpRequest::get().without_header("accept").header("accept", "text/event-stream")),
        ("DELETE", HttpRequest::delete()),
    ] {
        let req = p.bare(req);
        match p.send(req).await {
            Ok(reply) => seen.push((name, reply.status, reply.header("content-type").map(str::to_owned))),
            Err(e) => {
                p.close().await;
                return Err(e);
            }
        }
    }
    p.close().await;
    let wrong: Vec<String> = seen
        .iter()
        .filter(|(_, status, _)| *status != 405)
        .map(|(name, status, ct)| {
            format!("{name} answered HTTP {status}, {}", ct.as_deref().unwrap_or("no Content-Type"))
        })
        .collect();
    if wrong.is_empty() {
        Ok(Outcome::pass_with("GET and DELETE answered 405"))
    } else {
        Ok(Outcome::violated("HTTP 405 Method Not Allowed for GET and DELETE", wrong.join("; ")))
    }
}

/// What the harness read from a POST reply stream.
#[derive(Debug, Default)]
struct StreamRead {
    /// The request's method.
    method: String,
    /// The reply was not an SSE stream (its media type).
    not_sse: Option<String>,
    /// Events read (including priming events).
    events: usize,
    /// Problems that break a MUST (non-JSON data, non-JSON-RPC messages, repeated event ids).
    violations: Vec<String>,
    /// The response arrived.
    responded: bool,
    /// The stream ended (after the response, when `responded`).
    ended: bool,
    /// Some event carried an id (the server may then close the connection and let the client resume).
    had_id: bool,
    /// The stream broke or was cut by a cap.
    broke: Option<String>,
}

/// POSTs the session's harmless request and reads an SSE reply: every event until the response, then up to
/// [`END_GRACE`] for the stream to end.
async fn read_reply_stream(p: &mut Probe) -> Result<StreamRead, Outcome> {
    let msg = p.harmless_request();
    let mut read = StreamRead { method: method_of(&msg), ..StreamRead::default() };
    let req = p.post(&msg);
    let reply = p.send(req).await?;
    let ct = reply.header("content-type").map(str::to_owned);
    let ReplyBody::Sse(mut reader) = reply.body else {
        read.not_sse = Some(ct.unwrap_or_else(|| "no Content-Type".to_owned()));
        return Ok(read);
    };
    let id = msg.get("id").cloned();
    let mut ids = HashSet::new();
    let started = tokio::time::Instant::now();
    let mut deadline = started + p.timeout;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        if left.is_zero() {
            break;
        }
        match reader.next_event(left).await {
            Ok(Some(event)) => {
                read.events += 1;
                if let Some(event_id) = event.id.as_deref().filter(|i| !i.is_empty()) {
                    read.had_id = true;
                    if !ids.insert(event_id.to_owned()) {
                        read.violations.push(format!("event id {event_id:?} repeated within the stream"));
                    }
                }
                // A priming event carries an id and empty data; `retry`-only events carry no data either.
                if event.data.trim().is_empty() {
                    continue;
                }
                match serde_json::from_str::<Value>(&event.data) {
                    Ok(v) => {
                        if v.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
                            read.violations
                                .push(format!("event data is not a JSON-RPC 2.0 message: {}", clip_json(&v, 200)));
                        } else if v.get("method").is_none() && v.get("id") == id.as_ref() && !read.responded {
                            read.responded = true;
                            deadline = tokio::time::Instant::now() + END_GRACE.min(p.timeout);
                        }
                    }
                    Err(_) => read.violations.push(format!("event data is not JSON: {:?}", clip(&event.data, 200))),
                }
            }
            Ok(None) => {
                read.ended = true;
                break;
            }
            Err(e) => {
                read.broke = Some(e.to_string());
                break;
            }
        }
    }
    Ok(read)
}

/// An SSE reply to a POSTed request is well framed: events carry JSON-RPC messages, ids are unique, and the
/// response arrives on it.
pub(crate) const SSE_FRAMING: Check = Check {
    meta: CheckMeta {
        id: CheckId("http.sse-framing"),
        title: "an SSE reply to a request carries JSON-RPC messages in its events, never repeats an event id, and delivers the response",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &["jsonrpc.messages", "transport.http.event-id-unique", "jsonrpc.reply-required"],
        applies: Applicability { transports: Transports::Http, ..Applicability::ALWAYS },
        tags: &["http", "sse"],
    },
    run: check_fn!(sse_framing),
};

async fn sse_framing(cx: &mut CheckContext) -> Conclusion {
    let mut p = Probe::open(cx).await?;
    let read = read_reply_stream(&mut p).await;
    p.close().await;
    let read = read?;
    let expected = "events whose data is a JSON-RPC message (or empty, for priming), no repeated event id, the response on the stream";
    if let Some(ct) = &read.not_sse {
        return Ok(Outcome::skip(
            SkipReason::NothingToTest,
            format!("`{}` was answered with {ct}, not an SSE stream", read.method),
        ));
    }
    if !read.violations.is_empty() {
        return Ok(Outcome::violated(expected, read.violations.join("\n")));
    }
    if read.responded {
        return Ok(Outcome::pass_with(format!("{} events, the response among them", read.events)));
    }
    match (&read.broke, read.ended) {
        (Some(e), _) => Ok(Outcome::error(format!("could not test: the SSE stream broke before the response: {e}"))),
        // After an event with an id the server may close the connection and let the client resume with GET.
        (None, true) if read.had_id => Ok(Outcome::skip(
            SkipReason::NothingToTest,
            "the server closed the stream before the response, after an event id (SSE polling); resumption is not tested here",
        )),
        (None, true) => Ok(Outcome::violated(
            expected,
            format!("the stream ended after {} events without the response", read.events),
        )),
        (None, false) => {
            Ok(Outcome::error(format!("could not test: no response on the SSE stream within {:?}", cx.timeout())))
        }
    }
}

/// After the response, the server ends the SSE stream.
pub(crate) const SSE_TERMINATE: Check = Check {
    meta: CheckMeta {
        id: CheckId("http.sse-terminate"),
        title: "the server ends an SSE reply stream after sending the response",
        suite: Suite::Conformance,
        level: Level::Should,
        requirements: &["transport.http.sse-terminate"],
        applies: Applicability { transports: Transports::Http, ..Applicability::ALWAYS },
        tags: &["http", "sse"],
    },
    run: check_fn!(sse_terminate),
};

async fn sse_terminate(cx: &mut CheckContext) -> Conclusion {
    let mut p = Probe::open(cx).await?;
    let read = read_reply_stream(&mut p).await;
    p.close().await;
    let read = read?;
    if let Some(ct) = &read.not_sse {
        return Ok(Outcome::skip(
            SkipReason::NothingToTest,
            format!("`{}` was answered with {ct}, not an SSE stream", read.method),
        ));
    }
    if !read.responded {
        return Ok(Outcome::error(format!(
            "could not test: no response arrived on the SSE stream for `{}`",
            read.method
        )));
    }
    if read.ended {
        Ok(Outcome::pass())
    } else {
        Ok(Outcome::violated(
            "the stream ends once the response is sent",
            format!("the stream was still open {:?} after the response", END_GRACE.min(cx.timeout())),
        ))
    }
}
