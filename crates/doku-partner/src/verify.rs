//! Step 3 of an attempt: is the answer DOKU's? Checks the response signature under the
//! configured mode, before its status means anything.

use doku_sign::non_snap::{self, Kind, Message};
use doku_sign::SecretKey;
use http::{HeaderMap, StatusCode};

use crate::config::ResponseSignatureMode;
use crate::error::{Error, SignatureProblem, UnverifiedAnswer};
use crate::wire_headers;

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
    /// Whose credentials signed the request (named in a failure's hint).
    pub(crate) credentials: doku_model::Credentials,
}

/// Checks the response signature under `mode`: when a `Signature` header is present (and the
/// mode is not `Off`) it must verify with `Kind::Response` over the exact body, the
/// `Response-Timestamp` header and the request path, and `Client-Id`/`Request-Id` must echo
/// the request. `Require` also fails when the header is absent. `Ok(true)` when a signature
/// was verified, `Ok(false)` when none was checked.
///
/// A failure carries what the answer said ([`UnverifiedAnswer`]: status, DOKU's code and
/// message), for the error message only: DOKU refuses a wrong key or client id with an answer it
/// cannot sign for us, and that answer is the only place the cause is named.
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
) -> Result<bool, Error> {
    let fail = |problem, source| Error::Signature {
        problem,
        status,
        request_id: expected.request_id.to_owned(),
        source,
        answer: Box::new(UnverifiedAnswer::read(status, body, expected.credentials)),
    };
    if mode == ResponseSignatureMode::Off {
        return Ok(false);
    }
    // Each header is looked up once, by its prebuilt name (no parsing of the name, no second
    // look-up of `Signature`).
    let header = |name: &http::HeaderName| response_headers.get(name).and_then(|v| v.to_str().ok());
    let Some(signature) = header(&wire_headers::SIGNATURE) else {
        return match mode {
            ResponseSignatureMode::Require => Err(fail(SignatureProblem::Missing, None)),
            _ => Ok(false),
        };
    };
    // As `Message::from_headers` reads them, in its order: a header that is absent (or not
    // text) is `MissingHeader`.
    let get = |known: &http::HeaderName, name: &'static str| {
        header(known).ok_or_else(|| fail(SignatureProblem::MissingHeader(name), None))
    };
    let message = Message {
        client_id: get(&wire_headers::CLIENT_ID, doku_sign::headers::CLIENT_ID)?,
        request_id: get(&wire_headers::REQUEST_ID, doku_sign::headers::REQUEST_ID)?,
        timestamp: get(
            &wire_headers::RESPONSE_TIMESTAMP,
            doku_sign::headers::RESPONSE_TIMESTAMP,
        )?,
        target: expected.target,
        body: None,
    };
    if message.client_id != expected.client_id {
        return Err(fail(
            SignatureProblem::Mismatch(doku_sign::headers::CLIENT_ID),
            None,
        ));
    }
    if message.request_id != expected.request_id {
        return Err(fail(
            SignatureProblem::Mismatch(doku_sign::headers::REQUEST_ID),
            None,
        ));
    }
    if expected.get && non_snap::verify(expected.key, Kind::Response, &message, signature).is_ok() {
        return Ok(true);
    }
    let with_body = Message {
        body: Some(body),
        ..message
    };
    non_snap::verify(expected.key, Kind::Response, &with_body, signature)
        .map(|()| true)
        .map_err(|e| fail(SignatureProblem::Invalid, Some(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

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
            credentials: doku_model::Credentials::Partner,
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
            credentials: doku_model::Credentials::Partner,
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

    /// A wrong secret key: DOKU refuses with 401 `invalid_signature`, signed with the key it
    /// holds, so the answer does not verify with ours. The error says what the answer said,
    /// marked unverified, and the likely cause; the answer's status decides nothing.
    #[test]
    fn a_refusal_that_does_not_verify_is_shown_unverified_with_its_likely_cause() {
        let ours = SecretKey::new("SK-wrong-key");
        let exp = Expected {
            key: &ours,
            client_id: "BRN-1",
            request_id: "rid",
            target: "/t",
            get: false,
            credentials: doku_model::Credentials::Partner,
        };
        let body = br#"{"error":{"code":"invalid_signature","message":"the signature does not match the request"}}"#;
        let h = signed(body, "/t", "rid");
        let unauthorized = StatusCode::UNAUTHORIZED;
        let err = verify_signature(ResponseSignatureMode::Require, &exp, unauthorized, &h, body)
            .unwrap_err();
        let Error::Signature {
            problem: SignatureProblem::Invalid,
            answer,
            ..
        } = &err
        else {
            panic!("{err:?}")
        };
        assert_eq!(answer.status, unauthorized);
        assert_eq!(answer.code.as_deref(), Some("invalid_signature"));
        assert!(answer.body.contains("invalid_signature"));
        assert_eq!(
            err.likely_cause(),
            Some(crate::LikelyCause::SignatureRefused)
        );
        assert_eq!(
            err.to_string(),
            "response signature check failed (signature does not verify) for Request-Id rid; \
             the answer, unverified (shown, not acted on): HTTP 401 Unauthorized, code \
             invalid_signature: the signature does not match the request. Likely cause: DOKU \
             refused our signature: is the secret key the key of this client id?"
        );

        // An unknown client id: DOKU has no key to sign with, so the answer is unsigned.
        let body =
            br#"{"error":{"code":"invalid_client_id","message":"Client-Id BRN-9 is not known"}}"#;
        let err = verify_signature(
            ResponseSignatureMode::Require,
            &exp,
            unauthorized,
            &HeaderMap::new(),
            body,
        )
        .unwrap_err();
        assert!(
            matches!(
                &err,
                Error::Signature {
                    problem: SignatureProblem::Missing,
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            err.likely_cause(),
            Some(crate::LikelyCause::UnknownClientId)
        );
        let text = err.to_string();
        assert!(text.contains("(no Signature header)"), "{text}");
        assert!(
            text.contains("HTTP 401 Unauthorized, code invalid_client_id: Client-Id BRN-9 is not known. Likely cause: DOKU does not know this client id"),
            "{text}"
        );

        // A success answer that does not verify: no body kept (it may hold a token), no cause.
        let body = br#"{"token":"eyJ.secret.token"}"#;
        let err = verify_signature(
            ResponseSignatureMode::Require,
            &exp,
            StatusCode::OK,
            &h,
            body,
        )
        .unwrap_err();
        let Error::Signature { answer, .. } = &err else {
            panic!("{err:?}")
        };
        assert!(answer.body.is_empty());
        assert_eq!(err.likely_cause(), None);
        assert!(!format!("{err:?}{err}").contains("secret.token"), "{err:?}");
    }
}
