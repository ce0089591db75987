//! A default [`Signing`]: the partner's POST of an empty body to `/`, so a test names only what it is about
//! (`Signing { path, body, ..Signing::default() }`).

use crate::{Signing, PARTNER_CLIENT_ID, PARTNER_SECRET, START};

/// The Request-Id of [`Signing::default`] and [`crate::business_message`].
pub const REQUEST_ID: &str = "8c3f0e2a-4b7d-4e51-9a6c-2f1d3b5e7a90";

impl Default for Signing<'_> {
    /// The partner ([`PARTNER_CLIENT_ID`], [`PARTNER_SECRET`]) POSTing an empty body to `/` at [`START`] with
    /// [`REQUEST_ID`], the query (none) left unsigned.
    fn default() -> Self {
        Signing {
            client_id: PARTNER_CLIENT_ID,
            secret: PARTNER_SECRET,
            method: "POST",
            path: "/",
            query: None,
            body: b"",
            request_id: REQUEST_ID,
            timestamp: START,
            sign_query: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::Signing;

    #[test]
    fn the_default_is_the_partner_posting_at_start() {
        let request = Signing::default().sign();
        assert_eq!(request.method, "POST");
        assert_eq!(request.headers[0].1, crate::PARTNER_CLIENT_ID);
        assert_eq!(request.headers[2].1, crate::START);
    }
}
