//! The RSA key the harness signs access tokens with: loaded from PEM (`--auth-signing-key`) or generated
//! (`mcp-harness auth keygen`), and its public half as a JWK Set a server under test can be told to trust.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde_json::{Value, json};

use super::AuthError;

/// The key id tokens carry (`kid`) when `--auth-key-id` is not given; `auth keygen` writes it into the JWKS.
pub const DEFAULT_KEY_ID: &str = "mcp-harness";

/// Bits of a generated key.
const GENERATED_BITS: usize = 2048;

/// Smallest key accepted for signing (RFC 7518 §3.3: 2048 bits or larger).
const MIN_BITS: usize = 2048;

/// An RSA private key and its key id, for RS256 tokens.
#[derive(Clone)]
pub struct SigningKey {
    kid: String,
    private: RsaPrivateKey,
    encoding: jsonwebtoken::EncodingKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey").field("kid", &self.kid).finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A key from PEM text: PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`).
    pub fn from_pem(pem: &str, kid: impl Into<String>) -> Result<Self, AuthError> {
        let private = RsaPrivateKey::from_pkcs8_pem(pem)
            .or_else(|_| RsaPrivateKey::from_pkcs1_pem(pem))
            .map_err(|e| AuthError::Key(format!("not an RSA private key in PKCS#8 or PKCS#1 PEM ({e})")))?;
        Self::from_private(private, kid.into())
    }

    /// A key read from a PEM file.
    pub fn load(path: &Path, kid: impl Into<String>) -> Result<Self, AuthError> {
        let pem = std::fs::read_to_string(path)
            .map_err(|e| AuthError::Key(format!("cannot read {}: {e}", path.display())))?;
        Self::from_pem(&pem, kid)
    }

    /// A fresh 2048-bit key from the operating system's random source.
    pub fn generate(kid: impl Into<String>) -> Result<Self, AuthError> {
        let private = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, GENERATED_BITS)
            .map_err(|e| AuthError::Key(format!("key generation failed: {e}")))?;
        Self::from_private(private, kid.into())
    }

    fn from_private(private: RsaPrivateKey, kid: String) -> Result<Self, AuthError> {
        let bits = private.size() * 8;
        if bits < MIN_BITS {
            return Err(AuthError::Key(format!("the RSA key has {bits} bits; RS256 needs at least {MIN_BITS}")));
        }
        let der = private.to_pkcs1_der().map_err(|e| AuthError::Key(format!("cannot encode the key: {e}")))?;
        let encoding = jsonwebtoken::EncodingKey::from_rsa_der(der.as_bytes());
        Ok(SigningKey { kid, private, encoding })
    }

    /// The key id tokens carry in their header.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The private key as PKCS#8 PEM (what `auth keygen` writes).
    pub fn to_pkcs8_pem(&self) -> Result<String, AuthError> {
        self.private
            .to_pkcs8_pem(LineEnding::LF)
            .map(|pem| pem.to_string())
            .map_err(|e| AuthError::Key(format!("cannot encode the key: {e}")))
    }

    /// The public key as a JWK: `kty`, `kid`, `alg: RS256`, `use: sig`, `n`, `e`.
    pub fn public_jwk(&self) -> Value {
        let public = RsaPublicKey::from(&self.private);
        json!({
            "kty": "RSA",
            "kid": self.kid,
            "alg": "RS256",
            "use": "sig",
            "n": URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
            "e": URL_SAFE_NO_PAD.encode(public.e().to_bytes_be()),
        })
    }

    /// A JWK Set holding only [`Self::public_jwk`].
    pub fn jwks(&self) -> Value {
        json!({ "keys": [self.public_jwk()] })
    }

    pub(crate) fn encoding(&self) -> &jsonwebtoken::EncodingKey {
        &self.encoding
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkcs1_and_pkcs8_pem_load_to_the_same_key() {
        let key = super::super::token::tests::test_key();
        let pkcs8 = key.to_pkcs8_pem().unwrap();
        let pkcs1 = key.private.to_pkcs1_pem(LineEnding::LF).unwrap().to_string();
        assert!(pkcs8.starts_with("-----BEGIN PRIVATE KEY-----"));
        assert!(pkcs1.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
        let a = SigningKey::from_pem(&pkcs8, "a").unwrap();
        let b = SigningKey::from_pem(&pkcs1, "b").unwrap();
        assert_eq!(a.public_jwk()["n"], b.public_jwk()["n"]);
        assert_eq!(a.public_jwk()["kid"], "a");
        assert!(SigningKey::from_pem("-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n", "x").is_err());
    }

    #[test]
    fn the_jwk_names_its_key_and_algorithm() {
        let jwk = super::super::token::tests::test_key().public_jwk();
        assert_eq!(jwk["kty"], "RSA");
        assert_eq!(jwk["alg"], "RS256");
        assert_eq!(jwk["use"], "sig");
        assert_eq!(jwk["e"], "AQAB");
    }
}
