//! What the simulator's HTML pages (the payment page, the dashboard) share: escaping, the page
//! frame with its inline style, and the answers (200 page, 303 redirect).
//!
//! Every value interpolated into a page goes through [`escape`]: invoice numbers, names and
//! URLs come from API callers and may hold `<script>` or quotes. Pages use no JavaScript, no
//! external asset and no build step.

use std::fmt::Write as _;

use bytes::Bytes;
use http::header::{CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, LOCATION};
use http::{HeaderValue, Response, StatusCode};

use crate::pipeline::Outcome;

/// `text` with `&`, `<`, `>`, `"` and `'` escaped: safe in element content and in quoted
/// attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `text` percent-encoded for a URL path segment (everything but unreserved characters).
pub(crate) fn path_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Whether `url` may be a link or a redirect target: `http://` or `https://` only (never
/// `javascript:` or `data:`), visible ASCII without spaces.
pub(crate) fn is_web_url(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://"))
        && url.bytes().all(|b| b.is_ascii_graphic())
}

/// The amount as DOKU's page shows it: `Rp 1.234.567` (dots between thousands; decimals, if
/// any, after a comma).
pub(crate) fn idr(amount: &str) -> String {
    let (whole, fraction) = amount.split_once('.').unwrap_or((amount, ""));
    let digits: Vec<char> = whole.chars().collect();
    let mut grouped = String::new();
    for (i, d) in digits.iter().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(*d);
    }
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() {
        format!("Rp {grouped}")
    } else {
        format!("Rp {grouped},{fraction}")
    }
}

/// The inline style every page shares.
const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;\
background:#f3f5f8;color:#1f2933;margin:0}\
header{background:#e1251b;color:#fff;padding:14px 24px;font-weight:600;letter-spacing:.02em}\
header small{font-weight:400;opacity:.85;margin-left:8px}\
main{max-width:1100px;margin:24px auto;padding:0 16px}\
.card{background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.12);padding:20px 24px;margin-bottom:20px}\
.narrow{max-width:560px;margin-left:auto;margin-right:auto}\
h1{font-size:1.3em;margin:0 0 12px}h2{font-size:1.05em;margin:0 0 12px}\
dl{display:grid;grid-template-columns:max-content 1fr;gap:6px 16px;margin:0}dt{color:#616e7c}dd{margin:0;word-break:break-all}\
.amount{font-size:1.6em;font-weight:700}\
.method{border:1px solid #d9e2ec;border-radius:6px;padding:12px 14px;margin:10px 0}\
.method h3{font-size:1em;margin:0 0 6px}.code{font-family:ui-monospace,monospace;font-size:1.15em;letter-spacing:.05em}\
.qr{border:2px dashed #9aa5b1;border-radius:6px;padding:10px;font-family:ui-monospace,monospace;font-size:.75em;word-break:break-all;background:#fafbfc}\
.qr b{display:block;font-family:system-ui,sans-serif;font-size:1.1em;margin-bottom:4px}\
button{background:#e1251b;color:#fff;border:0;border-radius:5px;padding:8px 14px;font-size:.95em;cursor:pointer}\
button.secondary{background:#52606d}button.small{padding:4px 10px;font-size:.85em}\
.actions{display:flex;gap:10px;margin-top:16px;flex-wrap:wrap}form{margin:0}\
.notice{padding:12px 14px;border-radius:6px;margin-bottom:14px}\
.ok{background:#e3f9e5;color:#0e5e1d}.bad{background:#ffe3e3;color:#8a1c1c}.info{background:#e6f0ff;color:#1c3d8a}\
table{border-collapse:collapse;width:100%;font-size:.88em}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e4e7eb;vertical-align:top}\
th{color:#616e7c;font-weight:600}td.url{word-break:break-all;max-width:260px}\
.tag{display:inline-block;padding:1px 7px;border-radius:10px;font-size:.85em;background:#e4e7eb}\
.tag.delivered,.tag.SUCCESS{background:#c1f2c7;color:#0e5e1d}.tag.abandoned,.tag.FAILED,.tag.EXPIRED{background:#ffc9c9;color:#8a1c1c}\
.tag.retrying,.tag.PENDING,.tag.queued,.tag.sending{background:#fff3c4;color:#7c5e10}\
.muted{color:#7b8794}footer{text-align:center;color:#9aa5b1;font-size:.8em;margin:24px 0}";

/// A whole page: `title` (escaped here) and `body` (already HTML); `refresh_seconds` adds a
/// `<meta http-equiv=refresh>`.
pub(crate) fn page(title: &str, refresh_seconds: Option<u32>, body: &str) -> String {
    let refresh = refresh_seconds
        .map(|s| format!("<meta http-equiv=\"refresh\" content=\"{s}\">"))
        .unwrap_or_default();
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">{refresh}\
         <title>{}</title><style>{STYLE}</style></head><body>\
         <header>DOKU<small>doku-sim, a local simulator: no real payment is made</small></header>\
         <main>{body}</main><footer>doku-sim</footer></body></html>\n",
        escape(title)
    )
}

/// An HTML answer.
pub(crate) fn respond(status: StatusCode, html: String) -> Outcome {
    let body = Bytes::from(html);
    let response = Response::builder()
        .status(status)
        .header(CONTENT_TYPE, "text/html; charset=utf-8")
        .header(CACHE_CONTROL, "no-store")
        .header(CONTENT_LENGTH, body.len())
        .body(body)
        .unwrap_or_else(|_| Response::new(Bytes::new()));
    Outcome::Respond {
        response,
        truncate: false,
    }
}

/// `303 See Other` to `location` (after a form POST: the browser then GETs it).
pub(crate) fn see_other(location: &str) -> Outcome {
    let mut response = Response::new(Bytes::new());
    *response.status_mut() = StatusCode::SEE_OTHER;
    let value = HeaderValue::from_str(location).unwrap_or(HeaderValue::from_static("/"));
    response.headers_mut().insert(LOCATION, value);
    response
        .headers_mut()
        .insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
    Outcome::Respond {
        response,
        truncate: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_is_escaped_everywhere_it_can_break_out() {
        assert_eq!(
            escape(r#"<script>alert("x")</script>&'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;"
        );
        assert!(page("<b>", None, "").contains("<title>&lt;b&gt;</title>"));
    }

    #[test]
    fn only_web_urls_are_linked() {
        assert!(is_web_url("http://127.0.0.1:8080/back?x=1"));
        assert!(is_web_url("HTTPS://shop.example/back"));
        for bad in [
            "javascript:alert(1)",
            "data:text/html,x",
            "http://a b",
            "//evil",
            "",
        ] {
            assert!(!is_web_url(bad), "{bad}");
        }
    }

    #[test]
    fn amounts_are_grouped_like_rupiah() {
        assert_eq!(idr("20000"), "Rp 20.000");
        assert_eq!(idr("1234567"), "Rp 1.234.567");
        assert_eq!(idr("100"), "Rp 100");
        assert_eq!(idr("19000.50"), "Rp 19.000,5");
        assert_eq!(idr("19000.00"), "Rp 19.000");
        assert_eq!(path_segment("INV/1 <x>"), "INV%2F1%20%3Cx%3E");
    }
}
