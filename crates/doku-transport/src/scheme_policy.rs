//! Which request targets the transport is willing to contact.
//!
//! DOKU is only ever reached over `https://`. Plain `http://` exists for one
//! reason: talking to a local simulator during development and tests. To keep
//! a misconfigured base URL from sending signed requests and bearer tokens in
//! clear text across a network, plain HTTP is allowed only to loopback hosts
//! unless the configuration opts in explicitly.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use http::Uri;

use crate::error::TransportError;

/// Checks `uri` against the scheme policy.
///
/// `allow_insecure_http` lifts the loopback restriction for `http://` but
/// never admits other schemes.
pub(crate) fn check(uri: &Uri, allow_insecure_http: bool) -> Result<(), TransportError> {
    // Runs on every attempt: no error value is built unless it is returned, and the host is
    // read off the authority's text directly (`Uri::host` splits it with two string searches).
    let scheme = uri.scheme_str().ok_or_else(|| TransportError::InvalidUri {
        reason: "the request URI must be absolute (scheme and host)",
    })?;
    let host = uri
        .authority()
        .map(|authority| host_of(authority.as_str()))
        .filter(|h| !h.is_empty())
        .ok_or_else(|| TransportError::InvalidUri {
            reason: "the request URI has no host",
        })?;
    if scheme.eq_ignore_ascii_case("https") {
        return Ok(());
    }
    if !scheme.eq_ignore_ascii_case("http") {
        return Err(TransportError::UnsupportedScheme {
            scheme: scheme.to_owned(),
        });
    }
    if allow_insecure_http || is_loopback_host(host) {
        Ok(())
    } else {
        Err(TransportError::InsecureHttp {
            host: host.to_owned(),
        })
    }
}

/// The host of an authority (`[user@]host[:port]`), as `http::uri::Authority::host` reads it:
/// after the last `@`; an IPv6 literal with its brackets; else up to the first `:`.
fn host_of(authority: &str) -> &str {
    let bytes = authority.as_bytes();
    let start = bytes
        .iter()
        .rposition(|&b| b == b'@')
        .map_or(0, |at| at + 1);
    let host_port = &authority[start..];
    let end = if host_port.starts_with('[') {
        host_port.bytes().position(|b| b == b']').map(|i| i + 1)
    } else {
        host_port.bytes().position(|b| b == b':')
    };
    end.map_or(host_port, |end| &host_port[..end])
}

/// Whether `host` (as it appears in a URI authority) names the local machine.
///
/// Accepted: `localhost` (any case, optional trailing dot), any address in
/// `127.0.0.0/8`, `::1`, and IPv4-mapped loopback (`::ffff:127.x.y.z`).
/// Other names are not resolved: a name that merely resolves to loopback
/// (e.g. via `/etc/hosts`) is not trusted, because resolution can change.
pub(crate) fn is_loopback_host(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    // IPv6 literals appear in brackets in a URI authority.
    let literal = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    match literal.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => v4.is_loopback(),
        Ok(IpAddr::V6(v6)) => is_loopback_v6(v6),
        Err(_) => false,
    }
}

fn is_loopback_v6(v6: Ipv6Addr) -> bool {
    v6.is_loopback()
        || v6
            .to_ipv4_mapped()
            .is_some_and(|v4: Ipv4Addr| v4.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_are_recognised() {
        for host in [
            "localhost",
            "LOCALHOST",
            "localhost.",
            "127.0.0.1",
            "127.1.2.3",
            "127.255.255.254",
            "[::1]",
            "::1",
            "[0:0:0:0:0:0:0:1]",
            "[::ffff:127.0.0.1]",
        ] {
            assert!(is_loopback_host(host), "{host} should be loopback");
        }
    }

    #[test]
    fn non_loopback_hosts_are_rejected() {
        for host in [
            "example.com",
            "localhost.example.com",
            "mylocalhost",
            "api.doku.com",
            "128.0.0.1",
            "10.0.0.1",
            "0.0.0.0",
            "[::]",
            "[::2]",
            "[::ffff:10.0.0.1]",
            "",
        ] {
            assert!(!is_loopback_host(host), "{host} should not be loopback");
        }
    }

    #[test]
    fn the_host_is_read_as_http_reads_it() {
        for s in [
            "http://127.0.0.1:8080/x",
            "https://api.doku.com/x",
            "https://api.doku.com:443",
            "http://user:pw@localhost:80/x",
            "http://a@b@example.com/",
            "http://[::1]:9000/",
            "http://[::ffff:127.0.0.1]/",
            "http://user@[::1]/",
        ] {
            let uri = uri(s);
            assert_eq!(
                Some(host_of(uri.authority().unwrap().as_str())),
                uri.host(),
                "{s}"
            );
        }
    }

    fn uri(s: &str) -> Uri {
        s.parse().unwrap()
    }

    #[test]
    fn https_is_always_allowed() {
        assert!(check(&uri("https://api.doku.com/x"), false).is_ok());
        assert!(check(&uri("HTTPS://api.doku.com/x"), false).is_ok());
    }

    #[test]
    fn http_to_loopback_is_allowed_without_opt_in() {
        assert!(check(&uri("http://127.0.0.1:8080/x"), false).is_ok());
        assert!(check(&uri("http://localhost/x"), false).is_ok());
        assert!(check(&uri("http://[::1]:9000/"), false).is_ok());
    }

    #[test]
    fn http_to_remote_needs_opt_in() {
        match check(&uri("http://example.com/x"), false) {
            Err(TransportError::InsecureHttp { host }) => assert_eq!(host, "example.com"),
            other => panic!("expected InsecureHttp, got {other:?}"),
        }
        assert!(check(&uri("http://example.com/x"), true).is_ok());
    }

    #[test]
    fn other_schemes_are_refused_even_with_opt_in() {
        for s in [
            "ftp://example.com/x",
            "ws://127.0.0.1/x",
            "file://localhost/etc",
        ] {
            assert!(
                matches!(
                    check(&uri(s), true),
                    Err(TransportError::UnsupportedScheme { .. })
                ),
                "{s} should be refused"
            );
        }
    }

    #[test]
    fn relative_uris_are_refused() {
        assert!(matches!(
            check(&uri("/adv-core-api/partner/v1.0/token"), false),
            Err(TransportError::InvalidUri { .. })
        ));
    }
}
