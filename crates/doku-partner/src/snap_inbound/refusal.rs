//! Why DOKU's notification or inquiry was refused, and the SNAP answer that says so.

use std::fmt;

use doku_model::snap::{ResponseCode, ServiceCode};
use doku_model::{DecodeError, DecodeErrorKind, ValidationErrors};
use doku_sign::headers::{AUTHORIZATION, X_SIGNATURE, X_TIMESTAMP};

use super::headers::HeaderProblem;
use super::reply::SnapReply;

/// Why an inbound SNAP call (payment notification, inquiry) was refused.
///
/// Answer DOKU with [`SnapInboundRefusal::notification_reply`] or [`SnapInboundRefusal::inquiry_reply`]
/// (DOKU retries a refused notification) and log the reason; no variant carries a key, a token
/// or the body.
///
/// | refusal | `responseCode` | HTTP |
/// |---|---|---|
/// | no `Authorization`, not `Bearer …`, bearer not ours / malformed / expired / for another issuer or client | `4012701` Invalid Token (B2B) | 401 |
/// | no `X-SIGNATURE`, 64-hex signature, malformed signature, mismatch, `X-TIMESTAMP` outside the optional window | `4012700` Unauthorized | 401 |
/// | another header missing | `400{svc}02` Invalid Mandatory Field | 400 |
/// | a header sent twice or not ASCII, `X-TIMESTAMP` unreadable (window on) | `400{svc}01` Invalid Field Format | 400 |
/// | body: a mandatory field missing | `400{svc}02` | 400 |
/// | body: not JSON, or a field of the wrong type | `400{svc}01` | 400 |
/// | body: breaks SNAP's rules (`Validate`) | `400{svc}02` if a field is missing, else `400{svc}01` | 400 |
///
/// `{svc}` is the call's service code: `25` for the payment notification, `24` for the inquiry.
/// The two `401` codes are written `…27…` whatever the call: that is how DOKU's error page and
/// its notification page print them, and how DOKU's SDKs answer on both calls.
#[derive(Debug)]
#[non_exhaustive]
pub enum SnapInboundRefusal {
    /// A required header is absent or empty.
    MissingHeader(&'static str),
    /// A header appears more than once.
    DuplicateHeader(&'static str),
    /// A header value is not visible ASCII.
    InvalidHeader(&'static str),
    /// `Authorization` is not `Bearer <token>`.
    NotBearer,
    /// The bearer is not a JWT signed by our key (forged, another party's, or damaged).
    BadBearer,
    /// The bearer was ours but expired at `expired_at` (Unix seconds).
    ExpiredBearer {
        /// The token's `exp` claim.
        expired_at: i64,
    },
    /// The bearer is signed by our key but its `iss` or `clientId` is not one we issue.
    ForeignBearer,
    /// `X-SIGNATURE` is a run of hex digits (DOKU's notification sample shows 64), not the
    /// base64 of an HMAC-SHA512 (88 characters): a sample value or another scheme, never a
    /// valid signature.
    HexSignature,
    /// `X-SIGNATURE` is not the base64 of 64 bytes.
    MalformedSignature(doku_sign::Error),
    /// `X-SIGNATURE` does not match the raw body nor any minification reading of it: wrong
    /// client secret, wrong path, or an altered message.
    SignatureMismatch,
    /// `X-TIMESTAMP` cannot be read (only checked when a window is set).
    InvalidTimestamp,
    /// `X-TIMESTAMP` is outside the window (only when one is set).
    StaleTimestamp {
        /// `X-TIMESTAMP - now`, in seconds.
        skew_seconds: i64,
    },
    /// The signed body lacks a mandatory field.
    MissingField(DecodeError),
    /// The signed body is not JSON of the expected shape.
    MalformedBody(DecodeError),
    /// The signed body decodes but breaks SNAP's rules (e.g. no `paidAmount`, an amount not in
    /// `"11500.00"` form); every violation is listed with its JSON path.
    InvalidBody(ValidationErrors),
}

impl SnapInboundRefusal {
    /// The `responseCode` for this refusal on a call of `service`.
    pub fn response_code(&self, service: ServiceCode) -> ResponseCode {
        match self {
            Self::NotBearer
            | Self::BadBearer
            | Self::ExpiredBearer { .. }
            | Self::ForeignBearer
            | Self::MissingHeader(AUTHORIZATION) => ResponseCode::INVALID_TOKEN,
            Self::HexSignature
            | Self::MalformedSignature(_)
            | Self::SignatureMismatch
            | Self::StaleTimestamp { .. }
            | Self::MissingHeader(X_SIGNATURE) => ResponseCode::UNAUTHORIZED,
            Self::MissingHeader(_) | Self::MissingField(_) => {
                ResponseCode::missing_mandatory_field(service)
            }
            Self::InvalidBody(errors) if first_missing(errors).is_some() => {
                ResponseCode::missing_mandatory_field(service)
            }
            Self::InvalidBody(_) => ResponseCode::invalid_field_format(service),
            Self::DuplicateHeader(_)
            | Self::InvalidHeader(_)
            | Self::InvalidTimestamp
            | Self::MalformedBody(_) => ResponseCode::invalid_field_format(service),
        }
    }

    /// The `responseMessage`: SNAP's wording, naming the header or JSON path at fault.
    pub fn response_message(&self) -> String {
        match self {
            Self::NotBearer
            | Self::BadBearer
            | Self::ExpiredBearer { .. }
            | Self::ForeignBearer
            | Self::MissingHeader(AUTHORIZATION)
            | Self::HexSignature
            | Self::MalformedSignature(_)
            | Self::SignatureMismatch
            | Self::MissingHeader(X_SIGNATURE) => self
                .response_code(ServiceCode::PAYMENT_NOTIFICATION)
                .default_message()
                .to_owned(),
            Self::StaleTimestamp { .. } => "Unauthorized. Invalid Timestamp".to_owned(),
            Self::MissingHeader(name) => format!("Invalid Mandatory Field {{{name}}}"),
            Self::DuplicateHeader(name) | Self::InvalidHeader(name) => {
                format!("Invalid Field Format {{{name}}}")
            }
            Self::InvalidTimestamp => format!("Invalid Field Format {{{X_TIMESTAMP}}}"),
            Self::MissingField(e) => format!("Invalid Mandatory Field {{{}}}", missing_name(e)),
            Self::MalformedBody(e) => format!("Invalid Field Format {{{}}}", e.path),
            Self::InvalidBody(errors) => match first_missing(errors) {
                Some(path) => format!("Invalid Mandatory Field {{{path}}}"),
                None => {
                    let path = errors.paths().first().copied().unwrap_or("body");
                    format!("Invalid Field Format {{{path}}}")
                }
            },
        }
    }

    /// The answer to a refused payment notification (service `25`).
    pub fn notification_reply(&self) -> SnapReply {
        self.reply(ServiceCode::PAYMENT_NOTIFICATION)
    }

    /// The answer to a refused inquiry (service `24`).
    pub fn inquiry_reply(&self) -> SnapReply {
        self.reply(ServiceCode::INQUIRY)
    }

    /// The answer for a call of `service`: HTTP status = the code's first three digits.
    pub fn reply(&self, service: ServiceCode) -> SnapReply {
        SnapReply::refusal(&self.response_code(service), &self.response_message())
    }

    /// A body that failed to decode: a missing field is `…02`, anything else `…01`.
    pub(crate) fn from_decode(error: DecodeError) -> Self {
        if error.kind == DecodeErrorKind::Data && error.message.starts_with("missing field") {
            Self::MissingField(error)
        } else {
            Self::MalformedBody(error)
        }
    }
}

/// The path of the first violation that is a missing field, if any.
fn first_missing(errors: &ValidationErrors) -> Option<&str> {
    errors
        .violations()
        .iter()
        .find(|v| v.message == "is required")
        .map(|v| v.path.as_str())
}

/// `missing field `x`` at path `a.b` names `a.b.x` (the root's fields by name alone).
fn missing_name(error: &DecodeError) -> String {
    let field = error.message.split('`').nth(1).unwrap_or("body").to_owned();
    match error.path.as_str() {
        "." | "" => field,
        path => format!("{path}.{field}"),
    }
}

impl From<HeaderProblem> for SnapInboundRefusal {
    fn from(problem: HeaderProblem) -> Self {
        match problem {
            HeaderProblem::Missing(name) => Self::MissingHeader(name),
            HeaderProblem::Duplicate(name) => Self::DuplicateHeader(name),
            HeaderProblem::Invalid(name) => Self::InvalidHeader(name),
        }
    }
}

impl fmt::Display for SnapInboundRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingHeader(name) => write!(f, "missing header {name}"),
            Self::DuplicateHeader(name) => write!(f, "header {name} appears more than once"),
            Self::InvalidHeader(name) => write!(f, "header {name} is not visible ASCII"),
            Self::NotBearer => f.write_str("Authorization is not `Bearer <token>`"),
            Self::BadBearer => f.write_str("the bearer token is not a JWT signed by our key"),
            Self::ExpiredBearer { expired_at } => {
                write!(f, "the bearer token expired at {expired_at} (Unix seconds)")
            }
            Self::ForeignBearer => {
                f.write_str("the bearer token's issuer or client id is not one we issue")
            }
            Self::HexSignature => f.write_str(
                "X-SIGNATURE is hex (like DOKU's sample), not the base64 of an HMAC-SHA512",
            ),
            Self::MalformedSignature(_) => f.write_str("X-SIGNATURE is not base64 of 64 bytes"),
            Self::SignatureMismatch => {
                f.write_str("X-SIGNATURE matches neither the raw body nor any minification reading")
            }
            Self::InvalidTimestamp => f.write_str("X-TIMESTAMP is not ISO 8601"),
            Self::StaleTimestamp { skew_seconds } => {
                write!(
                    f,
                    "X-TIMESTAMP is {skew_seconds} s from now, outside the window"
                )
            }
            Self::MissingField(_) => f.write_str("the signed body lacks a mandatory field"),
            Self::MalformedBody(_) => {
                f.write_str("the signed body does not have the expected shape")
            }
            Self::InvalidBody(errors) => write!(
                f,
                "the signed body breaks SNAP's rules at {}",
                errors.paths().join(", ")
            ),
        }
    }
}

impl std::error::Error for SnapInboundRefusal {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::MalformedSignature(e) => Some(e),
            Self::MissingField(e) | Self::MalformedBody(e) => Some(e),
            Self::InvalidBody(e) => Some(e),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every refusal's code and status, for both services: the table in the type's docs.
    #[test]
    fn refusals_map_to_dokus_codes_and_statuses() {
        let decode_error = |message: &str| DecodeError {
            path: "paidAmount".to_owned(),
            message: message.to_owned(),
            kind: DecodeErrorKind::Data,
            line: 1,
            column: 1,
        };
        let mut missing = ValidationErrors::new();
        missing.push("paidAmount", "is required");
        let mut wrong = ValidationErrors::new();
        wrong.push("paidAmount.value", "must have two decimals");
        let cases = [
            (
                SnapInboundRefusal::MissingHeader(AUTHORIZATION),
                "4012701",
                "4012701",
            ),
            (SnapInboundRefusal::NotBearer, "4012701", "4012701"),
            (SnapInboundRefusal::BadBearer, "4012701", "4012701"),
            (
                SnapInboundRefusal::ExpiredBearer { expired_at: 1 },
                "4012701",
                "4012701",
            ),
            (SnapInboundRefusal::ForeignBearer, "4012701", "4012701"),
            (
                SnapInboundRefusal::MissingHeader(X_SIGNATURE),
                "4012700",
                "4012700",
            ),
            (SnapInboundRefusal::HexSignature, "4012700", "4012700"),
            (
                SnapInboundRefusal::MalformedSignature(doku_sign::Error::InvalidBase64),
                "4012700",
                "4012700",
            ),
            (SnapInboundRefusal::SignatureMismatch, "4012700", "4012700"),
            (
                SnapInboundRefusal::StaleTimestamp { skew_seconds: 1 },
                "4012700",
                "4012700",
            ),
            (
                SnapInboundRefusal::MissingHeader(X_TIMESTAMP),
                "4002502",
                "4002402",
            ),
            (
                SnapInboundRefusal::DuplicateHeader(X_TIMESTAMP),
                "4002501",
                "4002401",
            ),
            (
                SnapInboundRefusal::InvalidHeader(X_TIMESTAMP),
                "4002501",
                "4002401",
            ),
            (SnapInboundRefusal::InvalidTimestamp, "4002501", "4002401"),
            (
                SnapInboundRefusal::from_decode(decode_error("missing field `value`")),
                "4002502",
                "4002402",
            ),
            (
                SnapInboundRefusal::from_decode(decode_error("invalid type")),
                "4002501",
                "4002401",
            ),
            (
                SnapInboundRefusal::InvalidBody(missing),
                "4002502",
                "4002402",
            ),
            (SnapInboundRefusal::InvalidBody(wrong), "4002501", "4002401"),
        ];
        for (refusal, notification, inquiry) in cases {
            for (reply, code) in [
                (refusal.notification_reply(), notification),
                (refusal.inquiry_reply(), inquiry),
            ] {
                let body: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
                assert_eq!(body["responseCode"], code, "{refusal:?}");
                assert_eq!(reply.status.to_string(), code[..3], "{refusal:?}");
                assert_eq!(body["responseMessage"], refusal.response_message());
            }
        }
        assert_eq!(
            SnapInboundRefusal::from_decode(decode_error("missing field `value`"))
                .response_message(),
            "Invalid Mandatory Field {paidAmount.value}"
        );
    }
}
