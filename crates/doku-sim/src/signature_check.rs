//! Checks every request's Non-SNAP headers in two steps: [`check_headers`] from the headers
//! alone, before any body byte is read (presence, one value each, visible ASCII, known
//! Client-Id, Request-Id, timestamp shape and window, Signature shape), then
//! [`check_signature`] over the body once it is read (via `doku-sign`).

use bytes::Bytes;
use doku_sign::non_snap::{self, Kind, Message, MAC_LEN};
use doku_sign::timestamp::{check_window, format_utc, parse_utc_fractional, parse_utc_strict};
use doku_sign::{headers, SecretKey};
use http::{HeaderMap, StatusCode};

use crate::config::SimConfig;
use crate::echo::echo;
use crate::readings::RequestTimestampMillis;
use crate::response::Reply;

/// The four headers every Partner API request carries.
pub(crate) const REQUIRED_HEADERS: [&str; 4] = [
    headers::CLIENT_ID,
    headers::REQUEST_ID,
    headers::REQUEST_TIMESTAMP,
    headers::SIGNATURE,
];

/// A header as UTF-8 text, if present and valid (the first one when repeated; the required
/// headers are refused when repeated by [`check_headers`]).
pub(crate) fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Why a required header cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unusable {
    Missing,
    Repeated,
    NotVisibleAscii,
}

/// The one value of a required header.
fn single<'a>(headers: &'a HeaderMap, name: &str) -> Result<&'a str, Unusable> {
    let mut values = headers.get_all(name).iter();
    let Some(first) = values.next() else {
        return Err(Unusable::Missing);
    };
    if values.next().is_some() {
        return Err(Unusable::Repeated);
    }
    match first.to_str() {
        Ok("") => Err(Unusable::Missing),
        Ok(text) => Ok(text),
        Err(_) => Err(Unusable::NotVisibleAscii),
    }
}

/// The `Request-Target` the signature covers: the path, plus `?query` only when configured.
pub(crate) fn request_target(config: &SimConfig, path: &str, query: Option<&str>) -> String {
    match query {
        Some(q) if config.target_includes_query => format!("{path}?{q}"),
        _ => path.to_owned(),
    }
}

/// What [`check_headers`] accepted, for [`check_signature`].
#[derive(Debug)]
pub(crate) struct CheckedHeaders<'a> {
    pub(crate) client_id: &'a str,
    pub(crate) request_id: &'a str,
    timestamp: &'a str,
    signature: &'a str,
    key: SecretKey,
}

fn bad_request(code: &str, message: String) -> Reply {
    Reply::error(StatusCode::BAD_REQUEST, code, message)
}

/// Everything that can be checked from the headers alone, so an unauthenticated peer is refused
/// before its body is read.
/// `key_for` finds the secret of a Client-Id (configured credentials, or registered brands on
/// the merchant calls).
pub(crate) fn check_headers<'a>(
    config: &SimConfig,
    key_for: &dyn Fn(&str) -> Option<SecretKey>,
    headers: &'a HeaderMap,
    now: i64,
) -> Result<CheckedHeaders<'a>, Reply> {
    let values = REQUIRED_HEADERS.map(|name| (name, single(headers, name)));
    let named = |which: Unusable| -> Vec<&str> {
        values
            .iter()
            .filter(|(_, v)| *v == Err(which))
            .map(|(name, _)| *name)
            .collect()
    };
    let repeated = named(Unusable::Repeated);
    if !repeated.is_empty() {
        return Err(bad_request(
            "duplicate_header",
            format!(
                "header(s) sent more than once, which is ambiguous: {}",
                repeated.join(", ")
            ),
        ));
    }
    let invalid = named(Unusable::NotVisibleAscii);
    if !invalid.is_empty() {
        return Err(bad_request(
            "invalid_header",
            format!("header value(s) not visible ASCII: {}", invalid.join(", ")),
        ));
    }
    let missing = named(Unusable::Missing);
    if !missing.is_empty() {
        return Err(bad_request(
            "missing_header",
            format!("missing required header(s): {}", missing.join(", ")),
        ));
    }
    let [client_id, request_id, timestamp, signature] = values.map(|(_, v)| v.unwrap_or_default());

    let Some(key) = key_for(client_id) else {
        return Err(Reply::error(
            StatusCode::UNAUTHORIZED,
            "invalid_client_id",
            format!("Client-Id {} is not known", echo(client_id)),
        ));
    };
    if let Err(e) = doku_model::RequestId::new(request_id) {
        return Err(bad_request("invalid_request_id", e.to_string()));
    }
    let sent = match (parse_utc_strict(timestamp), parse_utc_fractional(timestamp)) {
        (Ok(sent), _) => sent,
        (Err(_), Ok(sent)) => match config.readings.request_timestamp_millis {
            RequestTimestampMillis::Accept => sent,
            RequestTimestampMillis::Refuse => {
                return Err(bad_request(
                    "invalid_timestamp",
                    format!(
                        "Request-Timestamp {} has fractional seconds: DOKU documents and shows whole \
                         seconds only (`YYYY-MM-DDTHH:MM:SSZ`, e.g. {}); JavaScript's toISOString() \
                         adds milliseconds, strip them. Whether DOKU accepts them is not documented: \
                         --request-timestamp-millis accept plays that reading",
                        echo(timestamp),
                        format_utc(sent)
                    ),
                ))
            }
        },
        (Err(_), Err(_)) => {
            return Err(bad_request(
                "invalid_timestamp",
                format!(
                    "Request-Timestamp {} is not UTC `YYYY-MM-DDTHH:MM:SSZ`",
                    echo(timestamp)
                ),
            ))
        }
    };
    let window = u32::try_from(config.timestamp_window.as_secs()).unwrap_or(u32::MAX);
    if let Err(doku_sign::Error::Stale { skew_seconds }) = check_window(sent, now, window) {
        return Err(Reply::error(
            StatusCode::UNAUTHORIZED,
            "invalid_timestamp",
            format!(
                "Request-Timestamp is {skew_seconds:+} s from the server's clock ({}); at most ±{window} s allowed",
                format_utc(now)
            ),
        ));
    }
    if let Err(e) = non_snap::parse_header(signature) {
        return Err(Reply::error(
            StatusCode::UNAUTHORIZED,
            "invalid_signature",
            format!("malformed Signature header: {}", malformed(&e)),
        ));
    }
    Ok(CheckedHeaders {
        client_id,
        request_id,
        timestamp,
        signature,
        key,
    })
}

/// Why a Signature header is malformed, in words (never the value itself beyond a short echo).
fn malformed(e: &doku_sign::Error) -> String {
    match e {
        doku_sign::Error::MissingPrefix => "no `HMACSHA256=` prefix".to_owned(),
        doku_sign::Error::UnsupportedAlgorithm { found } => {
            format!("algorithm {} is not HMACSHA256", echo(found))
        }
        doku_sign::Error::InvalidBase64 => "not padded standard base64".to_owned(),
        doku_sign::Error::InvalidLength { found, .. } => {
            format!("{found} bytes after decoding, {MAC_LEN} expected")
        }
        other => format!("{other:?}"),
    }
}

/// Bodies larger than this are hashed on tokio's blocking pool.
const OFFLOAD_BYTES: usize = 256 * 1024;

/// Verifies the signature over the body just read. `body` is `None` for GET (no Digest line).
///
/// Hashing megabytes takes a while (seconds in a debug build), so a body above
/// [`OFFLOAD_BYTES`] is verified on the blocking pool: small requests on the same worker are
/// not stuck behind a large body's digest.
pub(crate) async fn check_signature(
    checked: &CheckedHeaders<'_>,
    target: &str,
    body: Option<Bytes>,
) -> Result<(), Reply> {
    let large = body.as_ref().is_some_and(|b| b.len() > OFFLOAD_BYTES);
    if !large {
        return verify(checked, target, body.as_deref());
    }
    let owned = (
        checked.client_id.to_owned(),
        checked.request_id.to_owned(),
        checked.timestamp.to_owned(),
        checked.signature.to_owned(),
        checked.key.clone(),
        target.to_owned(),
    );
    let joined = tokio::task::spawn_blocking(move || {
        let (client_id, request_id, timestamp, signature, key, target) = owned;
        let checked = CheckedHeaders {
            client_id: &client_id,
            request_id: &request_id,
            timestamp: &timestamp,
            signature: &signature,
            key,
        };
        verify(&checked, &target, body.as_deref())
    })
    .await;
    joined.unwrap_or_else(|_| {
        Err(Reply::error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "the signature check did not complete",
        ))
    })
}

/// The signature check itself.
fn verify(checked: &CheckedHeaders<'_>, target: &str, body: Option<&[u8]>) -> Result<(), Reply> {
    let message = Message {
        client_id: checked.client_id,
        request_id: checked.request_id,
        timestamp: checked.timestamp,
        target,
        body,
    };
    non_snap::verify(&checked.key, Kind::Request, &message, checked.signature).map_err(|e| {
        let why = match e {
            doku_sign::Error::Mismatch => "the signature does not match the request".to_owned(),
            other => format!("malformed Signature header: {}", malformed(&other)),
        };
        let body = doku_model::ErrorBody::new("invalid_signature", why).with_detail(
            "string_to_sign",
            non_snap::string_to_sign(Kind::Request, &message).into(),
        );
        Reply::error_body(StatusCode::UNAUTHORIZED, body)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::readings::Readings;
    use http::HeaderValue;

    const NOW: &str = "2020-08-11T08:45:42Z";

    fn config() -> SimConfig {
        SimConfig::builder()
            .credential("BRN-1", SecretKey::new("k"))
            .build()
            .unwrap()
    }

    fn good() -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(headers::CLIENT_ID, HeaderValue::from_static("BRN-1"));
        h.insert(headers::REQUEST_ID, HeaderValue::from_static("r-1"));
        h.insert(headers::REQUEST_TIMESTAMP, HeaderValue::from_static(NOW));
        h.insert(
            headers::SIGNATURE,
            HeaderValue::from_static("HMACSHA256=0DodudwVE5yE9MxGf7bXHJzst7JmoxiBSAYFocE6pIs="),
        );
        h
    }

    fn refusal(h: &HeaderMap) -> (u16, String, String) {
        let config = config();
        let keys = |id: &str| config.secret_for(id).cloned();
        let reply = check_headers(&config, &keys, h, parse_utc_strict(NOW).unwrap()).unwrap_err();
        let v: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
        (
            reply.status.as_u16(),
            v["error"]["code"].as_str().unwrap().to_owned(),
            v["error"]["message"].as_str().unwrap().to_owned(),
        )
    }

    /// The refusal of [`good`] headers with `name` set to `value`.
    fn refusal_with(name: &'static str, value: &str) -> (u16, String, String) {
        let mut h = good();
        h.insert(name, HeaderValue::from_bytes(value.as_bytes()).unwrap());
        refusal(&h)
    }

    #[test]
    fn milliseconds_are_refused_with_the_reason_unless_the_reading_accepts_them() {
        let millis = "2020-08-11T08:45:42.123Z";
        let (status, code, message) = refusal_with(headers::REQUEST_TIMESTAMP, millis);
        assert_eq!((status, code.as_str()), (400, "invalid_timestamp"));
        assert!(message.contains("has fractional seconds"), "{message}");
        assert!(message.contains("2020-08-11T08:45:42Z"), "{message}");
        assert!(
            message.contains("--request-timestamp-millis accept"),
            "{message}"
        );
        // Not the millisecond shape: the plain refusal.
        let (_, _, message) = refusal_with(headers::REQUEST_TIMESTAMP, "2020-08-11T08:45:42.Z");
        assert!(message.contains("is not UTC"), "{message}");

        let accepting = SimConfig::builder()
            .credential("BRN-1", SecretKey::new("k"))
            .readings(Readings::default().request_timestamp_millis(RequestTimestampMillis::Accept))
            .build()
            .unwrap();
        let keys = |id: &str| accepting.secret_for(id).cloned();
        let mut h = good();
        h.insert(headers::REQUEST_TIMESTAMP, HeaderValue::from_static(millis));
        let checked = check_headers(&accepting, &keys, &h, parse_utc_strict(NOW).unwrap()).unwrap();
        assert_eq!(
            checked.timestamp, millis,
            "the signature covers the text as sent"
        );
        // The window still applies to the accepted time.
        h.insert(
            headers::REQUEST_TIMESTAMP,
            HeaderValue::from_static("2020-08-11T10:45:42.5Z"),
        );
        let reply =
            check_headers(&accepting, &keys, &h, parse_utc_strict(NOW).unwrap()).unwrap_err();
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }

    #[test]
    fn plausible_headers_pass_before_the_body_is_read() {
        let config = config();
        let h = good();
        let keys = |id: &str| config.secret_for(id).cloned();
        let checked = check_headers(&config, &keys, &h, parse_utc_strict(NOW).unwrap()).unwrap();
        assert_eq!(checked.client_id, "BRN-1");
        // The MAC itself is only checked with the body.
        assert!(verify(&checked, "/p", Some(b"{}")).is_err());
    }

    #[test]
    fn repeated_required_headers_are_ambiguous() {
        for name in REQUIRED_HEADERS {
            let mut h = good();
            let first = h.get(name).unwrap().clone();
            h.append(name, first);
            let (status, code, message) = refusal(&h);
            assert_eq!((status, code.as_str()), (400, "duplicate_header"), "{name}");
            assert!(message.contains(name), "{message}");
        }
    }

    #[test]
    fn non_ascii_values_are_invalid_not_missing() {
        let (status, code, message) = refusal_with(headers::CLIENT_ID, "BRN-é");
        assert_eq!((status, code.as_str()), (400, "invalid_header"));
        assert!(message.contains("not visible ASCII") && message.contains("Client-Id"));
    }

    #[test]
    fn the_last_second_of_year_9999_is_out_of_the_window_not_malformed() {
        let (status, code, message) =
            refusal_with(headers::REQUEST_TIMESTAMP, "9999-12-31T23:59:59Z");
        assert_eq!((status, code.as_str()), (401, "invalid_timestamp"));
        assert!(!message.contains("not UTC"), "{message}");
    }

    #[test]
    fn malformed_signature_is_refused_from_the_headers() {
        let (status, code, _) = refusal_with(headers::SIGNATURE, "HMACSHA256=abc");
        assert_eq!((status, code.as_str()), (401, "invalid_signature"));
    }

    #[test]
    fn echoed_input_is_capped() {
        let long = "X".repeat(10_000);
        for (name, expected) in [
            (headers::CLIENT_ID, "invalid_client_id"),
            (headers::REQUEST_TIMESTAMP, "invalid_timestamp"),
        ] {
            let (_, code, message) = refusal_with(name, &long);
            assert_eq!(code, expected, "{name}");
            assert!(
                message.len() < 200,
                "{name}: {} bytes echoed",
                message.len()
            );
        }
    }
}
