//! Services named by the environment (`TEST_DATABASE_URL`, `DATABASE_URL`, …): finding, parsing and probing them.

use std::path::PathBuf;
use std::time::Duration;

use super::config::Service;
use super::error::ServicesError;

/// A service URL found in the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ExternalUrl {
    /// The variable it came from.
    pub(crate) var: &'static str,
    /// The URL as given.
    pub(crate) url: String,
}

/// Where a connection to a service goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Endpoint {
    /// A TCP host (name or address) and port.
    Tcp { host: String, port: u16 },
    /// A Unix-domain socket path.
    Unix(PathBuf),
}

/// The first non-empty variable of [`Service::lookup_vars`].
pub(crate) fn lookup_external(service: Service, lookup: impl Fn(&str) -> Option<String>) -> Option<ExternalUrl> {
    service.lookup_vars().into_iter().find_map(|var| {
        let url = lookup(var)?.trim().to_string();
        (!url.is_empty()).then_some(ExternalUrl { var, url })
    })
}

/// Replaces the password of a URL's user-info (`scheme://user:secret@host`) with `***`.
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else { return url.to_string() };
    let rest = &url[scheme_end + 3..];
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    // The user-info ends at the last '@' of the authority (an unencoded '@' in a password is common enough).
    let Some(at) = rest[..authority_len].rfind('@').or_else(|| rest.rfind('@')) else { return url.to_string() };
    let userinfo = &rest[..at];
    match userinfo.find(':') {
        Some(colon) => format!("{}{}:***{}", &url[..scheme_end + 3], &userinfo[..colon], &rest[at..]),
        None => url.to_string(),
    }
}

/// Where `url` points, for a probe. Understands `postgres[ql]://` (TCP, or a Unix socket directory as host or in
/// `?host=`) and `redis://`, `rediss://`, `valkey://`, `redis+unix://`, `unix://`.
pub(crate) fn endpoint(service: Service, url: &str) -> Result<Endpoint, String> {
    let (scheme, rest) = url.split_once("://").ok_or_else(|| "not a URL (no `scheme://`)".to_string())?;
    let scheme = scheme.to_ascii_lowercase();
    let (main, query) = match rest.rfind('@') {
        // Split the query off after the user-info, so a '?' in a password does not cut the URL short.
        Some(at) => {
            let q = rest[at..].find('?').map(|i| at + i);
            (q.map_or(rest, |i| &rest[..i]), q.map(|i| &rest[i + 1..]))
        }
        None => match rest.split_once('?') {
            Some((m, q)) => (m, Some(q)),
            None => (rest, None),
        },
    };
    let hostpart_start = main.rfind('@').map_or(0, |i| i + 1);
    let hostpart = &main[hostpart_start..];
    let hostpart = &hostpart[..hostpart.find('/').unwrap_or(hostpart.len())];
    let param = |key: &str| {
        query?.split('&').find_map(|kv| kv.split_once('=').filter(|(k, _)| *k == key).map(|(_, v)| percent_decode(v)))
    };

    match (service, scheme.as_str()) {
        (Service::Postgres, "postgres" | "postgresql") => {
            // Several hosts ("h1:5432,h2:5433"): probe the first.
            let first = hostpart.split(',').next().unwrap_or_default();
            let (host, port) = split_host_port(first)?;
            let port = match param("port") {
                Some(p) => parse_port(&p)?,
                None => port.unwrap_or(5432),
            };
            let host = param("host").unwrap_or(host);
            if host.is_empty() || host.starts_with('/') {
                let dir = if host.is_empty() { "/var/run/postgresql".to_string() } else { host };
                Ok(Endpoint::Unix(PathBuf::from(dir).join(format!(".s.PGSQL.{port}"))))
            } else {
                Ok(Endpoint::Tcp { host, port })
            }
        }
        (Service::Redis, "redis" | "rediss" | "valkey" | "valkeys") => {
            let (host, port) = split_host_port(hostpart)?;
            if host.is_empty() {
                return Err("no host".to_string());
            }
            Ok(Endpoint::Tcp { host, port: port.unwrap_or(6379) })
        }
        (Service::Redis, "redis+unix" | "unix") => {
            let path = percent_decode(&main[hostpart_start..]);
            if path.is_empty() {
                return Err("no socket path".to_string());
            }
            Ok(Endpoint::Unix(PathBuf::from(path)))
        }
        (_, other) => Err(format!("unsupported scheme `{other}` for {service}")),
    }
}

/// Connects to `endpoint` once, within `timeout`, and closes the connection.
pub(crate) async fn probe(endpoint: &Endpoint, timeout: Duration) -> Result<(), String> {
    let attempt = async {
        match endpoint {
            Endpoint::Tcp { host, port } => tokio::net::TcpStream::connect((host.as_str(), *port)).await.map(drop),
            Endpoint::Unix(path) => tokio::net::UnixStream::connect(path).await.map(drop),
        }
    };
    match tokio::time::timeout(timeout, attempt).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("no connection within {timeout:?}")),
    }
}

/// Resolves and probes the environment's URL for `service`, if there is one.
pub(crate) async fn resolve(
    service: Service,
    lookup: impl Fn(&str) -> Option<String>,
    timeout: Duration,
) -> Result<Option<ExternalUrl>, ServicesError> {
    let Some(found) = lookup_external(service, lookup) else { return Ok(None) };
    let target = endpoint(service, &found.url).map_err(|why| ServicesError::Config {
        reason: format!("{}={} cannot be used for {service}: {why}", found.var, redact_url(&found.url)),
    })?;
    probe(&target, timeout).await.map_err(|reason| ServicesError::Unreachable {
        service,
        var: found.var,
        url: redact_url(&found.url),
        reason,
    })?;
    Ok(Some(found))
}

fn split_host_port(hostport: &str) -> Result<(String, Option<u16>), String> {
    if let Some(inner) = hostport.strip_prefix('[') {
        let (host, after) = inner.split_once(']').ok_or_else(|| "unclosed `[` in host".to_string())?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(parse_port(p)?),
            None if after.is_empty() => None,
            None => return Err(format!("unexpected `{after}` after host")),
        };
        return Ok((host.to_string(), port));
    }
    match hostport.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() => Ok((percent_decode(host), Some(parse_port(port)?))),
        Some((host, _)) => Ok((percent_decode(host), None)),
        None => Ok((percent_decode(hostport), None)),
    }
}

fn parse_port(text: &str) -> Result<u16, String> {
    text.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| format!("invalid port `{text}`"))
}

fn percent_decode(text: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(high), Some(low)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(high * 16 + low);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn tcp(host: &str, port: u16) -> Endpoint {
        Endpoint::Tcp { host: host.to_string(), port }
    }

    #[test]
    fn test_variables_win_and_empty_ones_are_skipped() {
        let vars: HashMap<&str, &str> = [
            ("TEST_DATABASE_URL", "postgres://t@db/x"),
            ("DATABASE_URL", "postgres://d@db/x"),
            ("TEST_REDIS_URL", " "),
        ]
        .into();
        let lookup = |k: &str| vars.get(k).map(|v| v.to_string());
        let pg = lookup_external(Service::Postgres, lookup).expect("postgres");
        assert_eq!((pg.var, pg.url.as_str()), ("TEST_DATABASE_URL", "postgres://t@db/x"));
        assert_eq!(lookup_external(Service::Redis, lookup), None);

        let only_plain = |k: &str| (k == "REDIS_URL").then(|| "redis://cache:6380".to_string());
        assert_eq!(lookup_external(Service::Redis, only_plain).map(|e| e.var), Some("REDIS_URL"));
    }

    #[test]
    fn postgres_urls() {
        let cases = [
            ("postgres://u:p@127.0.0.1:5433/db", tcp("127.0.0.1", 5433)),
            ("postgresql://u@db.internal/db?sslmode=disable", tcp("db.internal", 5432)),
            ("postgres://u:p%40ss@[::1]:6000/db", tcp("::1", 6000)),
            ("postgres://u:p@h1:5001,h2:5002/db", tcp("h1", 5001)),
            ("postgres://u:pa?ss@h:7/db?connect_timeout=2", tcp("h", 7)),
            ("postgres://u:p@h/db?port=6543", tcp("h", 6543)),
            ("postgres:///db", Endpoint::Unix("/var/run/postgresql/.s.PGSQL.5432".into())),
            ("postgres://%2Ftmp%2Fpg:5444/db", Endpoint::Unix("/tmp/pg/.s.PGSQL.5444".into())),
            ("postgres://u@/db?host=/run/pg", Endpoint::Unix("/run/pg/.s.PGSQL.5432".into())),
        ];
        for (url, want) in cases {
            assert_eq!(endpoint(Service::Postgres, url), Ok(want), "{url}");
        }
        for bad in
            ["localhost:5432", "mysql://h/db", "postgres://h:99999/db", "postgres://h:x/db", "postgres://[::1/db"]
        {
            assert!(endpoint(Service::Postgres, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn redis_urls() {
        let cases = [
            ("redis://127.0.0.1:6380", tcp("127.0.0.1", 6380)),
            ("redis://:secret@cache/2", tcp("cache", 6379)),
            ("rediss://user:pw@cache.example:6390/0", tcp("cache.example", 6390)),
            ("redis+unix:///run/redis.sock", Endpoint::Unix("/run/redis.sock".into())),
            ("unix:///tmp/r.sock?db=1", Endpoint::Unix("/tmp/r.sock".into())),
        ];
        for (url, want) in cases {
            assert_eq!(endpoint(Service::Redis, url), Ok(want), "{url}");
        }
        for bad in ["redis://", "http://cache:6379", "redis://:6379"] {
            assert!(endpoint(Service::Redis, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords_are_redacted() {
        let cases = [
            ("postgres://u:secret@h:5432/db", "postgres://u:***@h:5432/db"),
            ("postgres://u:se@cret@h/db", "postgres://u:***@h/db"),
            ("redis://:pw@cache:6379/0", "redis://:***@cache:6379/0"),
            ("redis://cache:6379", "redis://cache:6379"),
            ("postgres://user@h/db", "postgres://user@h/db"),
            ("not a url", "not a url"),
        ];
        for (url, want) in cases {
            assert_eq!(redact_url(url), want, "{url}");
        }
    }

    #[tokio::test]
    async fn probe_connects_or_reports() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let open = tcp("127.0.0.1", port);
        assert_eq!(probe(&open, Duration::from_secs(2)).await, Ok(()));
        drop(listener);
        assert!(probe(&open, Duration::from_secs(2)).await.is_err());
        assert!(probe(&Endpoint::Unix("/nonexistent/sock".into()), Duration::from_secs(1)).await.is_err());
    }

    #[tokio::test]
    async fn resolve_classifies_unreachable_and_unparsable_urls() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        drop(listener);
        let url = format!("postgres://u:secret@127.0.0.1:{port}/db");
        let got =
            resolve(Service::Postgres, |k| (k == "DATABASE_URL").then(|| url.clone()), Duration::from_secs(2)).await;
        match got {
            Err(ServicesError::Unreachable { var: "DATABASE_URL", url, .. }) => assert!(!url.contains("secret")),
            other => panic!("{other:?}"),
        }
        let got =
            resolve(Service::Redis, |k| (k == "REDIS_URL").then(|| "cache:6379".into()), Duration::from_secs(1)).await;
        assert!(matches!(got, Err(ServicesError::Config { .. })), "{got:?}");
        let none = resolve(Service::Redis, |_| None, Duration::from_secs(1)).await;
        assert!(matches!(none, Ok(None)));
    }
}
