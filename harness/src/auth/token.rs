//! Minting access tokens: RS256 JWTs with the claims an OAuth 2.1 resource server validates (`iss`, `aud`, `exp`,
//! `nbf`, `iat`, `jti`, `sub`, `scope`), the run's valid token and the variants a secure server must refuse.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use super::{AuthError, SigningKey};

/// How long the run's token is valid: longer than any run.
const RUN_TOKEN_LIFETIME_SECS: u64 = 12 * 3600;

/// The audience of the wrong-audience token: a resource of the same authorization server that is not the target.
pub const OTHER_AUDIENCE: &str = "https://other-resource.mcp-harness.invalid/mcp";

/// The `sub` of every minted token.
const SUBJECT: &str = "mcp-harness";

/// The claims of a minted token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Issuer: the authorization server.
    pub iss: String,
    /// Audience: the resource the token is for.
    pub aud: String,
    /// Expiry (seconds since the epoch).
    pub exp: u64,
    /// Not before (seconds since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
    /// Issued at.
    pub iat: u64,
    /// A unique id.
    pub jti: String,
    /// Subject.
    pub sub: String,
    /// Space-separated scopes (empty for none).
    pub scope: String,
}

/// What a token is minted for: the target's issuer, audience and scopes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// `iss`.
    pub issuer: String,
    /// `aud`: the target's canonical resource URI.
    pub audience: String,
    /// Every scope the target supports (the run token gets them all).
    pub scopes: Vec<String>,
}

/// A token that a secure resource server must refuse, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Forged {
    /// `exp` an hour ago.
    Expired,
    /// `nbf` an hour ahead.
    NotYetValid,
    /// `aud` another resource of the same issuer.
    WrongAudience,
    /// No scope at all (valid otherwise: the insufficient-scope probe).
    NoScope,
    /// A signature by the right key over other content.
    BadSignature,
    /// `alg: none`, no signature.
    AlgNone,
}

impl Forged {
    /// A short description for evidence.
    pub fn describe(self) -> &'static str {
        match self {
            Forged::Expired => "a token that expired an hour ago (exp in the past)",
            Forged::NotYetValid => "a token not valid for another hour (nbf in the future)",
            Forged::WrongAudience => "a token of the same issuer for another resource (aud mismatch)",
            Forged::NoScope => "a valid token without any scope",
            Forged::BadSignature => "a token whose signature does not match its content",
            Forged::AlgNone => "an unsigned token (alg: none)",
        }
    }
}

/// Seconds since the epoch.
fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn jti() -> String {
    format!("mcp-harness-{:032x}", rand::random::<u128>())
}

impl Grant {
    /// The claims of a valid token with all the grant's scopes.
    pub fn claims(&self) -> Claims {
        let t = now();
        Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            exp: t + RUN_TOKEN_LIFETIME_SECS,
            nbf: Some(t.saturating_sub(60)),
            iat: t,
            jti: jti(),
            sub: SUBJECT.to_owned(),
            scope: self.scopes.join(" "),
        }
    }

    /// The claims of a forged variant.
    pub fn forged_claims(&self, forged: Forged) -> Claims {
        let t = now();
        let mut c = self.claims();
        match forged {
            Forged::Expired => {
                c.iat = t.saturating_sub(7200);
                c.nbf = Some(t.saturating_sub(7200));
                c.exp = t.saturating_sub(3600);
            }
            Forged::NotYetValid => {
                c.nbf = Some(t + 3600);
                c.exp = t + 7200;
            }
            Forged::WrongAudience => c.aud = OTHER_AUDIENCE.to_owned(),
            Forged::NoScope => c.scope = String::new(),
            Forged::BadSignature | Forged::AlgNone => {}
        }
        c
    }
}

/// Signs `claims` with `key` (RS256, `kid` and `typ: JWT` in the header).
pub fn sign(key: &SigningKey, claims: &Claims) -> Result<String, AuthError> {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some(key.kid().to_owned());
    jsonwebtoken::encode(&header, claims, key.encoding()).map_err(|e| AuthError::Mint(e.to_string()))
}

/// The token for `forged`, signed by `key` where it is signed at all.
pub fn forge(key: &SigningKey, grant: &Grant, forged: Forged) -> Result<String, AuthError> {
    let claims = grant.forged_claims(forged);
    match forged {
        Forged::AlgNone => Ok(unsigned(Some(key.kid()), &claims)),
        Forged::BadSignature => {
            // The right key's signature, but over a token with another `jti`: well-formed, the right length, and
            // valid for nothing but that other token.
            let real = sign(key, &claims)?;
            let other = sign(key, &grant.forged_claims(Forged::BadSignature))?;
            let (content, _) = real.rsplit_once('.').ok_or_else(|| AuthError::Mint("no signature".into()))?;
            let (_, signature) = other.rsplit_once('.').ok_or_else(|| AuthError::Mint("no signature".into()))?;
            Ok(format!("{content}.{signature}"))
        }
        _ => sign(key, &claims),
    }
}

/// An unsigned JWT (`alg: none`, empty signature part).
pub fn unsigned(kid: Option<&str>, claims: &Claims) -> String {
    let mut header = serde_json::json!({ "alg": "none", "typ": "JWT" });
    if let Some(kid) = kid {
        header["kid"] = serde_json::Value::String(kid.to_owned());
    }
    let payload = serde_json::to_vec(claims).unwrap_or_default();
    format!("{}.{}.", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(payload))
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::OnceLock;

    use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, jwk::JwkSet};

    use super::*;

    /// One generated key for every test of this module (generation is slow in debug builds).
    pub(crate) fn test_key() -> SigningKey {
        static KEY: OnceLock<SigningKey> = OnceLock::new();
        KEY.get_or_init(|| SigningKey::generate("test-kid").expect("keygen")).clone()
    }

    fn grant() -> Grant {
        Grant {
            issuer: "https://auth.example.test".into(),
            audience: "http://127.0.0.1:3000/mcp".into(),
            scopes: vec!["mcp:read".into(), "mcp:write".into()],
        }
    }

    /// What a resource server trusting the key's JWKS makes of `token`.
    fn verify(token: &str, check_time: bool) -> Result<Claims, jsonwebtoken::errors::Error> {
        let key = test_key();
        let set: JwkSet = serde_json::from_value(key.jwks()).unwrap();
        let jwk = set.find(key.kid()).expect("the JWKS names the kid");
        let mut v = Validation::new(Algorithm::RS256);
        v.set_audience(&[grant().audience]);
        v.set_issuer(&[grant().issuer]);
        v.validate_nbf = true;
        v.validate_exp = check_time;
        decode::<Claims>(token, &DecodingKey::from_jwk(jwk).unwrap(), &v).map(|d| d.claims)
    }

    #[test]
    fn a_minted_token_verifies_against_the_jwks() {
        let token = sign(&test_key(), &grant().claims()).unwrap();
        let claims = verify(&token, true).expect("valid");
        assert_eq!(claims.scope, "mcp:read mcp:write");
        assert_eq!(claims.sub, "mcp-harness");
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.kid.as_deref(), Some("test-kid"));
    }

    #[test]
    fn every_forged_variant_is_refused_but_the_scope_probe() {
        let (key, g) = (test_key(), grant());
        for forged in [Forged::Expired, Forged::NotYetValid, Forged::WrongAudience, Forged::BadSignature] {
            let token = forge(&key, &g, forged).unwrap();
            assert!(verify(&token, true).is_err(), "{forged:?} must not verify");
        }
        let none = forge(&key, &g, Forged::AlgNone).unwrap();
        assert!(none.ends_with('.') && verify(&none, true).is_err());
        let no_scope = forge(&key, &g, Forged::NoScope).unwrap();
        assert_eq!(verify(&no_scope, true).unwrap().scope, "");
        // The bad signature is well-formed: only the signature check refuses it.
        let bad = forge(&key, &g, Forged::BadSignature).unwrap();
        assert_eq!(bad.split('.').count(), 3);
        let err = verify(&bad, true).unwrap_err();
        assert_eq!(*err.kind(), jsonwebtoken::errors::ErrorKind::InvalidSignature);
    }

    #[test]
    fn the_unsigned_token_says_alg_none() {
        let token = unsigned(None, &grant().claims());
        let header = token.split('.').next().unwrap();
        let header: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
        assert_eq!(header["alg"], "none");
    }
}
