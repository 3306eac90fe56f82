//! `mcp-harness auth keygen`: the signing key the harness mints access tokens with, and the JWKS a server under
//! test is told to trust.

use std::io::Write as _;
use std::path::Path;

use anyhow::{Context as _, Result, bail};
use mcp_harness::auth::SigningKey;

use super::args::{AuthArgs, KeygenArgs};

/// The private key's file name in `--out`.
pub(crate) const KEY_FILE: &str = "signing-key.pem";
/// The JWK Set's file name in `--out`.
pub(crate) const JWKS_FILE: &str = "jwks.json";

/// Writes `signing-key.pem` (PKCS#8, mode 0600) and `jwks.json` into `args.out`.
pub(crate) fn keygen(args: &KeygenArgs) -> Result<()> {
    std::fs::create_dir_all(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?;
    let key_path = args.out.join(KEY_FILE);
    if key_path.exists() && !args.force {
        bail!("{} exists (use --force to replace it)", key_path.display());
    }
    let key = SigningKey::generate(args.kid.clone())?;
    write_private(&key_path, key.to_pkcs8_pem()?.as_bytes())?;
    let jwks_path = args.out.join(JWKS_FILE);
    let jwks = serde_json::to_string_pretty(&key.jwks())? + "\n";
    std::fs::write(&jwks_path, jwks).with_context(|| format!("cannot write {}", jwks_path.display()))?;
    eprintln!("Wrote {} (private, mode 0600) and {} (kid {:?})", key_path.display(), jwks_path.display(), key.kid());
    Ok(())
}

/// Creates `path` readable by its owner only (mode 0600 from the start, not chmod after writing).
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let _ = std::fs::remove_file(path);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(bytes).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// The run's authorization options from the flags (tokens read from the named environment variables).
pub(crate) fn options(args: &AuthArgs) -> Result<mcp_harness::auth::AuthOptions> {
    let env = |flag: &str, var: &Option<String>| -> Result<Option<mcp_harness::runner::SecretToken>> {
        match var {
            Some(var) => Ok(Some(mcp_harness::runner::SecretToken(
                std::env::var(var).with_context(|| format!("{flag} names `{var}`, which is not set"))?,
            ))),
            None => Ok(None),
        }
    };
    let signing_key = match &args.auth_signing_key {
        Some(path) => {
            Some(std::sync::Arc::new(SigningKey::load(path, args.auth_key_id.clone()).context("--auth-signing-key")?))
        }
        None => None,
    };
    Ok(mcp_harness::auth::AuthOptions {
        signing_key,
        issuer: args.auth_issuer.clone(),
        audience: args.auth_audience.clone(),
        expired_token: env("--expired-token-env", &args.expired_token_env)?,
        wrong_audience_token: env("--wrong-audience-token-env", &args.wrong_audience_token_env)?,
        low_scope_token: env("--low-scope-token-env", &args.low_scope_token_env)?,
    })
}
