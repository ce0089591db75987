//! Step 4 of an attempt: what a complete, signature-checked answer means — its status, then
//! its body decoded once.

use bytes::Bytes;
use doku_model::ErrorBody;
use http::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::Error;

/// The answer of a complete (signature-checked) response: `T` for 2xx, and for a 409 whose
/// body is `T` (DOKU's replay of an already processed Request-Id). A 409 whose body is one of
/// DOKU's error envelopes, or is not a `T`, is DOKU replaying an earlier refusal:
/// [`Error::ReplayedRefusal`]. Any other status is [`Error::Api`]. The `bool` is `true` for a
/// replay.
///
/// A 409 body is read as DOKU's error envelope once; that reading decides, and is the one the
/// refusal reports. Only a body that is not an error is decoded as `T` — from the bytes, since
/// a `T` may keep exact number text that a parsed tree has lost.
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
        let envelope: Option<ErrorBody> = serde_json::from_slice(body).ok();
        if !envelope.as_ref().is_some_and(is_error_envelope) {
            if let Ok(value) = doku_model::decode::<T>(body) {
                return Ok((value, true));
            }
        }
        return Err(Error::replayed_refusal(
            status,
            body,
            envelope.as_ref(),
            request_id,
        ));
    }
    Err(Error::api(status, body, request_id))
}

/// Whether `body` is in one of DOKU's error shapes: Non-SNAP `error`, Checkout's
/// `error_messages`, a top-level `message` — unless a `response` object sits beside it, which is
/// Checkout's **success** envelope (`{"message":["SUCCESS"],"response":{…}}`) — or SNAP
/// `responseCode` / `responseMessage`. No success answer of the Partner API has any of these.
fn is_error_envelope(body: &ErrorBody) -> bool {
    let checkout_success = body
        .extra
        .get("response")
        .is_some_and(serde_json::Value::is_object);
    body.error.is_some()
        || body.error_messages.is_some()
        || body.response_code.is_some()
        || body.response_message.is_some()
        || (body.message.is_some() && !checkout_success)
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
        // Where: the path, the line and the column, once.
        assert_eq!(
            err.to_string(),
            "cannot decode DOKU's HTTP 200 OK answer (Request-Id r): truncated JSON at `token` (line 1, column 12): EOF while parsing a string"
        );
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
