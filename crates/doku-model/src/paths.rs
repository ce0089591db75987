//! Hosts and endpoint paths of the Partner API.
//!
//! The paths here are also the `Request-Target` of the Non-SNAP signature (path only, no
//! query string — see `docs/doku-api-notes.md`).

/// Base URL of the Partner API test mode ("UAT"). Not the general sandbox host.
pub const UAT_BASE_URL: &str = "https://api-uat.doku.com";

/// Base URL of production (the Partner API and Checkout alike).
pub const PRODUCTION_BASE_URL: &str = "https://api.doku.com";

/// Base URL of the general sandbox: Checkout and Check Status test mode (not the Partner API's).
pub const SANDBOX_BASE_URL: &str = "https://api-sandbox.doku.com";

/// `POST` DOKU Checkout: create a payment page.
pub const CHECKOUT_PAYMENT: &str = "/checkout/v1/payment";

/// Prefix of `GET` Check Status: `/orders/v1/status/{invoice_number or Request-Id}`.
pub const ORDER_STATUS: &str = "/orders/v1/status";

/// `GET` Check Status of `invoice_number` (or of the create call's Request-Id), percent-encoded
/// as one path segment. DOKU does not say whether an encoded path is what it signs; invoice
/// numbers of visible ASCII letters, digits and `-_.~` need no encoding.
pub fn order_status(invoice_number_or_request_id: &str) -> String {
    let mut out =
        String::with_capacity(ORDER_STATUS.len() + 1 + invoice_number_or_request_id.len());
    out.push_str(ORDER_STATUS);
    out.push('/');
    crate::query::percent_encode_into(&mut out, invoice_number_or_request_id);
    out
}

/// Common prefix of every Partner API path.
pub const BASE: &str = "/adv-core-api/partner/v1.0";

/// `POST` Generate Token.
pub const TOKEN: &str = "/adv-core-api/partner/v1.0/token";

/// `GET` Check Requirements (with a query string) and `POST` Upload File.
pub const FILE: &str = "/adv-core-api/partner/v1.0/file";

/// `POST` Business Registration.
pub const BUSINESS: &str = "/adv-core-api/partner/v1.0/business";

/// `POST` Create Business Lite.
pub const BUSINESS_LITE_REGISTRATION: &str =
    "/adv-core-api/partner/v1.0/business/lite/registration";

/// `GET` Get Business Data: `/adv-core-api/partner/v1.0/business/{client_id}`.
///
/// The id is inserted verbatim; [`crate::ClientId`] guarantees visible ASCII. Characters that
/// are not URL path-safe (`/`, `?`, `#`, `%`, …) are percent-encoded so the id stays one
/// path segment.
pub fn business(client_id: &str) -> String {
    let mut out = String::with_capacity(BUSINESS.len() + 1 + client_id.len());
    out.push_str(BUSINESS);
    out.push('/');
    crate::query::percent_encode_into(&mut out, client_id);
    out
}

/// The inverse of [`business`]: the client id in a Get Business Data path, if `path` is one.
/// Returns the raw (still percent-encoded) segment; the `lite` sub-path is not a client id.
pub fn parse_business(path: &str) -> Option<&str> {
    let rest = path.strip_prefix(BUSINESS)?.strip_prefix('/')?;
    if rest.is_empty() || rest.contains('/') {
        return None;
    }
    Some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_status_path() {
        assert_eq!(
            order_status("INV-123123-12313"),
            "/orders/v1/status/INV-123123-12313"
        );
        assert_eq!(order_status("a/b c"), "/orders/v1/status/a%2Fb%20c");
    }

    #[test]
    fn constants_share_the_base() {
        for p in [TOKEN, FILE, BUSINESS, BUSINESS_LITE_REGISTRATION] {
            assert!(p.starts_with(BASE), "{p}");
        }
    }

    #[test]
    fn business_path_round_trips() {
        let p = business("BRN-0104-1678960841263");
        assert_eq!(
            p,
            "/adv-core-api/partner/v1.0/business/BRN-0104-1678960841263"
        );
        assert_eq!(parse_business(&p), Some("BRN-0104-1678960841263"));
        assert_eq!(parse_business(BUSINESS), None);
        assert_eq!(parse_business(BUSINESS_LITE_REGISTRATION), None);
        assert_eq!(business("a/b"), format!("{BUSINESS}/a%2Fb"));
    }
}
