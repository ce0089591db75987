//! DOKU's SNAP `responseCode`: 7 digits = HTTP status (3) + service code (2) + case code (2).
//!
//! [`ResponseCode`] reads any string and keeps it (a malformed or unknown code is still a
//! code DOKU sent), exposes its three parts, and classifies it into a [`ResponseKind`] the
//! client and the simulator match on. The codes the simulator and the merchant's receivers
//! emit are constants here, or built for any service with the constructors.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A SNAP service code: the middle two digits of a `responseCode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServiceCode(pub u8);

impl ServiceCode {
    /// B2B access token (`/authorization/v1/access-token/b2b`), also the merchant's token
    /// endpoint DOKU calls.
    pub const TOKEN: Self = Self(73);
    /// Create VA.
    pub const CREATE_VA: Self = Self(27);
    /// Update VA.
    pub const UPDATE_VA: Self = Self(28);
    /// Delete VA.
    pub const DELETE_VA: Self = Self(31);
    /// Check status VA.
    pub const CHECK_STATUS_VA: Self = Self(26);
    /// Inquiry (DOKU → merchant).
    pub const INQUIRY: Self = Self(24);
    /// Payment notification (DOKU → merchant).
    pub const PAYMENT_NOTIFICATION: Self = Self(25);

    /// The two-digit code, e.g. `27`.
    pub fn get(self) -> u8 {
        self.0
    }
}

impl fmt::Display for ServiceCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}", self.0)
    }
}

/// What a `responseCode` means, for matching. Classified from the HTTP status and the case
/// code; the service code does not change the meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResponseKind {
    /// A 2xx code, e.g. `2002700`.
    Success,
    /// `401xx01`: the B2B access token is invalid or expired (`4012701`); fetch a new token once.
    InvalidToken,
    /// `401xx00`: unauthorized, the signature is wrong (`4012700`, `4017300`).
    UnauthorizedSignature,
    /// `400xx01`: a field has an invalid format (`4002701`).
    InvalidFieldFormat,
    /// `400xx02`: a mandatory field is missing or invalid (`4002702`).
    MissingMandatoryField,
    /// `409xx00` (conflict) or `409xx01` (SNAP's duplicate reference): the request repeats an
    /// earlier one (`4092700`).
    Conflict,
    /// `404xx12`: no such bill or virtual account (`4042412`).
    BillNotFound,
    /// `404xx14`: the bill is already paid (`4042414`).
    BillPaid,
    /// `404xx19`: the bill has expired (`4042419`).
    BillExpired,
    /// `403xx04`: "Activity Count Limit Exceeded" (e.g. `4032704`).
    ActivityLimitExceeded,
    /// HTTP 429, any service and case.
    TooManyRequests,
    /// `500xx00`: general error (`5002700`).
    GeneralError,
    /// Anything else, including codes that are not 7 digits.
    Other,
}

impl ResponseKind {
    /// The `responseMessage` the simulator and receivers send with a code of this kind (DOKU's
    /// wording where its pages give one, SNAP's otherwise).
    pub fn default_message(self) -> &'static str {
        match self {
            Self::Success => "Successful",
            Self::InvalidToken => "Unauthorized. Invalid Token (B2B)",
            Self::UnauthorizedSignature => "Unauthorized. Invalid Signature",
            Self::InvalidFieldFormat => "Invalid Field Format",
            Self::MissingMandatoryField => "Invalid Mandatory Field",
            Self::Conflict => "Conflict",
            Self::BillNotFound => "Invalid Bill/Virtual Account [Not Found]",
            Self::BillPaid => "Paid Bill",
            Self::BillExpired => "Invalid Bill/Virtual Account [Expired]",
            Self::ActivityLimitExceeded => "Activity Count Limit Exceeded",
            Self::TooManyRequests => "Too Many Requests",
            Self::GeneralError => "General Error",
            Self::Other => "Error",
        }
    }
}

/// DOKU's 7-digit SNAP `responseCode`, kept exactly as received.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ResponseCode(Cow<'static, str>);

impl ResponseCode {
    /// `2007300`: token issued.
    pub const TOKEN_SUCCESS: Self = Self::from_static("2007300");
    /// `4017300`: the token request's signature is wrong ("Unauthorized. Invalid Signature").
    pub const TOKEN_UNAUTHORIZED: Self = Self::from_static("4017300");
    /// `2002700`: VA created (also the PHP and Node SDKs' notification acknowledgement).
    pub const CREATE_VA_SUCCESS: Self = Self::from_static("2002700");
    /// `2002800`: VA updated.
    pub const UPDATE_VA_SUCCESS: Self = Self::from_static("2002800");
    /// `2003100`: VA deleted.
    pub const DELETE_VA_SUCCESS: Self = Self::from_static("2003100");
    /// `2002600`: VA status found.
    pub const CHECK_STATUS_VA_SUCCESS: Self = Self::from_static("2002600");
    /// `2002400`: inquiry answered with a bill.
    pub const INQUIRY_SUCCESS: Self = Self::from_static("2002400");
    /// `2002500`: payment notification received (the Java, Go and Python SDKs' acknowledgement).
    pub const PAYMENT_NOTIFICATION_SUCCESS: Self = Self::from_static("2002500");
    /// `4012701`: invalid token (B2B).
    pub const INVALID_TOKEN: Self = Self::from_static("4012701");
    /// `4012700`: unauthorized (signature).
    pub const UNAUTHORIZED: Self = Self::from_static("4012700");
    /// `4002701`: invalid field format.
    pub const INVALID_FIELD_FORMAT: Self = Self::from_static("4002701");
    /// `4002702`: invalid mandatory field.
    pub const MISSING_MANDATORY_FIELD: Self = Self::from_static("4002702");
    /// `4092700`: conflict (a duplicate request).
    pub const CONFLICT: Self = Self::from_static("4092700");
    /// `4042412`: bill not found.
    pub const BILL_NOT_FOUND: Self = Self::from_static("4042412");
    /// `4042414`: bill already paid.
    pub const BILL_PAID: Self = Self::from_static("4042414");
    /// `4042419`: bill expired.
    pub const BILL_EXPIRED: Self = Self::from_static("4042419");
    /// `5002700`: general error.
    pub const GENERAL_ERROR: Self = Self::from_static("5002700");

    /// A code from a string known at compile time; not checked.
    pub const fn from_static(code: &'static str) -> Self {
        Self(Cow::Borrowed(code))
    }

    /// Any received code, kept verbatim (malformed ones too: they classify as
    /// [`ResponseKind::Other`]).
    pub fn parse(code: impl Into<String>) -> Self {
        Self(Cow::Owned(code.into()))
    }

    /// `http` (3 digits) + `service` (2) + `case` (2); `None` when `http` is not 100–599 or
    /// `case` is above 99.
    pub fn new(http: u16, service: ServiceCode, case: u8) -> Option<Self> {
        if !(100..=599).contains(&http) || service.0 > 99 || case > 99 {
            return None;
        }
        Some(Self(Cow::Owned(format!(
            "{http:03}{:02}{case:02}",
            service.0
        ))))
    }

    fn build(http: u16, service: ServiceCode, case: u8) -> Self {
        // Every caller passes a valid status and case; a service above 99 keeps its digits.
        Self::new(http, service, case)
            .unwrap_or_else(|| Self(Cow::Owned(format!("{http:03}{}{case:02}", service.0))))
    }

    /// `200{service}00`, e.g. `2002700`.
    pub fn success(service: ServiceCode) -> Self {
        Self::build(200, service, 0)
    }

    /// `401{service}01`, invalid token.
    pub fn invalid_token(service: ServiceCode) -> Self {
        Self::build(401, service, 1)
    }

    /// `401{service}00`, unauthorized signature.
    pub fn unauthorized(service: ServiceCode) -> Self {
        Self::build(401, service, 0)
    }

    /// `400{service}01`, invalid field format.
    pub fn invalid_field_format(service: ServiceCode) -> Self {
        Self::build(400, service, 1)
    }

    /// `400{service}02`, invalid mandatory field.
    pub fn missing_mandatory_field(service: ServiceCode) -> Self {
        Self::build(400, service, 2)
    }

    /// `409{service}00`, conflict.
    pub fn conflict(service: ServiceCode) -> Self {
        Self::build(409, service, 0)
    }

    /// `404{service}12`, bill not found.
    pub fn bill_not_found(service: ServiceCode) -> Self {
        Self::build(404, service, 12)
    }

    /// `404{service}14`, bill paid.
    pub fn bill_paid(service: ServiceCode) -> Self {
        Self::build(404, service, 14)
    }

    /// `404{service}19`, bill expired.
    pub fn bill_expired(service: ServiceCode) -> Self {
        Self::build(404, service, 19)
    }

    /// `403{service}04`, activity count limit exceeded.
    pub fn activity_limit_exceeded(service: ServiceCode) -> Self {
        Self::build(403, service, 4)
    }

    /// `429{service}00`, too many requests.
    pub fn too_many_requests(service: ServiceCode) -> Self {
        Self::build(429, service, 0)
    }

    /// `500{service}00`, general error.
    pub fn general_error(service: ServiceCode) -> Self {
        Self::build(500, service, 0)
    }

    /// The code as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether it is exactly 7 ASCII digits.
    pub fn is_well_formed(&self) -> bool {
        self.0.len() == 7 && self.0.bytes().all(|b| b.is_ascii_digit())
    }

    fn part(&self, from: usize, to: usize) -> Option<u16> {
        if !self.is_well_formed() {
            return None;
        }
        self.0.get(from..to)?.parse().ok()
    }

    /// The HTTP status: the first three digits (`None` when malformed).
    pub fn http_status(&self) -> Option<u16> {
        self.part(0, 3)
    }

    /// The service code: digits 4–5 (`None` when malformed).
    pub fn service(&self) -> Option<ServiceCode> {
        self.part(3, 5)
            .and_then(|s| u8::try_from(s).ok())
            .map(ServiceCode)
    }

    /// The case code: the last two digits (`None` when malformed).
    pub fn case(&self) -> Option<u8> {
        self.part(5, 7).and_then(|c| u8::try_from(c).ok())
    }

    /// What the code means.
    pub fn kind(&self) -> ResponseKind {
        let (Some(http), Some(case)) = (self.http_status(), self.case()) else {
            return ResponseKind::Other;
        };
        match (http, case) {
            (200..=299, _) => ResponseKind::Success,
            (401, 1) => ResponseKind::InvalidToken,
            (401, 0) => ResponseKind::UnauthorizedSignature,
            (400, 1) => ResponseKind::InvalidFieldFormat,
            (400, 2) => ResponseKind::MissingMandatoryField,
            (409, 0 | 1) => ResponseKind::Conflict,
            (404, 12) => ResponseKind::BillNotFound,
            (404, 14) => ResponseKind::BillPaid,
            (404, 19) => ResponseKind::BillExpired,
            (403, 4) => ResponseKind::ActivityLimitExceeded,
            (429, _) => ResponseKind::TooManyRequests,
            (500, 0) => ResponseKind::GeneralError,
            _ => ResponseKind::Other,
        }
    }

    /// Whether the code is a success (2xx).
    pub fn is_success(&self) -> bool {
        self.kind() == ResponseKind::Success
    }

    /// The `responseMessage` to send with this code ([`ResponseKind::default_message`]).
    pub fn default_message(&self) -> &'static str {
        self.kind().default_message()
    }
}

impl fmt::Debug for ResponseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResponseCode({:?})", self.as_str())
    }
}

impl fmt::Display for ResponseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for ResponseCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ResponseCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl From<&str> for ResponseCode {
    fn from(code: &str) -> Self {
        Self::parse(code)
    }
}

impl From<String> for ResponseCode {
    fn from(code: String) -> Self {
        Self::parse(code)
    }
}

impl Serialize for ResponseCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ResponseCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Self::parse)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_and_kinds_of_every_emitted_code() {
        for (code, http, service, case, kind) in [
            ("2007300", 200, 73, 0, ResponseKind::Success),
            ("4017300", 401, 73, 0, ResponseKind::UnauthorizedSignature),
            ("2002700", 200, 27, 0, ResponseKind::Success),
            ("2002800", 200, 28, 0, ResponseKind::Success),
            ("2003100", 200, 31, 0, ResponseKind::Success),
            ("2002600", 200, 26, 0, ResponseKind::Success),
            ("2002400", 200, 24, 0, ResponseKind::Success),
            ("2002500", 200, 25, 0, ResponseKind::Success),
            ("4012701", 401, 27, 1, ResponseKind::InvalidToken),
            ("4012700", 401, 27, 0, ResponseKind::UnauthorizedSignature),
            ("4002701", 400, 27, 1, ResponseKind::InvalidFieldFormat),
            ("4002702", 400, 27, 2, ResponseKind::MissingMandatoryField),
            ("4092700", 409, 27, 0, ResponseKind::Conflict),
            ("4042412", 404, 24, 12, ResponseKind::BillNotFound),
            ("4042414", 404, 24, 14, ResponseKind::BillPaid),
            ("4042419", 404, 24, 19, ResponseKind::BillExpired),
            ("4032704", 403, 27, 4, ResponseKind::ActivityLimitExceeded),
            ("4292700", 429, 27, 0, ResponseKind::TooManyRequests),
            ("5002700", 500, 27, 0, ResponseKind::GeneralError),
            ("4042413", 404, 24, 13, ResponseKind::Other),
        ] {
            let c = ResponseCode::parse(code);
            assert_eq!(c.http_status(), Some(http), "{code}");
            assert_eq!(c.service(), Some(ServiceCode(service)), "{code}");
            assert_eq!(c.case(), Some(case), "{code}");
            assert_eq!(c.kind(), kind, "{code}");
        }
    }

    #[test]
    fn constructors_and_constants_agree() {
        let s = ServiceCode::CREATE_VA;
        assert_eq!(ResponseCode::success(s), ResponseCode::CREATE_VA_SUCCESS);
        assert_eq!(ResponseCode::invalid_token(s), ResponseCode::INVALID_TOKEN);
        assert_eq!(ResponseCode::unauthorized(s), ResponseCode::UNAUTHORIZED);
        assert_eq!(
            ResponseCode::invalid_field_format(s),
            ResponseCode::INVALID_FIELD_FORMAT
        );
        assert_eq!(
            ResponseCode::missing_mandatory_field(s),
            ResponseCode::MISSING_MANDATORY_FIELD
        );
        assert_eq!(ResponseCode::conflict(s), ResponseCode::CONFLICT);
        assert_eq!(ResponseCode::general_error(s), ResponseCode::GENERAL_ERROR);
        let i = ServiceCode::INQUIRY;
        assert_eq!(
            ResponseCode::bill_not_found(i),
            ResponseCode::BILL_NOT_FOUND
        );
        assert_eq!(ResponseCode::bill_paid(i), ResponseCode::BILL_PAID);
        assert_eq!(ResponseCode::bill_expired(i), ResponseCode::BILL_EXPIRED);
        let t = ServiceCode::TOKEN;
        assert_eq!(ResponseCode::success(t), ResponseCode::TOKEN_SUCCESS);
        assert_eq!(
            ResponseCode::unauthorized(t),
            ResponseCode::TOKEN_UNAUTHORIZED
        );
        for (service, code) in [
            (ServiceCode::UPDATE_VA, ResponseCode::UPDATE_VA_SUCCESS),
            (ServiceCode::DELETE_VA, ResponseCode::DELETE_VA_SUCCESS),
            (
                ServiceCode::CHECK_STATUS_VA,
                ResponseCode::CHECK_STATUS_VA_SUCCESS,
            ),
            (ServiceCode::INQUIRY, ResponseCode::INQUIRY_SUCCESS),
            (
                ServiceCode::PAYMENT_NOTIFICATION,
                ResponseCode::PAYMENT_NOTIFICATION_SUCCESS,
            ),
        ] {
            assert_eq!(ResponseCode::success(service), code);
        }
        assert_eq!(ResponseCode::new(99, s, 0), None);
        assert_eq!(ResponseCode::new(200, s, 100), None);
        assert_eq!(ResponseCode::activity_limit_exceeded(s), "4032704");
        assert_eq!(ResponseCode::too_many_requests(s), "4292700");
    }

    #[test]
    fn malformed_codes_are_kept_and_classified_other() {
        for code in [
            "",
            "200",
            "20027000",
            "20O2700",
            "２００２７００",
            "abcdefg",
        ] {
            let c: ResponseCode = serde_json::from_value(serde_json::json!(code)).unwrap();
            assert_eq!(c.as_str(), code);
            assert_eq!(c.kind(), ResponseKind::Other, "{code:?}");
            assert_eq!(c.http_status(), None);
            assert_eq!(serde_json::to_value(&c).unwrap(), serde_json::json!(code));
        }
        assert!(serde_json::from_str::<ResponseCode>("2002700").is_err());
    }
}
