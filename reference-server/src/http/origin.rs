//! Host and Origin validation against DNS rebinding and cross-site requests.
//!
//! Loopback hosts and origins are always allowed; everything else must be on
//! the configured allow-lists (`--allowed-host`, `--allowed-origin`).

/// Which `Host` and `Origin` header values are accepted.
#[derive(Debug, Clone)]
pub(crate) struct OriginPolicy {
    extra_hosts: Vec<String>,
    extra_origins: Vec<String>,
    any_origin: bool,
}

const LOOPBACK_HOSTS: &[&str] = &["localhost", "127.0.0.1", "[::1]", "::1"];

impl OriginPolicy {
    /// A policy allowing loopback plus the given hosts and origins (`*` = any origin).
    pub(crate) fn new(origins: &[String], hosts: &[String]) -> Self {
        Self {
            extra_hosts: hosts.iter().map(|h| h.to_ascii_lowercase()).collect(),
            extra_origins: origins
                .iter()
                .filter(|o| o.as_str() != "*")
                .map(|o| o.trim_end_matches('/').to_ascii_lowercase())
                .collect(),
            any_origin: origins.iter().any(|o| o == "*"),
        }
    }

    /// Whether every Origin is accepted (`--allowed-origin '*'`).
    pub(crate) fn any_origin(&self) -> bool {
        self.any_origin
    }

    /// Whether a `Host` header value (`host[:port]`) is accepted.
    pub(crate) fn host_allowed(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        let name = strip_port(&host);
        LOOPBACK_HOSTS.contains(&name) || self.extra_hosts.iter().any(|h| h == &host || h == name)
    }

    /// Whether an `Origin` header value is accepted.
    pub(crate) fn origin_allowed(&self, origin: &str) -> bool {
        if self.any_origin {
            return true;
        }
        let origin = origin.trim_end_matches('/').to_ascii_lowercase();
        if self.extra_origins.contains(&origin) {
            return true;
        }
        let Some((scheme, authority)) = origin.split_once("://") else {
            return false; // includes the opaque origin "null"
        };
        matches!(scheme, "http" | "https")
            && !authority.contains('/')
            && LOOPBACK_HOSTS.contains(&strip_port(authority))
    }

    /// The same host list in rmcp's format.
    pub(crate) fn rmcp_allowed_hosts(&self) -> Vec<String> {
        LOOPBACK_HOSTS.iter().map(|h| h.trim_matches(['[', ']']).to_string()).chain(self.extra_hosts.clone()).collect()
    }

    /// The same origin list in rmcp's format.
    pub(crate) fn rmcp_allowed_origins(&self) -> Vec<String> {
        ["http", "https"]
            .iter()
            .flat_map(|scheme| ["localhost", "127.0.0.1", "[::1]"].map(|host| format!("{scheme}://{host}:*")))
            .chain(self.extra_origins.clone())
            .collect()
    }
}

/// `host` without a trailing `:port` (IPv6 literals keep their brackets).
fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host.find(']').map_or(host, |end| &host[..=end]);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
        _ => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> OriginPolicy {
        OriginPolicy::new(&["https://app.example.com".into()], &["mcp.example.com".into()])
    }

    #[test]
    fn loopback_hosts_are_allowed_with_or_without_port() {
        let policy = policy();
        for host in ["localhost", "localhost:3000", "127.0.0.1:8080", "[::1]:9000", "LOCALHOST"] {
            assert!(policy.host_allowed(host), "{host}");
        }
        assert!(policy.host_allowed("mcp.example.com:443"));
        assert!(!policy.host_allowed("evil.example:80"));
        assert!(!policy.host_allowed("localhost.evil.com"));
    }

    #[test]
    fn only_loopback_and_listed_origins_are_allowed() {
        let policy = policy();
        assert!(policy.origin_allowed("http://localhost:5173"));
        assert!(policy.origin_allowed("https://127.0.0.1"));
        assert!(policy.origin_allowed("https://app.example.com"));
        assert!(!policy.origin_allowed("https://evil.example.com"));
        assert!(!policy.origin_allowed("http://localhost.evil.com"));
        assert!(!policy.origin_allowed("null"));
        assert!(!policy.origin_allowed("file://localhost"));
    }

    #[test]
    fn star_allows_any_origin() {
        assert!(OriginPolicy::new(&["*".into()], &[]).origin_allowed("https://evil.example.com"));
    }
}
