//! Token requests: the client-credentials grant (and a refresh-token grant when the server issued a refresh token),
//! with the RFC 8707 `resource` parameter and client authentication the server supports.

use std::fmt;
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde::Deserialize;

use super::discovery::Discovered;
use super::fetch::Fetcher;
use super::url_policy::shown;
use super::{OAuthConfig, OAuthError};

/// Longest `error_description` quoted in an error.
const MAX_DESCRIPTION: usize = 200;

/// A granted token. Its `Debug` shows no secret.
#[derive(Clone)]
pub(crate) struct Token {
    pub(crate) access: String,
    pub(crate) refresh: Option<String>,
    /// When to stop using it (a margin before `expires_in` runs out); `None` when the server gave no lifetime.
    pub(crate) renew_at: Option<Instant>,
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("access", &"***")
            .field("refresh", &self.refresh.as_ref().map(|_| "***"))
            .field("renew_at", &self.renew_at)
            .finish()
    }
}

impl Token {
    /// Whether it may still be sent.
    pub(crate) fn is_fresh(&self) -> bool {
        self.renew_at.is_none_or(|at| Instant::now() < at)
    }
}

/// How the client authenticates at the token endpoint (RFC 6749 §2.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClientAuth {
    /// `Authorization: Basic` with the form-encoded id and secret (the default when the server lists nothing).
    SecretBasic,
    /// `client_id` and `client_secret` in the form body.
    SecretPost,
}

impl ClientAuth {
    /// The method to use given the server's `token_endpoint_auth_methods_supported`.
    pub(crate) fn choose(supported: Option<&[String]>) -> Result<ClientAuth, OAuthError> {
        let Some(methods) = supported else { return Ok(ClientAuth::SecretBasic) };
        if methods.iter().any(|m| m == "client_secret_basic") {
            Ok(ClientAuth::SecretBasic)
        } else if methods.iter().any(|m| m == "client_secret_post") {
            Ok(ClientAuth::SecretPost)
        } else {
            Err(OAuthError::Config(format!(
                "the authorization server supports neither client_secret_basic nor client_secret_post (it lists {})",
                methods.join(", ")
            )))
        }
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: Option<String>,
    token_type: Option<String>,
    expires_in: Option<serde_json::Value>,
    refresh_token: Option<String>,
}

#[derive(Deserialize)]
struct ErrorResponse {
    error: Option<String>,
    error_description: Option<String>,
}

/// Which grant to ask for.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Grant<'a> {
    ClientCredentials,
    Refresh(&'a str),
}

/// Asks the token endpoint for a token.
pub(crate) async fn request(
    fetcher: &Fetcher,
    found: &Discovered,
    config: &OAuthConfig,
    grant: Grant<'_>,
) -> Result<Token, OAuthError> {
    let auth = ClientAuth::choose(found.auth_methods.as_deref())?;
    let mut form: Vec<(&str, &str)> = match grant {
        Grant::ClientCredentials => vec![("grant_type", "client_credentials")],
        Grant::Refresh(token) => vec![("grant_type", "refresh_token"), ("refresh_token", token)],
    };
    form.push(("resource", &found.resource));
    if let Some(scope) = &config.scope {
        form.push(("scope", scope));
    }
    let mut headers = Vec::new();
    match auth {
        ClientAuth::SecretBasic => {
            let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
            let pair = format!("{}:{}", encode(&config.client_id), encode(&config.client_secret));
            let basic = base64::engine::general_purpose::STANDARD.encode(pair);
            headers.push(("authorization", format!("Basic {basic}")));
        }
        ClientAuth::SecretPost => {
            form.push(("client_id", &config.client_id));
            form.push(("client_secret", &config.client_secret));
        }
    }
    let url = &found.token_endpoint;
    let fetched = fetcher.post_form(url, &form, &headers).await?;
    let invalid = |reason: &str| OAuthError::InvalidToken { url: shown(url), reason: reason.to_owned() };
    if fetched.status != 200 {
        let error = match serde_json::from_slice::<ErrorResponse>(&fetched.body) {
            Ok(ErrorResponse { error: Some(code), error_description }) => {
                let code = clean(&code, &config.client_secret);
                match error_description {
                    Some(d) => format!(": {code} ({})", clean(&d, &config.client_secret)),
                    None => format!(": {code}"),
                }
            }
            _ => String::new(),
        };
        return Err(OAuthError::Refused { url: shown(url), status: fetched.status, error });
    }
    let body: TokenResponse =
        serde_json::from_slice(&fetched.body).map_err(|_| invalid("the body is not a JSON token response"))?;
    let access = body.access_token.filter(|t| !t.is_empty()).ok_or_else(|| invalid("no `access_token`"))?;
    if access.bytes().any(|b| !(0x21..=0x7e).contains(&b)) {
        return Err(invalid("the `access_token` is not a visible-ASCII string"));
    }
    match body.token_type.as_deref() {
        Some(t) if t.eq_ignore_ascii_case("bearer") => {}
        Some(_) => return Err(invalid("`token_type` is not Bearer")),
        None => return Err(invalid("no `token_type`")),
    }
    let lifetime = match body.expires_in {
        None => None,
        Some(v) => Some(v.as_u64().ok_or_else(|| invalid("`expires_in` is not a non-negative integer"))?),
    };
    Ok(Token {
        access,
        refresh: body.refresh_token.filter(|t| !t.is_empty()),
        renew_at: lifetime.map(|secs| {
            let lifetime = Duration::from_secs(secs);
            Instant::now() + lifetime - (lifetime / 5).min(Duration::from_secs(30))
        }),
    })
}

/// An authorization server's text for a one-line message: clipped, control characters and the secret removed.
fn clean(text: &str, secret: &str) -> String {
    let text = if secret.is_empty() { text.to_owned() } else { text.replace(secret, "***") };
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).take(MAX_DESCRIPTION).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_auth_follows_the_servers_list() {
        let list = |m: &[&str]| m.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(ClientAuth::choose(None).unwrap(), ClientAuth::SecretBasic);
        assert_eq!(ClientAuth::choose(Some(&list(&["client_secret_post"]))).unwrap(), ClientAuth::SecretPost);
        assert_eq!(
            ClientAuth::choose(Some(&list(&["client_secret_post", "client_secret_basic"]))).unwrap(),
            ClientAuth::SecretBasic
        );
        assert!(ClientAuth::choose(Some(&list(&["private_key_jwt"]))).is_err());
    }

    #[test]
    fn server_text_is_clipped_and_loses_the_secret() {
        assert_eq!(clean("bad s3cret\nx", "s3cret"), "bad *** x");
        assert_eq!(clean(&"y".repeat(500), "s").len(), MAX_DESCRIPTION);
        let t = Token { access: "tok".into(), refresh: Some("r".into()), renew_at: None };
        assert!(!format!("{t:?}").contains("tok"));
    }
}
