//! A local server the harness launched listens on loopback only: its port is closed on this machine's other
//! addresses.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use crate::check::{
    Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Finding, Level, Outcome, Severity, SkipReason,
    Suite, Transports,
};
use crate::check_fn;
use crate::checks::http::probe::loopback_authority;

/// Time to wait for one connection.
const CONNECT_TIMEOUT: Duration = Duration::from_millis(500);

/// At most this many addresses are tried.
const MAX_ADDRESSES: usize = 16;

/// What to change when the check fails.
const REMEDIATION: &str = "listen on 127.0.0.1 (or [::1]) when the server runs locally, not on 0.0.0.0 or [::]: \
     every host that can reach this machine can otherwise talk to the server";

/// The launched server's port is closed on every non-loopback address of this machine.
///
/// Applies only to a server the harness started itself (the bundled reference server over Streamable HTTP): its
/// port is then known to belong to it, and connecting to that port on this machine's own addresses touches nothing
/// else. A URL target may run elsewhere, or share its port number with another service on another address of this
/// machine, so it is not probed. One TCP connection per address (at most 16), each bounded by 500 ms; nothing is
/// sent on it. The rule is a SHOULD: a warning.
pub(crate) const BIND_LOOPBACK: Check = Check {
    meta: CheckMeta {
        id: CheckId("security.http.bind-loopback"),
        title: "a locally launched server listens on loopback only: its port is closed on the machine's other addresses",
        suite: Suite::Security,
        level: Level::Should,
        requirements: &["security.bind-loopback", "security.local-server-compromise"],
        applies: Applicability { transports: Transports::Http, ..Applicability::ALWAYS },
        tags: &["http", "security", "bind"],
    },
    run: check_fn!(bind_loopback),
};

async fn bind_loopback(cx: &mut CheckContext) -> Conclusion {
    if !cx.http_server_launched_here() {
        return Ok(Outcome::skip(
            SkipReason::NotApplicable,
            "the target is a URL the harness did not start: which addresses it listens on is only probed for servers \
             the harness launches itself (--reference http)",
        ));
    }
    let url = cx.http_target().map(|t| t.url.clone()).unwrap_or_default();
    let Some((_, port)) = loopback_authority(&url) else {
        return Ok(Outcome::skip(
            SkipReason::NotApplicable,
            format!("the launched server's URL {url} is not loopback"),
        ));
    };
    let mut addresses = interface_addresses();
    addresses.truncate(MAX_ADDRESSES);
    if addresses.is_empty() {
        return Ok(Outcome::skip(
            SkipReason::NothingToTest,
            "this machine has no non-loopback interface address to connect to (or they could not be read)",
        ));
    }
    let open = reachable(&addresses, port, CONNECT_TIMEOUT).await;
    let tried = addresses.iter().map(IpAddr::to_string).collect::<Vec<_>>().join(", ");
    if open.is_empty() {
        return Ok(Outcome::pass_with(format!("port {port} closed on {tried}")));
    }
    let open = open.iter().map(|a| SocketAddr::new(*a, port).to_string()).collect::<Vec<_>>().join(", ");
    let finding = Finding::new(Severity::Medium, Some(1327), REMEDIATION)
        .matched(&open)
        .request(format!("TCP connect to port {port} on {tried}"))
        .answer(format!("connection accepted on {open}"));
    Ok(Outcome::violated(
        format!("port {port} reachable on 127.0.0.1 only, closed on {tried}"),
        format!("the server at {url} also accepts connections on {open}"),
    )
    .with_finding(finding))
}

/// The addresses among `addresses` where `port` accepts a TCP connection within `timeout` (tried concurrently).
async fn reachable(addresses: &[IpAddr], port: u16, timeout: Duration) -> Vec<IpAddr> {
    let attempts = addresses.iter().map(|ip| async move {
        let connect = tokio::net::TcpStream::connect(SocketAddr::new(*ip, port));
        matches!(tokio::time::timeout(timeout, connect).await, Ok(Ok(_))).then_some(*ip)
    });
    futures::future::join_all(attempts).await.into_iter().flatten().collect()
}

/// This machine's non-loopback, non-link-local interface addresses (Linux: `/proc/net/fib_trie` for IPv4,
/// `/proc/net/if_inet6` for IPv6); empty elsewhere or when they cannot be read.
fn interface_addresses() -> Vec<IpAddr> {
    let v4 = std::fs::read_to_string("/proc/net/fib_trie").map(|t| local_ipv4(&t)).unwrap_or_default();
    let v6 = std::fs::read_to_string("/proc/net/if_inet6").map(|t| global_ipv6(&t)).unwrap_or_default();
    v4.into_iter().map(IpAddr::V4).chain(v6.into_iter().map(IpAddr::V6)).collect()
}

/// The host addresses of `/proc/net/fib_trie` (a `|-- a.b.c.d` line followed by `/32 host LOCAL`), without
/// loopback and link-local ones, deduplicated, in order.
fn local_ipv4(fib_trie: &str) -> Vec<Ipv4Addr> {
    let mut out = Vec::new();
    let mut last: Option<Ipv4Addr> = None;
    for line in fib_trie.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("|-- ") {
            last = rest.trim().parse().ok();
        } else if line.starts_with("/32 host LOCAL")
            && let Some(ip) = last
            && !ip.is_loopback()
            && !ip.is_link_local()
            && !out.contains(&ip)
        {
            out.push(ip);
        }
    }
    out
}

/// The addresses of `/proc/net/if_inet6` (32 hex digits, index, prefix, scope, flags, name) with global scope.
fn global_ipv6(if_inet6: &str) -> Vec<Ipv6Addr> {
    if_inet6
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let hex = fields.next()?;
            let scope = fields.nth(2)?;
            let bits = u128::from_str_radix(hex, 16).ok().filter(|_| hex.len() == 32)?;
            (scope == "00").then(|| Ipv6Addr::from(bits)).filter(|ip| !ip.is_loopback() && !ip.is_unspecified())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIB_TRIE: &str = "Main:
  +-- 0.0.0.0/0 3 0 5
     |-- 0.0.0.0
        /0 universe UNICAST
     +-- 127.0.0.0/8 2 0 2
        +-- 127.0.0.0/31 1 0 0
           |-- 127.0.0.0
              /8 host LOCAL
           |-- 127.0.0.1
              /32 host LOCAL
     |-- 172.17.0.0
        /16 link UNICAST
     |-- 172.17.0.3
        /32 host LOCAL
     |-- 172.17.255.255
        /32 link BROADCAST
Local:
     |-- 172.17.0.3
        /32 host LOCAL
";

    #[test]
    fn fib_trie_yields_the_host_addresses_without_loopback() {
        assert_eq!(local_ipv4(FIB_TRIE), vec![Ipv4Addr::new(172, 17, 0, 3)]);
    }

    #[test]
    fn if_inet6_yields_global_addresses_only() {
        let text = "00000000000000000000000000000001 01 80 10 80       lo
fe800000000000000042acfffe110003 02 40 20 80     eth0
20010db8000000000000000000000005 02 40 00 80     eth0
";
        assert_eq!(global_ipv6(text), vec!["2001:db8::5".parse::<Ipv6Addr>().unwrap()]);
    }

    #[tokio::test]
    async fn a_listening_port_is_reachable_only_where_it_is_bound() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let bound: IpAddr = Ipv4Addr::LOCALHOST.into();
        // 127.0.0.2 routes to this machine too, but nothing listens there.
        let other: IpAddr = Ipv4Addr::new(127, 0, 0, 2).into();
        assert_eq!(reachable(&[bound, other], port, Duration::from_millis(500)).await, vec![bound]);
    }
}
