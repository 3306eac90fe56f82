//! `POST /oauth/revoke` (RFC 7009 style) and the protected resource metadata routes, present only while
//! authorization is on.
//!
//! Revocation takes a form body `token=<jwt>` and needs a bearer token with `mcp:admin`. It answers 200 whether or
//! not the token was valid (RFC 7009 §2.2); a revoked token is refused with 401 `invalid_token` from then on.

use std::sync::Arc;

use axum::{
    Json, Router,
    body::Bytes,
    extract::{Request, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde_json::json;

use super::{OriginPolicy, guard::check_origin};
use crate::auth::{Auth, BodyShape, Refusal, Scope, Scopes};

/// Largest revocation request body.
const MAX_FORM_BYTES: usize = 16 * 1024;

#[derive(Clone)]
struct RevokeState {
    auth: Arc<Auth>,
    policy: Arc<OriginPolicy>,
}

/// The metadata routes (unauthenticated) and the revocation endpoint.
pub(super) fn router(auth: Arc<Auth>, policy: Arc<OriginPolicy>, resource_paths: &[String]) -> Router {
    let document = Arc::new(auth.metadata());
    let mut router = Router::new();
    for path in resource_paths {
        let document = document.clone();
        router = router.route(path, get(move || async move { Json((*document).clone()) }));
    }
    router.route("/oauth/revoke", post(revoke)).with_state(RevokeState { auth, policy })
}

fn oauth_error(status: StatusCode, code: &str, description: &str) -> Response {
    (status, Json(json!({ "error": code, "error_description": description }))).into_response()
}

async fn revoke(State(state): State<RevokeState>, request: Request) -> Response {
    if let Some(refused) = check_origin(&state.policy, &request) {
        return refused;
    }
    let auth = &state.auth;
    let principal = match auth.authenticate(request.headers(), request.uri()).await {
        Ok(principal) => principal,
        Err(refusal) => return refusal.into_response(auth.metadata_url(), BodyShape::OAuth),
    };
    let needed = Scopes::of(&[Scope::Admin]);
    if !principal.scopes.contains_all(needed) {
        return Refusal::InsufficientScope(needed).into_response(auth.metadata_url(), BodyShape::OAuth);
    }
    let form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"));
    if !form {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the body must be application/x-www-form-urlencoded",
        );
    }
    let body: Bytes = match axum::body::to_bytes(request.into_body(), MAX_FORM_BYTES).await {
        Ok(body) => body,
        Err(_) => return oauth_error(StatusCode::PAYLOAD_TOO_LARGE, "invalid_request", "the body is too large"),
    };
    let tokens: Vec<String> =
        url::form_urlencoded::parse(&body).filter(|(name, _)| name == "token").map(|(_, v)| v.into_owned()).collect();
    let [token] = tokens.as_slice() else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "the body needs exactly one `token` parameter");
    };
    match auth.revoke(token).await {
        Ok(()) => StatusCode::OK.into_response(),
        Err(refusal) => refusal.into_response(auth.metadata_url(), BodyShape::OAuth),
    }
}
