//! OAuth 2.1 access tokens for the security suite's authorization checks: the harness's signing key
//! ([`SigningKey`], `mcp-harness auth keygen`), minted tokens ([`token`]), `WWW-Authenticate` challenges
//! ([`challenge`]), protected resource metadata ([`prm`]) and what a run resolves from them ([`RunAuth`]).

pub mod challenge;
mod key;
pub mod prm;
mod resolve;
pub mod token;

pub use key::{DEFAULT_KEY_ID, SigningKey};
pub use resolve::{AuthOptions, RunAuth, TokenSource};
pub(crate) use resolve::{fetch_metadata, metadata_wire};

/// Why a key could not be loaded or a token not minted.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The signing key is unusable.
    #[error("signing key: {0}")]
    Key(String),
    /// A token could not be signed.
    #[error("cannot mint a token: {0}")]
    Mint(String),
}
