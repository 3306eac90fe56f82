//! Refusals of the authorization layer as HTTP responses with their `WWW-Authenticate` challenge (RFC 6750 §3,
//! RFC 9728 §5.1).

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::json;

use super::{scope::Scopes, token::TokenError};

/// Why a request is not let through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// No bearer token (no `Authorization` header, or another scheme): 401 without an error code.
    NoToken,
    /// A bearer token that is not valid: 401 `invalid_token`.
    InvalidToken(TokenError),
    /// A token in the URL's query string, which is never accepted: 401 `invalid_token`.
    TokenInQuery,
    /// More than one `Authorization` header: 401 `invalid_token` (which of them would be the token is ambiguous,
    /// so none is).
    SeveralAuthorizations,
    /// A valid token without every scope the request needs: 403 `insufficient_scope` naming them all.
    InsufficientScope(Scopes),
    /// The revocation list could not be consulted: 503 (fail closed).
    Unavailable,
}

/// The shape of the body: JSON-RPC on `/mcp` (like every other error there), OAuth JSON elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyShape {
    JsonRpc,
    OAuth,
}

impl Refusal {
    fn status(&self) -> StatusCode {
        match self {
            Refusal::NoToken | Refusal::InvalidToken(_) | Refusal::TokenInQuery | Refusal::SeveralAuthorizations => {
                StatusCode::UNAUTHORIZED
            }
            Refusal::InsufficientScope(_) => StatusCode::FORBIDDEN,
            Refusal::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The OAuth error code and description, if any.
    fn error(&self) -> Option<(&'static str, String)> {
        match self {
            Refusal::NoToken => None,
            Refusal::InvalidToken(error) => Some(("invalid_token", error.to_string())),
            Refusal::TokenInQuery => Some((
                "invalid_token",
                "access tokens are not accepted in the query string; send an Authorization: Bearer header".into(),
            )),
            Refusal::SeveralAuthorizations => {
                Some(("invalid_token", "the request has more than one Authorization header".into()))
            }
            Refusal::InsufficientScope(needed) => {
                Some(("insufficient_scope", format!("this request needs the scopes: {needed}")))
            }
            Refusal::Unavailable => Some(("temporarily_unavailable", "the revocation list is unavailable".into())),
        }
    }

    /// The response, with a challenge pointing at the protected resource metadata.
    pub(crate) fn into_response(self, metadata_url: &str, shape: BodyShape) -> Response {
        let status = self.status();
        let error = self.error();
        let mut challenge = String::from("Bearer ");
        if let Some((code, description)) = &error {
            challenge.push_str(&format!("error=\"{code}\", error_description=\"{}\", ", quoted(description)));
        }
        if let Refusal::InsufficientScope(needed) = &self {
            challenge.push_str(&format!("scope=\"{needed}\", "));
        }
        challenge.push_str(&format!("resource_metadata=\"{}\"", quoted(metadata_url)));

        let (code, description) = error.unwrap_or(("unauthorized", "an access token is required".into()));
        let body = match shape {
            BodyShape::JsonRpc => json!({
                "jsonrpc": "2.0", "id": null,
                "error": { "code": -32600, "message": format!("{}: {description}", status.canonical_reason().unwrap_or("Error")) }
            }),
            BodyShape::OAuth => json!({ "error": code, "error_description": description }),
        };
        let mut response = (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response();
        if status != StatusCode::SERVICE_UNAVAILABLE {
            if let Ok(value) = HeaderValue::from_str(&challenge) {
                response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
            }
        } else {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}

/// `text` as the inside of a quoted-string (no quotes or backslashes; nothing outside visible ASCII).
fn quoted(text: &str) -> String {
    text.chars().filter(|c| (' '..='~').contains(c) && *c != '"' && *c != '\\').collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::scope::Scope;

    fn challenge(refusal: Refusal) -> (u16, String) {
        let response =
            refusal.into_response("http://127.0.0.1:1/.well-known/oauth-protected-resource/mcp", BodyShape::JsonRpc);
        let header = response.headers().get(header::WWW_AUTHENTICATE).map(|v| v.to_str().unwrap().to_owned());
        (response.status().as_u16(), header.unwrap_or_default())
    }

    #[test]
    fn challenges_follow_rfc_6750_and_9728() {
        let prm = "resource_metadata=\"http://127.0.0.1:1/.well-known/oauth-protected-resource/mcp\"";
        assert_eq!(challenge(Refusal::NoToken), (401, format!("Bearer {prm}")));
        assert_eq!(
            challenge(Refusal::InvalidToken(TokenError::Expired)),
            (401, format!("Bearer error=\"invalid_token\", error_description=\"the token has expired\", {prm}"))
        );
        let (status, header) = challenge(Refusal::InsufficientScope(Scopes::of(&[Scope::Read, Scope::Write])));
        assert_eq!(status, 403);
        assert!(header.starts_with("Bearer error=\"insufficient_scope\", "), "{header}");
        assert!(header.ends_with(&format!("scope=\"mcp:read mcp:write\", {prm}")), "{header}");
        assert_eq!(challenge(Refusal::SeveralAuthorizations).0, 401);
    }
}
