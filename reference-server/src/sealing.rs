//! Encryption at rest of the data tools' sensitive fields.
//!
//! A record field named `secret`, `password`, `email` or `notes` ([`SENSITIVE_FIELDS`]) is stored — in the memory
//! store, in the Postgres `data` column and in the result caches (LRU and Redis) — as the string
//! `enc:v1:<base64(nonce ‖ ciphertext)>`: its JSON text encrypted with AES-256-GCM under a random 96-bit nonce, the
//! field name bound as associated data (a value cannot be moved to another field). The data tools and the
//! `data://records/{id}` resource open the fields again before answering, so callers only ever see plaintext.
//!
//! The key is `MCP_REFERENCE_DATA_KEY` / `--data-key` (base64 of 32 bytes). Without it a random key is drawn per
//! process: fine for the memory store, but records left in Postgres cannot be opened after a restart.
//!
//! Encrypted values cannot be compared, so `data_query` refuses filters and sorting on a sensitive field.

use std::collections::BTreeMap;

use aes_gcm::{
    Aes256Gcm, Key, Nonce,
    aead::{Aead, KeyInit, Payload},
};
use base64::{Engine as _, engine::general_purpose::STANDARD};
use rand::RngCore as _;
use serde_json::Value;

use crate::{error::StartupError, store::Query};

/// Record fields encrypted at rest.
pub(crate) const SENSITIVE_FIELDS: &[&str] = &["secret", "password", "email", "notes"];

/// Prefix of a sealed value; the version names the format (AES-256-GCM, 12-byte nonce, JSON plaintext).
const PREFIX: &str = "enc:v1:";
const NONCE_LEN: usize = 12;
const KEY_LEN: usize = 32;

/// Whether `field` is encrypted at rest.
pub(crate) fn is_sensitive(field: &str) -> bool {
    SENSITIVE_FIELDS.contains(&field)
}

/// A sealed field that could not be opened.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "field `{field}` cannot be decrypted with this server's data key (was it written under another \
     MCP_REFERENCE_DATA_KEY?)"
)]
pub(crate) struct OpenError {
    /// The field's name.
    pub field: String,
}

/// Seals and opens sensitive fields with one AES-256-GCM key.
pub(crate) struct FieldSealer {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for FieldSealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FieldSealer").finish_non_exhaustive()
    }
}

impl FieldSealer {
    /// The sealer of `key` (base64 of 32 bytes), or of a random key (with a one-line notice on stderr) when `None`.
    pub(crate) fn from_config(key: Option<&str>) -> Result<Self, StartupError> {
        let bytes = match key {
            Some(text) => {
                let bytes = STANDARD.decode(text.trim()).map_err(|_| {
                    StartupError::Config("MCP_REFERENCE_DATA_KEY / --data-key is not valid base64".into())
                })?;
                if bytes.len() != KEY_LEN {
                    return Err(StartupError::Config(format!(
                        "MCP_REFERENCE_DATA_KEY / --data-key must be the base64 of {KEY_LEN} bytes, got {} bytes",
                        bytes.len()
                    )));
                }
                bytes
            }
            None => {
                eprintln!(
                    "mcp-reference-server: MCP_REFERENCE_DATA_KEY is not set; sensitive record fields are encrypted \
                     with a random per-process key"
                );
                let mut bytes = vec![0u8; KEY_LEN];
                rand::rng().fill_bytes(&mut bytes);
                bytes
            }
        };
        Ok(Self::new(&bytes))
    }

    fn new(key: &[u8]) -> Self {
        Self { cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key)) }
    }

    /// Seals every sensitive field of `data` in place (`null`, meaning "remove" in a patch, stays `null`).
    pub(crate) fn seal_fields(&self, data: &mut BTreeMap<String, Value>) {
        for (field, value) in data.iter_mut() {
            if is_sensitive(field) && !value.is_null() {
                *value = Value::String(self.seal(field, value));
            }
        }
    }

    fn seal(&self, field: &str, value: &Value) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let plaintext = value.to_string();
        let ciphertext = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: plaintext.as_bytes(), aad: field.as_bytes() })
            .unwrap_or_default(); // AES-GCM encryption fails only beyond 64 GiB.
        let mut sealed = Vec::with_capacity(NONCE_LEN + ciphertext.len());
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&ciphertext);
        format!("{PREFIX}{}", STANDARD.encode(sealed))
    }

    /// Opens every sealed sensitive field of a record's `data` object in place. Values not in the sealed format
    /// (written before encryption, or in other fields) are left as they are.
    pub(crate) fn open_fields<'a>(
        &self,
        data: impl IntoIterator<Item = (&'a String, &'a mut Value)>,
    ) -> Result<(), OpenError> {
        for (field, value) in data {
            if !is_sensitive(field) {
                continue;
            }
            let Some(sealed) = value.as_str().and_then(|s| s.strip_prefix(PREFIX)) else {
                continue;
            };
            *value = self.open(field, sealed).ok_or_else(|| OpenError { field: field.clone() })?;
        }
        Ok(())
    }

    fn open(&self, field: &str, sealed: &str) -> Option<Value> {
        let bytes = STANDARD.decode(sealed).ok()?;
        if bytes.len() < NONCE_LEN {
            return None;
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let plaintext =
            self.cipher.decrypt(Nonce::from_slice(nonce), Payload { msg: ciphertext, aad: field.as_bytes() }).ok()?;
        serde_json::from_slice(&plaintext).ok()
    }

    /// Opens the `data` of a record serialised as JSON (`{"id", "data": {…}, …}`).
    pub(crate) fn open_record_value(&self, record: &mut Value) -> Result<(), OpenError> {
        match record.get_mut("data") {
            Some(Value::Object(data)) => self.open_fields(data.iter_mut()),
            _ => Ok(()),
        }
    }

    /// Why `query` cannot run over sealed values (a filter or the sort on a sensitive field), if so.
    pub(crate) fn refusal(query: &Query) -> Option<String> {
        let field = query
            .filters
            .iter()
            .map(|f| f.field.as_str())
            .chain(query.order_by.as_deref())
            .find(|f| is_sensitive(f))?;
        Some(format!("field `{field}` is encrypted at rest: it cannot be filtered or sorted on"))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn data(value: Value) -> BTreeMap<String, Value> {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn sensitive_fields_round_trip_and_others_stay_plain() {
        let sealer = FieldSealer::new(&[7; 32]);
        let original = data(json!({"secret": "s3cr3t", "email": {"home": "a@b.c"}, "qty": 3, "notes": null}));
        let mut sealed = original.clone();
        sealer.seal_fields(&mut sealed);
        assert_eq!(sealed["qty"], json!(3));
        assert_eq!(sealed["notes"], Value::Null);
        for field in ["secret", "email"] {
            let text = sealed[field].as_str().expect("sealed as a string");
            assert!(text.starts_with("enc:v1:"), "{text}");
            assert!(!text.contains("s3cr3t") && !text.contains("a@b.c"), "{text}");
        }
        // A fresh nonce per value: sealing twice never gives the same text.
        let mut again = original.clone();
        sealer.seal_fields(&mut again);
        assert_ne!(again["secret"], sealed["secret"]);
        sealer.open_fields(sealed.iter_mut()).unwrap();
        assert_eq!(sealed, original);
    }

    #[test]
    fn another_key_or_another_field_cannot_open() {
        let sealer = FieldSealer::new(&[7; 32]);
        let mut sealed = data(json!({"secret": "x"}));
        sealer.seal_fields(&mut sealed);
        let mut moved = data(json!({"password": sealed["secret"].clone()}));
        assert_eq!(sealer.open_fields(moved.iter_mut()), Err(OpenError { field: "password".into() }));
        let other = FieldSealer::new(&[8; 32]);
        assert_eq!(other.open_fields(sealed.iter_mut()), Err(OpenError { field: "secret".into() }));
    }

    #[test]
    fn keys_must_be_base64_of_32_bytes() {
        assert!(FieldSealer::from_config(Some(&STANDARD.encode([1u8; 32]))).is_ok());
        for bad in ["not base64!", &STANDARD.encode([1u8; 16])] {
            let error = FieldSealer::from_config(Some(bad)).unwrap_err().to_string();
            assert!(error.contains("MCP_REFERENCE_DATA_KEY"), "{error}");
        }
    }
}
