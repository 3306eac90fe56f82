//! Which URLs the OAuth client follows (security-checks.md §4.5): `https://` to public addresses only; a loopback
//! target may point at loopback (over `http://` too). A malicious target cannot turn discovery into a request to
//! a private network, link-local metadata service or plain-text host.
//!
//! Host names are checked twice: when a URL is taken ([`UrlPolicy::check`], for a clear message) and again when
//! connecting ([`PolicyResolver`], the resolver of the OAuth client's connections), so a name that resolves to a
//! public address first and to a private one on the next lookup (DNS rebinding) still cannot reach it.

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper_util::client::legacy::connect::dns::Name;
use url::{Host, Url};

use super::OAuthError;

/// How long resolving a host name may take.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);

/// The URL rule of one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UrlPolicy {
    /// The target itself is on loopback, so loopback metadata and token URLs are followed (also over `http://`).
    pub(crate) allow_loopback: bool,
}

/// What an address is, for the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AddressClass {
    Public,
    Loopback,
    /// Private, link-local, shared, unspecified, multicast or otherwise not a public unicast address.
    Internal(&'static str),
}

impl UrlPolicy {
    /// The rule for a target at `target` (loopback allowed when the target's host is loopback).
    pub(crate) fn for_target(target: &Url) -> Self {
        let allow_loopback = match target.host() {
            Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            Some(Host::Ipv4(ip)) => classify(IpAddr::V4(ip)) == AddressClass::Loopback,
            Some(Host::Ipv6(ip)) => classify(IpAddr::V6(ip)) == AddressClass::Loopback,
            None => false,
        };
        UrlPolicy { allow_loopback }
    }

    /// Parses `url` and checks it against the rule, resolving a host name (every address it resolves to must pass).
    pub(crate) async fn check(&self, url: &str) -> Result<Url, OAuthError> {
        let refused = |reason: &str| OAuthError::RefusedUrl { url: shown(url), reason: reason.to_owned() };
        let parsed = Url::parse(url).map_err(|e| refused(&format!("not a URL ({e})")))?;
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(refused("the URL carries credentials"));
        }
        if parsed.fragment().is_some() {
            return Err(refused("the URL has a fragment"));
        }
        let scheme = parsed.scheme();
        if scheme != "https" && scheme != "http" {
            return Err(refused(&format!("scheme `{scheme}` (only https)")));
        }
        let port = parsed.port_or_known_default().ok_or_else(|| refused("no port"))?;
        let classes: Vec<AddressClass> = match parsed.host() {
            None => return Err(refused("no host")),
            Some(Host::Ipv4(ip)) => vec![classify(IpAddr::V4(ip))],
            Some(Host::Ipv6(ip)) => vec![classify(IpAddr::V6(ip))],
            Some(Host::Domain(d)) if d.eq_ignore_ascii_case("localhost") => vec![AddressClass::Loopback],
            Some(Host::Domain(d)) => {
                let lookup = tokio::net::lookup_host((d, port));
                let addrs = match tokio::time::timeout(RESOLVE_TIMEOUT, lookup).await {
                    Err(_) => return Err(refused("its host name did not resolve in time")),
                    Ok(Err(e)) => return Err(refused(&format!("its host name does not resolve ({e})"))),
                    Ok(Ok(addrs)) => addrs.map(|a| classify(a.ip())).collect::<Vec<_>>(),
                };
                if addrs.is_empty() {
                    return Err(refused("its host name resolves to no address"));
                }
                addrs
            }
        };
        for class in classes {
            match class {
                AddressClass::Public if scheme == "https" => {}
                AddressClass::Public => return Err(refused("not HTTPS")),
                AddressClass::Loopback if self.allow_loopback => {}
                AddressClass::Loopback => return Err(refused("a loopback address (the target is not on loopback)")),
                AddressClass::Internal(kind) => return Err(refused(&format!("a {kind} address"))),
            }
        }
        Ok(parsed)
    }
}

/// The OAuth client's resolver: the system's answers less every address the [`UrlPolicy`] refuses.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PolicyResolver {
    pub(crate) policy: UrlPolicy,
}

impl tower_service::Service<Name> for PolicyResolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = std::io::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let policy = self.policy;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found = tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((host.as_str(), 0)))
                .await
                .map_err(|_| std::io::Error::other(format!("{host} did not resolve in time")))??;
            let allowed: Vec<SocketAddr> = found.filter(|a| policy.admits(classify(a.ip()))).collect();
            if allowed.is_empty() {
                return Err(std::io::Error::other(format!(
                    "{host} resolves to no address the OAuth client may contact (private, link-local or loopback)"
                )));
            }
            Ok(allowed.into_iter())
        })
    }
}

impl UrlPolicy {
    /// Whether an address of `class` may be connected to (the scheme is [`UrlPolicy::check`]'s concern).
    fn admits(self, class: AddressClass) -> bool {
        match class {
            AddressClass::Public => true,
            AddressClass::Loopback => self.allow_loopback,
            AddressClass::Internal(_) => false,
        }
    }
}

/// `url` without its query and fragment, for messages.
pub(crate) fn shown(url: &str) -> String {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    url[..end].chars().take(200).collect()
}

fn classify(ip: IpAddr) -> AddressClass {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            if v4.is_loopback() {
                AddressClass::Loopback
            } else if v4.is_private() {
                AddressClass::Internal("private")
            } else if v4.is_link_local() {
                AddressClass::Internal("link-local")
            } else if o[0] == 100 && (64..128).contains(&o[1]) {
                AddressClass::Internal("shared (carrier-grade NAT)")
            } else if v4.is_unspecified() || o[0] == 0 {
                AddressClass::Internal("unspecified")
            } else if v4.is_multicast() || v4.is_broadcast() || o[0] >= 240 {
                AddressClass::Internal("multicast or reserved")
            } else if v4.is_documentation() || (o[0] == 198 && (o[1] == 18 || o[1] == 19)) {
                AddressClass::Internal("documentation or benchmarking")
            } else {
                AddressClass::Public
            }
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return classify(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            if v6.is_loopback() {
                AddressClass::Loopback
            } else if v6.is_unspecified() {
                AddressClass::Internal("unspecified")
            } else if first & 0xfe00 == 0xfc00 {
                AddressClass::Internal("unique-local (private)")
            } else if first & 0xffc0 == 0xfe80 {
                AddressClass::Internal("link-local")
            } else if v6.is_multicast() {
                AddressClass::Internal("multicast")
            } else {
                AddressClass::Public
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(target: &str) -> UrlPolicy {
        UrlPolicy::for_target(&Url::parse(target).unwrap())
    }

    #[tokio::test]
    async fn private_link_local_and_plain_http_urls_are_refused() {
        let remote = policy("https://mcp.example.com/mcp");
        let local = policy("http://127.0.0.1:3000/mcp");
        assert!(!remote.allow_loopback && local.allow_loopback);
        for (p, url, why) in [
            (local, "http://10.0.0.1/.well-known/oauth-authorization-server", "private"),
            (remote, "https://10.0.0.1/token", "private"),
            (remote, "https://192.168.1.5/", "private"),
            (remote, "https://169.254.169.254/latest/meta-data", "link-local"),
            (remote, "https://[fe80::1]/", "link-local"),
            (remote, "https://[fd00::1]/", "unique-local"),
            (remote, "https://[::ffff:10.1.2.3]/", "private"),
            (remote, "https://100.64.0.1/", "shared"),
            (remote, "https://127.0.0.1/", "loopback"),
            (remote, "https://localhost/", "loopback"),
            (remote, "http://93.184.216.34/", "not HTTPS"),
            (remote, "ftp://93.184.216.34/", "scheme"),
            (remote, "https://user:pw@93.184.216.34/", "credentials"),
            (remote, "not a url", "not a URL"),
        ] {
            let err = p.check(url).await.unwrap_err();
            assert!(matches!(err, OAuthError::RefusedUrl { .. }) && err.to_string().contains(why), "{url}: {err}");
        }
    }

    #[tokio::test]
    async fn public_https_and_loopback_for_a_loopback_target_pass() {
        let local = policy("http://localhost:3000/mcp");
        assert!(local.check("http://127.0.0.1:9999/token").await.is_ok());
        assert!(local.check("http://[::1]:9999/token").await.is_ok());
        assert!(policy("https://mcp.example.com/").check("https://93.184.216.34/token").await.is_ok());
    }

    #[tokio::test]
    async fn the_resolver_drops_refused_addresses_at_connect_time() {
        use tower_service::Service as _;
        let name = |s: &str| s.parse::<Name>().unwrap();
        let mut remote = PolicyResolver { policy: policy("https://mcp.example.com/mcp") };
        let err = remote.call(name("localhost")).await.unwrap_err();
        assert!(err.to_string().contains("no address the OAuth client may contact"), "{err}");
        let mut local = PolicyResolver { policy: policy("http://127.0.0.1:1/mcp") };
        let addrs: Vec<SocketAddr> = local.call(name("localhost")).await.unwrap().collect();
        assert!(!addrs.is_empty() && addrs.iter().all(|a| a.ip().is_loopback()), "{addrs:?}");
    }

    #[test]
    fn shown_urls_drop_queries() {
        assert_eq!(shown("https://a/b?secret=1#x"), "https://a/b");
    }
}
