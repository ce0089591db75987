//! What a complete response means: its signature, then its status and body.

use bytes::Bytes;
use doku_sign::non_snap::{self, Kind, Message};
use doku_sign::SecretKey;
use http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;

use crate::config::ResponseSignatureMode;
use crate::error::{Error, SignatureProblem};
use crate::signer::headers;

/// Who the response must have been signed for.
#[derive(Clone, Copy)]
pub(crate) struct Expected<'a> {
    pub(crate) key: &'a SecretKey,
    pub(crate) client_id: &'a str,
    pub(crate) request_id: &'a str,
    /// The request path (the Request-Target signed).
    pub(crate) target: &'a str,
    /// Whether the request was a GET, whose answer DOKU may sign without a `Digest` line.
    pub(crate) get: bool,
}

/// Checks the response signature under `mode`: when a `Signature` header is present (and the
/// mode is not `Off`) it must verify with `Kind::Response` over the exact body, the
/// `Response-Timestamp` header and the request path, and `Client-Id`/`Request-Id` must echo
/// the request. `Require` also fails when the header is absent.
///
/// The `Digest` line: DOKU's response-signature page says it is "only applied for `POST`
/// Method", while its samples sign every answer the same way. So a POST answer is verified with
/// the Digest line, and a GET answer is accepted when it verifies under **either** reading —
/// without the Digest line (the page's words) or with it. Each reading is a full HMAC check
/// over the same headers and target, so neither accepts a forged or altered answer: the only
/// freedom is which of two exact strings DOKU signed.
pub(crate) fn verify_signature(
    mode: ResponseSignatureMode,
    expected: &Expected<'_>,
    status: StatusCode,
    response_headers: &HeaderMap,
    body: &[u8],
) -> Result<(), Error> {
    let fail = |problem, source| Error::Signature {
        problem,
        status,
        request_id: expected.request_id.to_owned(),
        source,
    };
    if mode == ResponseSignatureMode::Off {
        return Ok(());
    }
    let get = |name: &http::HeaderName| response_headers.get(name).and_then(|v| v.to_str().ok());
    let Some(signature) = get(&headers::SIGNATURE) else {
        return match mode {
            ResponseSignatureMode::Require => Err(fail(SignatureProblem::Missing, None)),
            _ => Ok(()),
        };
    };
    let timestamp = get(&headers::RESPONSE_TIMESTAMP)
        .ok_or_else(|| fail(SignatureProblem::MissingHeader("Response-Timestamp"), None))?;
    let client_id = get(&headers::CLIENT_ID)
        .ok_or_else(|| fail(SignatureProblem::MissingHeader("Client-Id"), None))?;
    let request_id = get(&headers::REQUEST_ID)
        .ok_or_else(|| fail(SignatureProblem::MissingHeader("Request-Id"), None))?;
    if client_id != expected.client_id {
        return Err(fail(SignatureProblem::Mismatch("Client-Id"), None));
    }
    if request_id != expected.request_id {
        return Err(fail(SignatureProblem::Mismatch("Request-Id"), None));
    }
    let message = |body| Message {
        client_id,
        request_id,
        timestamp,
        target: expected.target,
        body,
    };
    if expected.get
        && non_snap::verify(expected.key, Kind::Response, &message(None), signature).is_ok()
    {
        return Ok(());
    }
    non_snap::verify(
        expected.key,
        Kind::Response,
        &message(Some(body)),
        signature,
    )
    .map_err(|e| fail(SignatureProblem::Invalid, Some(e)))
}

/// The answer of a complete (signature-checked) response: `T` for 2xx, and for a 409 whose
/// body is `T` (DOKU's replay of an already processed Request-Id). A 409 whose body is one of
/// DOKU's error envelopes, or is not a `T`, is DOKU replaying an earlier refusal:
/// [`Error::ReplayedRefusal`]. Any other status is [`Error::Api`]. The `bool` is `true` for a
/// replay.
///
/// A 2xx (or replayed) body that does not decode is [`Error::Decode`] carrying the Request-Id
/// and — when `keep_body` — the body exactly as received, since DOKU may have created something.
pub(crate) fn interpret<T: DeserializeOwned>(
    status: StatusCode,
    body: &Bytes,
    request_id: &str,
    keep_body: bool,
) -> Result<(T, bool), Error> {
    if status.is_success() {
        return doku_model::decode::<T>(body)
            .map(|v| (v, false))
            .map_err(|e| decode_error(status, e, request_id, keep_body.then(|| body.clone())));
    }
    if status == StatusCode::CONFLICT {
        if !is_error_envelope(body) {
            if let Ok(value) = doku_model::decode::<T>(body) {
                return Ok((value, true));
            }
        }
        return Err(Error::replayed_refusal(status, body, request_id));
    }
    Err(Error::api(status, body, request_id))
}

/// Whether `body` is a JSON object in one of DOKU's error shapes: Non-SNAP `error`, Checkout's
/// `error_messages`, a top-level `message` — unless a `response` object sits beside it, which is
/// Checkout's **success** envelope (`{"message":["SUCCESS"],"response":{…}}`) — or SNAP
/// `responseCode` / `responseMessage`. No success answer of the Partner API has any of these.
fn is_error_envelope(body: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(body).is_ok_and(|o| {
        let checkout_success = o.get("response").is_some_and(serde_json::Value::is_object);
        ["error", "error_messages", "responseCode", "responseMessage"]
            .iter()
            .any(|k| o.contains_key(*k))
            || (o.contains_key("message") && !checkout_success)
    })
}

fn decode_error(
    status: StatusCode,
    e: doku_model::DecodeError,
    request_id: &str,
    body: Option<Bytes>,
) -> Error {
    Error::Decode {
        path: e.path.clone(),
        message: e.to_string(),
        status,
        request_id: request_id.to_owned(),
        body,
        source: Box::new(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use doku_model::TokenResponse;

    const KEY: &str = "SK-EXAMPLE-ONLY";

    fn signed(body: &[u8], target: &str, request_id: &str) -> HeaderMap {
        signed_as(Some(body), target, request_id)
    }

    /// Headers of an answer signed over `body` (`None`: no Digest line).
    fn signed_as(body: Option<&[u8]>, target: &str, request_id: &str) -> HeaderMap {
        let key = SecretKey::new(KEY);
        let sig = non_snap::sign(
            &key,
            Kind::Response,
            &Message {
                client_id: "BRN-1",
                request_id,
                timestamp: "2024-01-01T00:00:00Z",
                target,
                body,
            },
        );
        let mut h = HeaderMap::new();
        h.insert("client-id", "BRN-1".parse().unwrap());
        h.insert("request-id", request_id.parse().unwrap());
        h.insert(
            "response-timestamp",
            "2024-01-01T00:00:00Z".parse().unwrap(),
        );
        h.insert("signature", sig.to_string().parse().unwrap());
        h
    }

    #[test]
    fn signature_modes() {
        let key = SecretKey::new(KEY);
        let exp = Expected {
            key: &key,
            client_id: "BRN-1",
            request_id: "rid",
            target: "/t",
            get: false,
        };
        let ok = StatusCode::OK;
        let body = br#"{"token":"x"}"#;
        let h = signed(body, "/t", "rid");
        for mode in [
            ResponseSignatureMode::Require,
            ResponseSignatureMode::VerifyIfPresent,
        ] {
            assert!(verify_signature(mode, &exp, ok, &h, body).is_ok());
            let tampered = verify_signature(mode, &exp, ok, &h, br#"{"token":"y"}"#).unwrap_err();
            assert!(matches!(
                tampered,
                Error::Signature {
                    problem: SignatureProblem::Invalid,
                    source: Some(_),
                    ..
                }
            ));
        }
        let empty = HeaderMap::new();
        assert!(verify_signature(
            ResponseSignatureMode::VerifyIfPresent,
            &exp,
            ok,
            &empty,
            body
        )
        .is_ok());
        assert!(matches!(
            verify_signature(ResponseSignatureMode::Require, &exp, ok, &empty, body),
            Err(Error::Signature {
                problem: SignatureProblem::Missing,
                ..
            })
        ));
        let wrong = signed(body, "/other", "rid");
        assert!(verify_signature(ResponseSignatureMode::Off, &exp, ok, &wrong, body).is_ok());
        assert!(verify_signature(
            ResponseSignatureMode::VerifyIfPresent,
            &exp,
            ok,
            &wrong,
            body
        )
        .is_err());
        // Signed for another request id: an echo mismatch.
        let other = signed(body, "/t", "other-rid");
        assert!(matches!(
            verify_signature(
                ResponseSignatureMode::VerifyIfPresent,
                &exp,
                ok,
                &other,
                body
            ),
            Err(Error::Signature {
                problem: SignatureProblem::Mismatch("Request-Id"),
                ..
            })
        ));
        let mut no_ts = h.clone();
        no_ts.remove("response-timestamp");
        assert!(matches!(
            verify_signature(
                ResponseSignatureMode::VerifyIfPresent,
                &exp,
                ok,
                &no_ts,
                body
            ),
            Err(Error::Signature {
                problem: SignatureProblem::MissingHeader("Response-Timestamp"),
                ..
            })
        ));
    }

    /// DOKU's two readings of the Digest line on a GET answer, and what neither may accept.
    #[test]
    fn get_answers_verify_with_or_without_the_digest_line_post_answers_only_with_it() {
        let key = SecretKey::new(KEY);
        let get = Expected {
            key: &key,
            client_id: "BRN-1",
            request_id: "rid",
            target: "/t",
            get: true,
        };
        let post = Expected { get: false, ..get };
        let ok = StatusCode::OK;
        let body = br#"{"business":{"id":"1"}}"#;
        let without_digest = signed_as(None, "/t", "rid");
        let with_digest = signed_as(Some(body), "/t", "rid");
        for mode in [
            ResponseSignatureMode::Require,
            ResponseSignatureMode::VerifyIfPresent,
        ] {
            // GET: both readings verify.
            assert!(
                verify_signature(mode, &get, ok, &without_digest, body).is_ok(),
                "GET signed without Digest ({mode:?})"
            );
            assert!(
                verify_signature(mode, &get, ok, &with_digest, body).is_ok(),
                "GET signed with Digest ({mode:?})"
            );
            // POST: only with the Digest line.
            assert!(verify_signature(mode, &post, ok, &with_digest, body).is_ok());
            assert!(matches!(
                verify_signature(mode, &post, ok, &without_digest, body),
                Err(Error::Signature {
                    problem: SignatureProblem::Invalid,
                    ..
                })
            ));
            // Altered body: the with-Digest signature no longer matches; the no-Digest
            // signature never covered the body, but on a POST it is refused anyway.
            let altered = br#"{"business":{"id":"2"}}"#;
            assert!(verify_signature(mode, &get, ok, &with_digest, altered).is_err());
            assert!(verify_signature(mode, &post, ok, &with_digest, altered).is_err());
            // Altered headers or target: fails under both readings.
            for headers in [&without_digest, &with_digest] {
                let mut other_ts = headers.clone();
                other_ts.insert(
                    "response-timestamp",
                    "2024-01-01T00:00:01Z".parse().unwrap(),
                );
                assert!(verify_signature(mode, &get, ok, &other_ts, body).is_err());
                let other_target = Expected {
                    target: "/other",
                    ..get
                };
                assert!(verify_signature(mode, &other_target, ok, headers, body).is_err());
                let other_key = SecretKey::new("SK-someone-else");
                let forged_for = Expected {
                    key: &other_key,
                    ..get
                };
                assert!(verify_signature(mode, &forged_for, ok, headers, body).is_err());
            }
            // A forged signature value fails under both readings.
            let mut forged = with_digest.clone();
            forged.insert(
                "signature",
                "HMACSHA256=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
                    .parse()
                    .unwrap(),
            );
            assert!(matches!(
                verify_signature(mode, &get, ok, &forged, body),
                Err(Error::Signature {
                    problem: SignatureProblem::Invalid,
                    ..
                })
            ));
        }
    }

    fn interpret_as<T: DeserializeOwned>(
        status: StatusCode,
        body: &[u8],
    ) -> Result<(T, bool), Error> {
        interpret::<T>(status, &Bytes::copy_from_slice(body), "r", true)
    }

    #[test]
    fn interpret_statuses() {
        let (t, replay) =
            interpret_as::<TokenResponse>(StatusCode::OK, br#"{"token":"a"}"#).unwrap();
        assert_eq!((t.token.as_str(), replay), ("a", false));
        let (t, replay) =
            interpret_as::<TokenResponse>(StatusCode::CONFLICT, br#"{"token":"a"}"#).unwrap();
        assert_eq!((t.token.as_str(), replay), ("a", true));
        // Truncated JSON on a 200: a Decode error naming the problem, with the body as received.
        let err = interpret_as::<TokenResponse>(StatusCode::OK, br#"{"token":"ab"#).unwrap_err();
        assert!(err.to_string().contains("truncated"), "{err}");
        let Error::Decode {
            status: StatusCode::OK,
            request_id,
            body: Some(body),
            ..
        } = &err
        else {
            panic!("{err:?}")
        };
        assert_eq!(
            (request_id.as_str(), &body[..]),
            ("r", &br#"{"token":"ab"#[..])
        );
        // Without keep_body (a token answer): no body kept.
        let err =
            interpret::<TokenResponse>(StatusCode::OK, &Bytes::from_static(b"{}"), "r", false)
                .unwrap_err();
        assert!(matches!(err, Error::Decode { body: None, .. }), "{err:?}");
        // HTML on a 200.
        let err = interpret_as::<TokenResponse>(StatusCode::OK, b"<html></html>").unwrap_err();
        assert!(matches!(err, Error::Decode { .. }));
        // Non-JSON error page: Api with the raw body.
        let err =
            interpret_as::<TokenResponse>(StatusCode::BAD_GATEWAY, b"<html>bad gateway</html>")
                .unwrap_err();
        assert!(
            matches!(err, Error::Api { code: None, ref body, .. } if body.contains("bad gateway"))
        );
    }

    /// Checkout's success envelope has a top-level `message` (`["SUCCESS"]`) beside `response`:
    /// its 409 replay is the original success, not a refusal.
    #[test]
    fn a_409_replaying_a_checkout_success_is_success() {
        let body =
            include_bytes!("../../doku-model/tests/doku-samples/checkout/create.response.json");
        let (answer, replay) =
            interpret_as::<doku_model::CheckoutResponse>(StatusCode::CONFLICT, body).unwrap();
        assert!(replay);
        assert_eq!(answer.response.order.invoice_number, "INV-20210231-0001");
        // The same envelope with `error_messages`, or `message` without `response`, is a refusal.
        for refusal in [
            &br#"{"message":["bad"],"response":{},"error_messages":["x"]}"#[..],
            br#"{"message":["invalid amount"]}"#,
        ] {
            let err = interpret_as::<doku_model::CheckoutResponse>(StatusCode::CONFLICT, refusal)
                .unwrap_err();
            assert!(matches!(err, Error::ReplayedRefusal { .. }), "{err:?}");
        }
    }

    /// A 409 whose body is an error, in any of DOKU's envelopes, or is not a `T`: DOKU replayed
    /// a refusal. Never success.
    #[test]
    fn a_409_with_an_error_body_is_a_replayed_refusal() {
        let cases: [(&[u8], Option<&str>, Option<&str>); 6] = [
            (
                br#"{"error":{"code":"invalid_token","message":"expired"}}"#,
                Some("invalid_token"),
                Some("expired"),
            ),
            // An error envelope that happens to hold a `T` as well is still an error.
            (
                br#"{"error":{"code":"duplicate","message":"dup"},"token":"a"}"#,
                Some("duplicate"),
                Some("dup"),
            ),
            (
                br#"{"responseCode":"4290000","responseMessage":"Too Many Requests","token":"a"}"#,
                Some("4290000"),
                Some("Too Many Requests"),
            ),
            (
                br#"{"message":["rate limited"],"token":"a"}"#,
                None,
                Some("rate limited"),
            ),
            (br#"{"unexpected":true}"#, None, None),
            (b"<html>conflict</html>", None, None),
        ];
        for (body, want_code, want_message) in cases {
            let err = interpret_as::<TokenResponse>(StatusCode::CONFLICT, body).unwrap_err();
            let Error::ReplayedRefusal {
                status,
                code,
                message,
                request_id,
                ..
            } = &err
            else {
                panic!("{}: {err:?}", String::from_utf8_lossy(body))
            };
            assert_eq!(*status, StatusCode::CONFLICT);
            assert_eq!(code.as_deref(), want_code, "{err}");
            assert_eq!(message.as_deref(), want_message, "{err}");
            assert_eq!(request_id, "r");
            assert!(
                err.to_string().contains("replayed an earlier refusal"),
                "{err}"
            );
        }
    }
}
