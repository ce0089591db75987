//! What DOKU is not known to accept or to refuse.
//!
//! The simulator refuses only what DOKU is documented or observed to refuse. Where nobody
//! knows (an undocumented format, a type DOKU has not been seen to refuse) it accepts the
//! request, writes one log line naming the field and why DOKU might refuse it, and counts it in
//! [`crate::Stats::warnings`]; under `--strict` ([`crate::SimConfigBuilder::strict`]) it
//! refuses instead. docs/conformance.md lists each doubt with its evidence.

use doku_model::CheckoutRequest;

use crate::state::App;

/// A field DOKU might refuse, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Doubt {
    /// The JSON path, e.g. `customer.phone`.
    pub(crate) field: &'static str,
    /// Why DOKU might refuse it, in words.
    pub(crate) why: &'static str,
}

/// Why a phone number with other characters than digits is in doubt.
const PHONE_NOT_DIGITS: &str = "has characters other than digits: DOKU documents only a length \
(at most 16) and shows `{calling_code}{phone_number}` such as 628121212121; whether it accepts \
`+`, spaces or dashes is not known";

/// Why a JSON body without `Content-Type: application/json` is in doubt.
pub(crate) const CONTENT_TYPE_NOT_JSON: &str = "is not application/json: DOKU's pages show \
`Content-Type: application/json` on every JSON call; whether DOKU refuses a JSON body sent \
without it (as some PHP integrations do) is not known";

/// Why a new Checkout for the invoice number of the merchant's still unpaid order is in doubt
/// (it is accepted and replaces that order's payment page).
pub(crate) const UNPAID_INVOICE_REUSED: &str = "is the invoice number of an earlier, still unpaid \
order: DOKU does not document whether it refuses a second Checkout for it (integrations reuse it \
when a customer comes back to pay); the simulator replaced the unpaid order";

/// The doubts about a Checkout request.
pub(crate) fn of_checkout(request: &CheckoutRequest) -> Vec<Doubt> {
    let mut doubts = Vec::new();
    let phone = request.customer.as_ref().and_then(|c| c.phone.as_deref());
    if phone.is_some_and(|p| !p.bytes().all(|b| b.is_ascii_digit())) {
        doubts.push(Doubt {
            field: "customer.phone",
            why: PHONE_NOT_DIGITS,
        });
    }
    doubts
}

/// Logs and counts each doubt (accepted), or, under `--strict`, turns them into validation
/// messages (refused).
pub(crate) fn settle(app: &App, endpoint: &str, doubts: Vec<Doubt>) -> Result<(), Vec<String>> {
    if doubts.is_empty() {
        return Ok(());
    }
    if app.config.strict {
        return Err(doubts
            .iter()
            .map(|d| format!("{} {} (refused under --strict)", d.field, d.why))
            .collect());
    }
    for doubt in doubts {
        warn(app, endpoint, &doubt);
    }
    Ok(())
}

/// Logs and counts one doubt the request was accepted despite (the caller already knows the
/// simulator is not `--strict`, or took the accepting path because of it).
pub(crate) fn warn(app: &App, endpoint: &str, doubt: &Doubt) {
    tracing::warn!(
        endpoint,
        field = doubt.field,
        "accepted, but DOKU might refuse it: {} {} (--strict refuses it)",
        doubt.field,
        doubt.why
    );
    app.stats().warnings += 1;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_phone_with_other_characters_than_digits_is_in_doubt() {
        let with_phone = |phone: Option<&str>| {
            let mut r = CheckoutRequest::new(1, "INV-1");
            r.customer = Some(doku_model::Customer {
                phone: phone.map(Into::into),
                ..Default::default()
            });
            of_checkout(&r)
        };
        assert_eq!(with_phone(None), []);
        assert_eq!(with_phone(Some("628121212121")), []);
        for doubtful in ["+6281234567890", "0812-3456-789"] {
            let doubts = with_phone(Some(doubtful));
            assert_eq!(doubts.len(), 1, "{doubtful}");
            assert_eq!(doubts[0].field, "customer.phone");
        }
    }
}
