//! Access-token validation: RS256 JWTs from the configured issuer, for this resource.

use jsonwebtoken::{Algorithm, Validation, errors::ErrorKind};
use serde::Deserialize;
use sha2::{Digest as _, Sha256};

use super::{jwks::KeySet, scope::Scopes};

/// Clock skew tolerated on `exp` and `nbf`, in seconds.
pub(crate) const LEEWAY_SECS: u64 = 10;

/// Why a presented token is refused. The messages go into `error_description`: they never contain the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum TokenError {
    #[error("the token is not a well-formed JWT")]
    Malformed,
    #[error("only RS256-signed tokens are accepted")]
    Algorithm,
    #[error("no key of the authorization server matches the token's kid")]
    UnknownKey,
    #[error("the token's signature is invalid")]
    Signature,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet (nbf)")]
    NotYetValid,
    #[error("the token was not issued by the expected authorization server")]
    Issuer,
    #[error("the token's audience does not include this resource")]
    Audience,
    #[error("the token lacks the required claim {0}")]
    MissingClaim(String),
    #[error("the token has been revoked")]
    Revoked,
}

/// The claims this server reads; `exp`, `iss`, `aud` (and `nbf` when present) are checked by the validation.
#[derive(Debug, Deserialize)]
struct Claims {
    iss: String,
    exp: u64,
    #[serde(default)]
    sub: Option<String>,
    #[serde(default)]
    jti: Option<String>,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    roles: Vec<String>,
}

/// Who a valid token speaks for, and what it may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Principal {
    /// Issuer and subject: the identity sessions are bound to.
    pub owner: Owner,
    /// Granted scopes (`scope` claim plus `roles`).
    pub scopes: Scopes,
    /// The token's revocation key: issuer and `jti` (or a hash of the token when it has none), hashed.
    pub revocation_key: String,
    /// The token's `exp` (seconds since the epoch): how long a revocation must be remembered.
    pub expires_at: u64,
}

/// The principal a session belongs to: `iss` and `sub`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Owner {
    pub issuer: String,
    pub subject: Option<String>,
}

/// Checks tokens against the key set, the issuer and the resource.
pub(crate) struct Validator {
    keys: KeySet,
    validation: Validation,
}

impl Validator {
    pub(crate) fn new(keys: KeySet, issuer: &str, resource: &str) -> Self {
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[resource]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECS;
        Self { keys, validation }
    }

    /// The principal of `token`, or why it is refused (revocation is checked by the caller).
    pub(crate) async fn validate(&self, token: &str) -> Result<Principal, TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|error| match error.kind() {
            // `alg: none`, HS256 and any name jsonwebtoken does not know.
            ErrorKind::InvalidAlgorithmName | ErrorKind::InvalidAlgorithm => TokenError::Algorithm,
            _ => TokenError::Malformed,
        })?;
        if header.alg != Algorithm::RS256 {
            return Err(TokenError::Algorithm);
        }
        let key = self.keys.key(header.kid.as_deref()).await.ok_or(TokenError::UnknownKey)?;
        let data =
            jsonwebtoken::decode::<Claims>(token, &key, &self.validation).map_err(|error| match error.kind() {
                ErrorKind::InvalidSignature => TokenError::Signature,
                ErrorKind::ExpiredSignature => TokenError::Expired,
                ErrorKind::ImmatureSignature => TokenError::NotYetValid,
                ErrorKind::InvalidIssuer => TokenError::Issuer,
                ErrorKind::InvalidAudience => TokenError::Audience,
                ErrorKind::MissingRequiredClaim(claim) => TokenError::MissingClaim(claim.clone()),
                ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => TokenError::Algorithm,
                _ => TokenError::Malformed,
            })?;
        let claims = data.claims;
        let revocation_key = {
            let mut hash = Sha256::new();
            hash.update(claims.iss.as_bytes());
            hash.update([0]);
            match &claims.jti {
                Some(jti) => hash.update(format!("jti:{jti}").as_bytes()),
                None => hash.update(format!("token:{token}").as_bytes()),
            }
            hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
        };
        Ok(Principal {
            scopes: Scopes::granted(claims.scope.as_deref(), &claims.roles),
            owner: Owner { issuer: claims.iss, subject: claims.sub },
            revocation_key,
            expires_at: claims.exp,
        })
    }
}
