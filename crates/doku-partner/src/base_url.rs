//! A base URL, checked and split once when the configuration is built: every request URI is
//! its scheme and authority plus a path, with no re-parsing of the base per call.

use http::uri::{Authority, PathAndQuery, Scheme};
use http::Uri;

/// An absolute `http(s)://host[:port]` URL with nothing after the authority.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct BaseUrl {
    text: String,
    scheme: Scheme,
    authority: Authority,
}

impl BaseUrl {
    /// Parses and checks `url` (a trailing `/` is allowed and dropped). The message names the
    /// URL and what is wrong with it.
    pub(crate) fn parse(url: &str) -> Result<Self, String> {
        let text = url.trim_end_matches('/');
        let uri: Uri = text
            .parse()
            .map_err(|e| format!("base URL {url:?} is not a URI: {e}"))?;
        let scheme = match uri.scheme_str() {
            Some("https" | "http") => uri.scheme().cloned(),
            _ => None,
        }
        .ok_or_else(|| format!("base URL {url:?} must start with https:// or http://"))?;
        if uri.host().is_none_or(str::is_empty) {
            return Err(format!("base URL {url:?} has no host"));
        }
        if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
            return Err(format!(
                "base URL {url:?} must have no path or query (endpoint paths are added by the client)"
            ));
        }
        let authority = uri
            .authority()
            .cloned()
            .ok_or_else(|| format!("base URL {url:?} has no host"))?;
        Ok(Self {
            text: text.to_owned(),
            scheme,
            authority,
        })
    }

    /// The base itself as a URI (path `/`), for the transport's scheme policy.
    pub(crate) fn uri(&self) -> Uri {
        self.join(PathAndQuery::from_static("/"))
    }

    /// This base with `path_and_query`.
    pub(crate) fn join(&self, path_and_query: PathAndQuery) -> Uri {
        let mut parts = http::uri::Parts::default();
        parts.scheme = Some(self.scheme.clone());
        parts.authority = Some(self.authority.clone());
        parts.path_and_query = Some(path_and_query);
        // Scheme, authority and path are all present: `from_parts` cannot fail.
        Uri::from_parts(parts).unwrap_or_default()
    }
}

impl std::fmt::Debug for BaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_once_and_joins_paths() {
        let base = BaseUrl::parse("http://127.0.0.1:8080/").unwrap();
        assert_eq!(format!("{base:?}"), "http://127.0.0.1:8080");
        let uri = base.join(PathAndQuery::from_static("/a/b?c=d"));
        assert_eq!(uri.to_string(), "http://127.0.0.1:8080/a/b?c=d");
        assert_eq!(base.uri().to_string(), "http://127.0.0.1:8080/");
        for bad in [
            "127.0.0.1:80",
            "ftp://x",
            "http://h/path",
            "not a url",
            "http://h?q=1",
            "",
        ] {
            assert!(BaseUrl::parse(bad).is_err(), "{bad}");
        }
    }
}
