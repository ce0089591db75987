//! The inputs of the generated vector cases. Expected values are computed by `doku-sign`; the independent
//! cases in `vectors/independent/` are computed by Python and openssl instead.

/// One generated case: its file stem and its inputs.
pub(crate) struct GeneratedCase {
    pub(crate) file: &'static str,
    pub(crate) description: &'static str,
    pub(crate) inputs: Inputs,
}

/// The inputs of one scheme.
pub(crate) enum Inputs {
    NonSnap {
        response: bool,
        secret_key: &'static str,
        client_id: &'static str,
        request_id: &'static str,
        timestamp: &'static str,
        request_target: &'static str,
        body: Option<&'static str>,
    },
    SnapSymmetric {
        secret_key: &'static str,
        method: &'static str,
        path: &'static str,
        access_token: &'static str,
        body: &'static str,
        timestamp: &'static str,
    },
    SnapAsymmetric {
        private_key_file: &'static str,
        public_key_file: &'static str,
        client_id: &'static str,
        timestamp: &'static str,
    },
    JwtRs256 {
        private_key_file: &'static str,
        public_key_file: &'static str,
        claims: &'static str,
    },
}

const PARTNER: &str = "BRN-0001-10791114622547";
const SECRET: &str = "SK-doku-rs-generated-1";

/// Every generated case, in file order.
pub(crate) fn all() -> Vec<GeneratedCase> {
    vec![
        GeneratedCase {
            file: "non-snap-request/token-post",
            description: "Generate Token POST with a Z timestamp",
            inputs: Inputs::NonSnap {
                response: false,
                secret_key: SECRET,
                client_id: PARTNER,
                request_id: "8c3f0e2a-4b7d-4e51-9a6c-2f1d3b5e7a90",
                timestamp: "2026-11-29T01:51:00Z",
                request_target: "/adv-core-api/partner/v1.0/token",
                body: Some(r#"{"grant_type":"client_credentials","valid_time":"360"}"#),
            },
        },
        GeneratedCase {
            file: "non-snap-request/check-requirements-get",
            description: "Check Requirements GET: no body, so no Digest line; the query string is not part of Request-Target",
            inputs: Inputs::NonSnap {
                response: false,
                secret_key: SECRET,
                client_id: PARTNER,
                request_id: "0b6f4c58-2a4e-4a7a-8d59-6e1c2b3a4d5e",
                timestamp: "2026-11-29T01:52:10Z",
                request_target: "/adv-core-api/partner/v1.0/file",
                body: None,
            },
        },
        GeneratedCase {
            file: "non-snap-request/empty-object-body",
            description: "A POST whose body is the empty JSON object {}",
            inputs: Inputs::NonSnap {
                response: false,
                secret_key: SECRET,
                client_id: PARTNER,
                request_id: "req-empty-object",
                timestamp: "2026-01-01T00:00:00Z",
                request_target: "/adv-core-api/partner/v1.0/business/lite/registration",
                body: Some("{}"),
            },
        },
        GeneratedCase {
            file: "non-snap-request/non-ascii-body",
            description: "Business Registration body with non-ASCII UTF-8 (Indonesian address, accented name, emoji)",
            inputs: Inputs::NonSnap {
                response: false,
                secret_key: SECRET,
                client_id: PARTNER,
                request_id: "req-non-ascii-0001",
                timestamp: "2026-11-29T02:00:00Z",
                request_target: "/adv-core-api/partner/v1.0/business",
                body: Some(
                    r#"{"business":{"name":"Kopi Kenangan Émilie ☕","address":"Jl. Braga No. 5, Bandung — Jawa Barat"}}"#,
                ),
            },
        },
        GeneratedCase {
            file: "non-snap-request/decimal-literals",
            description: "Decimal literals must be digested as sent: 10000.00 is not 10000",
            inputs: Inputs::NonSnap {
                response: false,
                secret_key: SECRET,
                client_id: PARTNER,
                request_id: "req-decimal-0001",
                timestamp: "2026-11-29T02:01:00Z",
                request_target: "/checkout/v1/payment",
                body: Some(r#"{"order":{"amount":10000.00,"invoice_number":"INV-20261129-0001"},"fee":1.50e2}"#),
            },
        },
        GeneratedCase {
            file: "non-snap-request/notification",
            description: "A DOKU notification to the merchant's own path, verified by the merchant",
            inputs: Inputs::NonSnap {
                response: false,
                secret_key: SECRET,
                client_id: "MCH-0001-10791114622547",
                request_id: "notif-7f1e9c2d",
                timestamp: "2026-11-29T02:05:30Z",
                request_target: "/payments/notifications",
                body: Some(
                    r#"{"order":{"invoice_number":"INV-1","amount":150000},"transaction":{"status":"SUCCESS"}}"#,
                ),
            },
        },
        GeneratedCase {
            file: "non-snap-response/token-response",
            description: "DOKU's signed response to Generate Token (Response-Timestamp line, digest over the response body)",
            inputs: Inputs::NonSnap {
                response: true,
                secret_key: SECRET,
                client_id: PARTNER,
                request_id: "8c3f0e2a-4b7d-4e51-9a6c-2f1d3b5e7a90",
                timestamp: "2026-11-29T01:51:01Z",
                request_target: "/adv-core-api/partner/v1.0/token",
                body: Some(r#"{"token":"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJCUk4tMDAwMSJ9.c2ln"}"#),
            },
        },
        GeneratedCase {
            file: "non-snap-response/get-business-data-response",
            description: "Signed response to a GET (the response has a body, so a Digest line)",
            inputs: Inputs::NonSnap {
                response: true,
                secret_key: SECRET,
                client_id: PARTNER,
                request_id: "req-business-get",
                timestamp: "2026-11-29T02:10:00Z",
                request_target: "/adv-core-api/partner/v1.0/business/BRN-0202-1700000000000",
                body: Some(r#"{"business":{"client_id":"BRN-0202-1700000000000","status":"ACTIVE"}}"#),
            },
        },
        GeneratedCase {
            file: "snap-symmetric/create-va",
            description: "SNAP transaction POST with an access token and a +07:00 timestamp",
            inputs: Inputs::SnapSymmetric {
                secret_key: "snap-client-secret-1",
                method: "POST",
                path: "/virtual-accounts/bi-snap-va/v1.1/transfer-va/create-va",
                access_token: "eyJhbGciOiJIUzUxMiJ9.eyJzdWIiOiJ4In0.sig",
                body: r#"{"partnerServiceId":"  088899","customerNo":"12345678901234567890","virtualAccountNo":"  08889912345678901234567890","virtualAccountName":"Jokul Doe","virtualAccountEmail":"jokul@email.com","virtualAccountPhone":"6281828384858","trxId":"abcdefgh1234","totalAmount":{"value":"12345678.00","currency":"IDR"}}"#,
                timestamp: "2024-03-19T14:39:01+07:00",
            },
        },
        GeneratedCase {
            file: "snap-symmetric/inbound-notification-empty-token",
            description: "Inbound SNAP notification: empty access token segment, Z timestamp",
            inputs: Inputs::SnapSymmetric {
                secret_key: "snap-client-secret-1",
                method: "POST",
                path: "/v1.1/transfer-va/payment",
                access_token: "",
                body: r#"{"virtualAccountNo":"  08889912345678901234567890","paidAmount":{"value":"10000.00","currency":"IDR"}}"#,
                timestamp: "2020-09-22T01:51:00Z",
            },
        },
        GeneratedCase {
            file: "snap-asymmetric/pkcs8-key",
            description: "SNAP access-token signature with a PKCS#8 private key and SPKI public key",
            inputs: Inputs::SnapAsymmetric {
                private_key_file: "merchant-pkcs8.pem",
                public_key_file: "merchant-public.pem",
                client_id: "MCH-0001-10791114622547",
                timestamp: "2024-03-19T14:39:01+07:00",
            },
        },
        GeneratedCase {
            file: "snap-asymmetric/pkcs1-key",
            description: "SNAP access-token signature with a PKCS#1 private key and PKCS#1 public key, Z timestamp",
            inputs: Inputs::SnapAsymmetric {
                private_key_file: "partner-pkcs1.pem",
                public_key_file: "partner-public-pkcs1.pem",
                client_id: PARTNER,
                timestamp: "2020-09-22T01:51:00Z",
            },
        },
        GeneratedCase {
            file: "jwt-rs256/pkcs1-key",
            description: "An RS256 access token a merchant issues to DOKU, signed with a PKCS#1 key, non-ASCII in a claim",
            inputs: Inputs::JwtRs256 {
                private_key_file: "partner-pkcs1.pem",
                public_key_file: "partner-public-pkcs1.pem",
                claims: r#"{"iss":"DOKU","clientId":"BRN-0001-10791114622547","exp":1790000000,"name":"Toko Sérang"}"#,
            },
        },
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_names_are_unique() {
        let mut names: Vec<_> = super::all().iter().map(|c| c.file).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
    }
}
