//! DOKU Checkout's error envelopes (doku-checkout.md §2.4, observed in the sandbox): header and
//! authentication problems as `{"error":{"code","message","type"}}` with Checkout's own codes
//! (`invalid_header_request`, `invalid_client_id`, `request_time_out_of_range`,
//! `invalid_signature`); validation as `{"error_messages":[…]}` (HTTP 400); business refusals
//! as `{"message":["…"]}`.

use http::StatusCode;

use crate::response::Reply;

/// The Checkout code for a Partner-style header code.
fn checkout_code(code: &str, message: &str) -> Option<&'static str> {
    Some(match code {
        "missing_header" | "duplicate_header" | "invalid_header" | "invalid_request_id" => {
            "invalid_header_request"
        }
        "invalid_timestamp" if message.contains("allowed") => "request_time_out_of_range",
        "invalid_timestamp" => "invalid_header_request",
        _ => return None,
    })
}

/// Rewrites the header-check refusals of a merchant call to Checkout's codes (other answers
/// pass unchanged).
pub(crate) fn envelope(reply: Reply) -> Reply {
    if reply.status.is_success() || reply.status == StatusCode::CONFLICT {
        return reply;
    }
    let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(&reply.body) else {
        return reply;
    };
    let Some(error) = value.get_mut("error").and_then(|e| e.as_object_mut()) else {
        return reply;
    };
    let code = error.get("code").and_then(|c| c.as_str()).unwrap_or("");
    let message = error.get("message").and_then(|c| c.as_str()).unwrap_or("");
    let Some(new) = checkout_code(code, message) else {
        return reply;
    };
    error.insert("code".to_owned(), new.into());
    Reply {
        body: serde_json::to_vec(&value)
            .map(Into::into)
            .unwrap_or(reply.body.clone()),
        ..reply
    }
}

/// A validation refusal: HTTP 400 `{"error_messages":[…]}`.
pub(crate) fn validation(messages: Vec<String>) -> Reply {
    Reply::json(
        StatusCode::BAD_REQUEST,
        &serde_json::json!({ "error_messages": messages }),
    )
}

/// A business refusal: `{"message":["…"]}`.
pub(crate) fn business(status: StatusCode, message: &str) -> Reply {
    Reply::json(status, &serde_json::json!({ "message": [message] }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_codes_become_checkout_codes() {
        for (status, code, checkout_code) in [
            (
                StatusCode::BAD_REQUEST,
                "missing_header",
                "invalid_header_request",
            ),
            (
                StatusCode::UNAUTHORIZED,
                "invalid_signature",
                "invalid_signature",
            ),
        ] {
            let r = envelope(Reply::error(
                status,
                code,
                "missing required header(s): Client-Id",
            ));
            let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
            assert_eq!(v["error"]["code"], checkout_code, "{code}");
            assert_eq!(v["error"]["type"], "invalid_request_error", "{code}");
        }
    }
}
