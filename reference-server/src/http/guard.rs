//! The thin layer in front of rmcp's `/mcp` service.
//!
//! It checks `Host` and `Origin` first (403), then — when authorization is on
//! (`--auth-jwks`) — the bearer token (401, see [`crate::auth`]) and that a named
//! session belongs to the token's principal (404), then for POSTs the content type
//! (415), the body size (413), that the body is JSON (400 + `-32700`) and a
//! JSON-RPC 2.0 message (400 + `-32600`), and last the token's scopes for that
//! message (403), before rmcp sees the request.
//!
//! Host and Origin come first because they reject a request whatever its token
//! (a DNS-rebinding or cross-site page may well carry a valid token in a browser):
//! answering 401 there would invite it to authenticate. The token comes before
//! the body is read, so unauthenticated clients cannot make the server buffer or
//! parse bodies, and the scopes come last because they depend on the message (the
//! tool called). Plain
//! text error bodies from rmcp are rewritten as JSON-RPC error objects, so
//! every error a client receives has the same shape.

use std::sync::Arc;

use axum::{
    body::{Body, Bytes},
    extract::{Request, State},
    http::{HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};

use super::OriginPolicy;
use crate::{
    auth::{Auth, BodyShape, Principal, Refusal, Scope, Scopes},
    metrics::Metrics,
};

/// Configuration of [`guard`].
#[derive(Clone)]
pub(crate) struct GuardState {
    pub policy: Arc<OriginPolicy>,
    pub max_body_bytes: usize,
    pub metrics: Arc<Metrics>,
    /// The authorization layer, when `--auth-jwks` turned it on.
    pub auth: Option<Arc<Auth>>,
}

/// The session header of the Streamable HTTP transport.
const SESSION_ID: &str = "mcp-session-id";

/// The authenticated caller of a request, while authorization is on.
struct Caller<'a> {
    auth: &'a Auth,
    principal: Principal,
    /// The session the request names, if any.
    session: Option<String>,
}

impl Caller<'_> {
    /// The 403 to answer unless the token grants `needed`.
    fn refusal_without(&self, needed: Scopes) -> Option<Response> {
        (!self.principal.scopes.contains_all(needed))
            .then(|| Refusal::InsufficientScope(needed).into_response(self.auth.metadata_url(), BodyShape::JsonRpc))
    }

    /// Binds a session the response created to the caller; forgets a session that ended or is unknown.
    fn observe(&self, method: &Method, response: &Response) {
        let sessions = &self.auth.sessions;
        match &self.session {
            None => {
                let created = response.headers().get(SESSION_ID).and_then(|v| v.to_str().ok());
                if let Some(created) = created.filter(|_| response.status().is_success()) {
                    sessions.bind(created, &self.principal.owner);
                }
            }
            Some(session) => {
                let deleted = *method == Method::DELETE && response.status().is_success();
                if deleted || response.status() == StatusCode::NOT_FOUND {
                    sessions.forget(session);
                }
            }
        }
    }
}

/// JSON-RPC error codes used at the HTTP layer.
const PARSE_ERROR: i32 = -32700;
const INVALID_REQUEST: i32 = -32600;
const INTERNAL_ERROR: i32 = -32603;
/// Code the TypeScript SDK uses for an unknown or ended session (HTTP 404).
const SESSION_NOT_FOUND: i32 = -32001;

/// A JSON-RPC error response with an HTTP status.
fn error_response(status: StatusCode, id: Value, code: i32, message: &str) -> Response {
    let body = json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } });
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

/// The middleware.
pub(crate) async fn guard(State(state): State<GuardState>, request: Request, next: Next) -> Response {
    let response = check_and_forward(&state, request, next).await;
    state.metrics.http_response(response.status().as_u16());
    response
}

async fn check_and_forward(state: &GuardState, mut request: Request, next: Next) -> Response {
    if let Some(refused) = check_origin(&state.policy, &request) {
        return refused;
    }
    let caller = match &state.auth {
        None => None,
        Some(auth) => match authorize(auth, &mut request).await {
            Ok(caller) => Some(caller),
            Err(refused) => return refused,
        },
    };
    let method = request.method().clone();
    if method != Method::POST {
        if let Some(caller) = &caller
            && let Some(refused) = caller.refusal_without(Scopes::of(&[Scope::Read]))
        {
            return refused;
        }
        let response = next.run(request).await;
        if let Some(caller) = &caller {
            caller.observe(&method, &response);
        }
        return rewrite_text_errors(response, Value::Null).await;
    }
    let headers = request.headers();
    let content_type_ok = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
        v.split(';').next().is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
    });
    if !content_type_ok {
        return error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Value::Null,
            INVALID_REQUEST,
            "Unsupported Media Type: Content-Type must be application/json",
        );
    }
    let declared_length =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared_length.is_some_and(|len| len > state.max_body_bytes) {
        return too_large(state.max_body_bytes);
    }
    let (parts, body) = request.into_parts();
    let bytes: Bytes = match axum::body::to_bytes(body, state.max_body_bytes).await {
        Ok(bytes) => bytes,
        Err(_) => return too_large(state.max_body_bytes),
    };
    // Only the envelope is read here (the params are skipped, not built): rmcp decodes the message itself.
    let (id, rpc_method) = match serde_json::from_slice::<Envelope>(&bytes) {
        Err(_) => {
            return error_response(StatusCode::BAD_REQUEST, Value::Null, PARSE_ERROR, "Parse error: invalid JSON");
        }
        Ok(envelope) => {
            let rpc_method = match (&caller, &envelope) {
                (Some(_), Envelope::Object { method: Some(Value::String(name)), .. }) => Some(name.clone()),
                _ => None,
            };
            match validate_envelope(envelope) {
                Ok(id) => (id, rpc_method),
                Err((id, message)) => {
                    return error_response(StatusCode::BAD_REQUEST, id, INVALID_REQUEST, message);
                }
            }
        }
    };
    if let Some(caller) = &caller
        && let Some(refused) = caller.refusal_without(caller.auth.scopes_for(rpc_method.as_deref(), &bytes))
    {
        return refused;
    }
    let request = Request::from_parts(parts, Body::from(bytes));
    let response = next.run(request).await;
    if let Some(caller) = &caller {
        caller.observe(&method, &response);
    }
    rewrite_text_errors(response, id).await
}

/// The bearer token's principal, checked against the session the request names; the `Authorization` header is
/// removed so the token goes no further.
async fn authorize<'a>(auth: &'a Auth, request: &mut Request) -> Result<Caller<'a>, Response> {
    let principal = auth
        .authenticate(request.headers(), request.uri())
        .await
        .map_err(|refusal| refusal.into_response(auth.metadata_url(), BodyShape::JsonRpc))?;
    request.headers_mut().remove(header::AUTHORIZATION);
    let session = request.headers().get(SESSION_ID).and_then(|v| v.to_str().ok()).map(str::to_owned);
    if let Some(session) = &session
        && !auth.sessions.allows(session, &principal.owner)
    {
        // Another principal's session (or one never bound) is, to this caller, no session at all.
        return Err(error_response(StatusCode::NOT_FOUND, Value::Null, SESSION_NOT_FOUND, "Session not found"));
    }
    Ok(Caller { auth, principal, session })
}

/// `Host` then `Origin`: the 403 (or 400 without a `Host`) to answer when the policy does not allow them.
pub(super) fn check_origin(policy: &OriginPolicy, request: &Request) -> Option<Response> {
    let headers = request.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .or_else(|| request.uri().authority().map(|a| a.to_string()));
    match host {
        Some(host) if policy.host_allowed(&host) => {}
        Some(_) => {
            return Some(error_response(
                StatusCode::FORBIDDEN,
                Value::Null,
                INVALID_REQUEST,
                "Forbidden: Host not allowed",
            ));
        }
        None => {
            return Some(error_response(
                StatusCode::BAD_REQUEST,
                Value::Null,
                INVALID_REQUEST,
                "Bad Request: missing Host header",
            ));
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let allowed = origin.to_str().is_ok_and(|o| policy.origin_allowed(o));
        if !allowed {
            return Some(error_response(
                StatusCode::FORBIDDEN,
                Value::Null,
                INVALID_REQUEST,
                "Forbidden: Origin not allowed",
            ));
        }
    }
    None
}

fn too_large(limit: usize) -> Response {
    error_response(
        StatusCode::PAYLOAD_TOO_LARGE,
        Value::Null,
        INVALID_REQUEST,
        &format!("Payload Too Large: the body exceeds {limit} bytes"),
    )
}

/// The members of a JSON-RPC message that the envelope check reads; the rest of the body is only syntax-checked.
///
/// Like a `serde_json::Value`, a repeated member keeps its last value.
#[derive(Debug, PartialEq)]
#[expect(clippy::large_enum_variant, reason = "lives on the stack for one check; boxing would allocate per request")]
enum Envelope {
    /// A JSON object.
    Object { jsonrpc: Option<Value>, id: Option<Value>, method: Option<Value>, has_result: bool, has_error: bool },
    /// A JSON array (a batch).
    Array,
    /// Any other JSON value.
    Scalar,
}

impl<'de> serde::Deserialize<'de> for Envelope {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(EnvelopeVisitor)
    }
}

/// A member name of the envelope.
enum Member {
    Jsonrpc,
    Id,
    Method,
    Result,
    Error,
    Other,
}

impl<'de> serde::Deserialize<'de> for Member {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MemberVisitor;
        impl serde::de::Visitor<'_> for MemberVisitor {
            type Value = Member;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a member name")
            }
            fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<Member, E> {
                Ok(match name {
                    "jsonrpc" => Member::Jsonrpc,
                    "id" => Member::Id,
                    "method" => Member::Method,
                    "result" => Member::Result,
                    "error" => Member::Error,
                    _ => Member::Other,
                })
            }
        }
        deserializer.deserialize_str(MemberVisitor)
    }
}

struct EnvelopeVisitor;

impl<'de> serde::de::Visitor<'de> for EnvelopeVisitor {
    type Value = Envelope;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Envelope, A::Error> {
        let (mut jsonrpc, mut id, mut method, mut has_result, mut has_error) = (None, None, None, false, false);
        while let Some(member) = map.next_key::<Member>()? {
            match member {
                Member::Jsonrpc => jsonrpc = Some(map.next_value::<Value>()?),
                Member::Id => id = Some(map.next_value::<Value>()?),
                Member::Method => method = Some(map.next_value::<Value>()?),
                Member::Result | Member::Error | Member::Other => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                    has_result |= matches!(member, Member::Result);
                    has_error |= matches!(member, Member::Error);
                }
            }
        }
        Ok(Envelope::Object { jsonrpc, id, method, has_result, has_error })
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Envelope, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(Envelope::Array)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Envelope, E> {
        Ok(Envelope::Scalar)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Envelope, E> {
        Ok(Envelope::Scalar)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Envelope, E> {
        Ok(Envelope::Scalar)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Envelope, E> {
        Ok(Envelope::Scalar)
    }

    fn visit_str<E>(self, _: &str) -> Result<Envelope, E> {
        Ok(Envelope::Scalar)
    }

    fn visit_unit<E>(self) -> Result<Envelope, E> {
        Ok(Envelope::Scalar)
    }
}

/// Checks the JSON-RPC 2.0 envelope; returns the request id (or `null`).
fn validate_envelope(envelope: Envelope) -> Result<Value, (Value, &'static str)> {
    let Envelope::Object { jsonrpc, id: id_field, method, has_result, has_error } = envelope else {
        let message =
            if envelope == Envelope::Array { "Invalid Request: batches are not supported" } else { "Invalid Request" };
        return Err((Value::Null, message));
    };
    let id_valid = match &id_field {
        None | Some(Value::String(_)) => true,
        Some(Value::Number(n)) => n.is_i64() || n.is_u64(),
        Some(_) => false,
    };
    let id = match &id_field {
        Some(id) if id_valid => id.clone(),
        _ => Value::Null,
    };
    if jsonrpc.as_ref().and_then(Value::as_str) != Some("2.0") {
        return Err((id, "Invalid Request: jsonrpc must be \"2.0\""));
    }
    if !id_valid {
        return Err((Value::Null, "Invalid Request: id must be a string or an integer"));
    }
    match method {
        Some(Value::String(_)) => Ok(id),
        Some(_) => Err((id, "Invalid Request: method must be a string")),
        None if id_field.is_some() && (has_result ^ has_error) => Ok(id),
        None => Err((id, "Invalid Request: missing method")),
    }
}

/// Replaces rmcp's `text/plain` error bodies with JSON-RPC error objects.
async fn rewrite_text_errors(response: Response, id: Value) -> Response {
    let status = response.status();
    let is_text = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_none_or(|v| v.to_str().is_ok_and(|v| v.starts_with("text/plain")));
    if !(status.is_client_error() || status.is_server_error()) || !is_text {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024).await.unwrap_or_default();
    let message = String::from_utf8_lossy(&text);
    let code = match status {
        StatusCode::NOT_FOUND => SESSION_NOT_FOUND,
        s if s.is_server_error() => INTERNAL_ERROR,
        _ => INVALID_REQUEST,
    };
    let body = json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } });
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validate(value: &Value) -> Result<Value, (Value, &'static str)> {
        validate_envelope(serde_json::from_slice(&serde_json::to_vec(value).unwrap()).expect("valid JSON"))
    }

    #[test]
    fn envelope_validation() {
        assert_eq!(validate(&json!({"jsonrpc":"2.0","id":1,"method":"ping"})), Ok(json!(1)));
        assert_eq!(validate(&json!({"jsonrpc":"2.0","method":"notifications/initialized"})), Ok(Value::Null));
        assert_eq!(validate(&json!({"jsonrpc":"2.0","id":"a","result":{}})), Ok(json!("a")));
        assert!(validate(&json!({"jsonrpc":"1.0","id":1,"method":"ping"})).is_err());
        assert!(validate(&json!({"jsonrpc":"2.0","id":null,"method":"ping"})).is_err());
        assert!(validate(&json!({"jsonrpc":"2.0","id":1.5,"method":"ping"})).is_err());
        assert!(validate(&json!([{"jsonrpc":"2.0","id":1,"method":"ping"}])).is_err());
        assert!(validate(&json!({"jsonrpc":"2.0","id":1})).is_err());
        assert_eq!(
            validate(&json!({"jsonrpc":"2.0","id":1,"result":{},"error":{}})),
            Err((json!(1), "Invalid Request: missing method"))
        );
        assert_eq!(validate(&json!("x")), Err((Value::Null, "Invalid Request")));
        assert_eq!(validate(&json!({"jsonrpc":2,"id":3,"method":"ping"})).unwrap_err().0, json!(3));
    }

    #[test]
    fn the_envelope_reads_like_a_value() {
        // Escaped member names, a repeated member (the last wins), nested params that are only skipped.
        let body = br#"{"json\u0072pc":"2.0","id":1,"id":"b","method":"tools/call","params":{"a":[1,{"b":null}]}}"#;
        assert_eq!(validate_envelope(serde_json::from_slice(body).unwrap()), Ok(json!("b")));
        assert!(serde_json::from_slice::<Envelope>(br#"{"id":1,"params":{"a":}"#).is_err());
        assert!(serde_json::from_slice::<Envelope>(br#"{"id":1} trailing"#).is_err());
        assert_eq!(serde_json::from_slice::<Envelope>(b"null").unwrap(), Envelope::Scalar);
    }
}
