//! Why the OAuth client could not get a token. Every message is one line and carries no secret.

/// A failed step of the OAuth flow. The run reports it once, as "could not test".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OAuthError {
    /// A URL from the target or an authorization server is not one the harness follows.
    #[error("refused to fetch {url}: {reason}")]
    RefusedUrl {
        /// The URL (without query).
        url: String,
        /// Why (not HTTPS, a private or link-local address, …).
        reason: String,
    },
    /// A metadata or token request failed at the network level or timed out.
    #[error("failed to reach {url}: {detail}")]
    Unreachable {
        /// The URL.
        url: String,
        /// The cause.
        detail: String,
    },
    /// No protected-resource metadata was found (neither a `resource_metadata` challenge nor a well-known URL).
    #[error("no protected-resource metadata (RFC 9728) found for {target}: tried {tried}")]
    NoResourceMetadata {
        /// The target URL.
        target: String,
        /// The URLs tried, with what each answered.
        tried: String,
    },
    /// No authorization-server metadata (RFC 8414 / OpenID) was found.
    #[error("no authorization-server metadata found for {issuer}: tried {tried}")]
    NoServerMetadata {
        /// The authorization server.
        issuer: String,
        /// The URLs tried, with what each answered.
        tried: String,
    },
    /// A metadata document is not what the RFC requires.
    #[error("invalid metadata from {url}: {reason}")]
    InvalidMetadata {
        /// The document's URL.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// The token endpoint refused the grant.
    #[error("the token endpoint {url} refused the grant: HTTP {status}{error}")]
    Refused {
        /// The token endpoint.
        url: String,
        /// The status code.
        status: u16,
        /// `: <error> (<error_description>)` when the endpoint said so (clipped, secrets removed), else empty.
        error: String,
    },
    /// The token endpoint's answer is not a usable bearer token.
    #[error("invalid token response from {url}: {reason}")]
    InvalidToken {
        /// The token endpoint.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// The target rejects even a token just granted for it.
    #[error("the target answered 401 to a token just granted by {url}: the grant does not authorize this resource")]
    TokenRejected {
        /// The token endpoint.
        url: String,
    },
    /// The client is configured in a way no flow can use (e.g. no auth method both sides support).
    #[error("OAuth client configuration: {0}")]
    Config(String),
}
