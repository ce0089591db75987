//! The one table of DOKU calls doku-rs knows: name, method, path, whose credentials sign it and what DOKU's
//! pages say about the bearer token. The client builds its requests from it and the simulator routes by it, so
//! a path cannot be spelled two ways.
//!
//! The paths are also the `Request-Target` of the Non-SNAP signature (path only, no query string — see
//! `docs/doku-api-notes.md`).

use crate::query::percent_encode_into;

/// Base URL of the Partner API test mode ("UAT"). Not the general sandbox host.
pub const UAT_BASE_URL: &str = "https://api-uat.doku.com";

/// Base URL of production (the Partner API and Checkout alike).
pub const PRODUCTION_BASE_URL: &str = "https://api.doku.com";

/// Base URL of the general sandbox: Checkout and Check Status test mode (not the Partner API's).
pub const SANDBOX_BASE_URL: &str = "https://api-sandbox.doku.com";

/// One DOKU call.
///
/// Not `#[non_exhaustive]`, on purpose: every match over endpoints, in this workspace and in
/// yours, is exhaustive, so a new endpoint is a compile error wherever it needs handling instead
/// of a silent `_ =>` default. Adding one is a breaking change, released as such.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Endpoint {
    /// `POST /adv-core-api/partner/v1.0/token`: Generate Token.
    Token,
    /// `GET /adv-core-api/partner/v1.0/file?…`: Check Requirements.
    CheckRequirements,
    /// `POST /adv-core-api/partner/v1.0/file`: Upload File (multipart).
    UploadFile,
    /// `POST /adv-core-api/partner/v1.0/business`: Business Registration.
    BusinessRegistration,
    /// `POST /adv-core-api/partner/v1.0/business/lite/registration`: Create Business Lite.
    BusinessLite,
    /// `GET /adv-core-api/partner/v1.0/business/{client_id}`: Get Business Data.
    GetBusinessData,
    /// `POST /checkout/v1/payment`: DOKU Checkout (a merchant's call).
    Checkout,
    /// `GET /orders/v1/status/{invoice_number or Request-Id}`: Check Status (a merchant's call).
    CheckStatus,
    /// `POST /authorization/v1/access-token/b2b`: SNAP's B2B access token (a merchant's call,
    /// signed with the merchant's RSA key).
    SnapToken,
    /// `POST /virtual-accounts/bi-snap-va/v1.1/transfer-va/create-va`: SNAP Create Virtual Account.
    CreateVa,
    /// `PUT /virtual-accounts/bi-snap-va/v1.1/transfer-va/update-va`: SNAP Update Virtual Account.
    UpdateVa,
    /// `DELETE /virtual-accounts/bi-snap-va/v1.1/transfer-va/delete-va`: SNAP Delete Virtual Account.
    DeleteVa,
    /// `POST /orders/v1.0/transfer-va/status`: SNAP Check Status of a Virtual Account.
    VaStatus,
}

/// Whose DOKU credentials sign a call. Not `#[non_exhaustive]`, like [`Endpoint`]: matches over
/// it are exhaustive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Credentials {
    /// The partner platform's own Client-Id and secret key (the Partner API).
    Partner,
    /// A merchant's (brand's) Client-Id and shared key, issued by DOKU at registration (Checkout, Check Status,
    /// and SNAP, whose token request the merchant's RSA key signs as well).
    Merchant,
}

/// How a call is signed and which headers carry it. Not `#[non_exhaustive]`, like [`Endpoint`]:
/// matches over it are exhaustive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Non-SNAP: `Client-Id`, `Request-Id`, `Request-Timestamp` and
    /// `Signature: HMACSHA256=…` over those, the `Request-Target` and the body's `Digest`
    /// (the Partner API, Checkout, Check Status).
    NonSnap,
    /// SNAP asymmetric: `X-CLIENT-KEY`, `X-TIMESTAMP` and an `X-SIGNATURE` that is SHA256withRSA,
    /// with the merchant's private key, over `clientId|X-TIMESTAMP` (SNAP's B2B token request).
    SnapAsymmetric,
    /// SNAP symmetric: `X-PARTNER-ID`, `X-EXTERNAL-ID`, `CHANNEL-ID`, `X-TIMESTAMP`, the B2B
    /// bearer token and an `X-SIGNATURE` that is HMAC-SHA512, with the merchant's secret, over
    /// `METHOD:path:token:hex(SHA-256(minified body)):X-TIMESTAMP` (SNAP transactions).
    SnapSymmetric,
}

/// What DOKU's pages say about `Authorization: Bearer <token>` on a call. Not
/// `#[non_exhaustive]`, like [`Endpoint`]: matches over it are exhaustive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bearer {
    /// The call needs none: Generate Token itself, and the merchant calls (whose pages list only the four
    /// signature headers).
    Never,
    /// DOKU's page lists the header for this call (Upload File).
    Documented,
    /// A Partner API call whose page does not list the header: the client sends it anyway, and the simulator
    /// requires it only under its `--bearer everywhere` reading.
    Undocumented,
    /// A SNAP transaction: the merchant's B2B access token (from [`Endpoint::SnapToken`]) is
    /// required, and it is part of the string the `X-SIGNATURE` signs.
    SnapB2b,
}

impl Endpoint {
    /// Every call, in the order of the onboarding-then-payment story.
    pub const ALL: [Endpoint; 13] = [
        Self::Token,
        Self::CheckRequirements,
        Self::UploadFile,
        Self::BusinessRegistration,
        Self::BusinessLite,
        Self::GetBusinessData,
        Self::Checkout,
        Self::CheckStatus,
        Self::SnapToken,
        Self::CreateVa,
        Self::UpdateVa,
        Self::DeleteVa,
        Self::VaStatus,
    ];

    /// Everything doku-rs knows about this call, declared once: one exhaustive match whose arms
    /// are whole [`Declaration`]s, so a new endpoint (or a new fact) that is not written down
    /// fails to compile instead of falling into a default.
    pub const fn declaration(self) -> Declaration {
        match self {
            Self::Token => Declaration {
                name: "token",
                method: "POST",
                path: "/adv-core-api/partner/v1.0/token",
                path_parameter: false,
                credentials: Credentials::Partner,
                bearer: Bearer::Never,
                scheme: Scheme::NonSnap,
                snap_service: None,
                older_paths: &[],
            },
            Self::CheckRequirements => Declaration {
                name: "check_requirements",
                method: "GET",
                path: "/adv-core-api/partner/v1.0/file",
                path_parameter: false,
                credentials: Credentials::Partner,
                bearer: Bearer::Undocumented,
                scheme: Scheme::NonSnap,
                snap_service: None,
                older_paths: &[],
            },
            Self::UploadFile => Declaration {
                name: "upload_file",
                method: "POST",
                path: "/adv-core-api/partner/v1.0/file",
                path_parameter: false,
                credentials: Credentials::Partner,
                bearer: Bearer::Documented,
                scheme: Scheme::NonSnap,
                snap_service: None,
                older_paths: &[],
            },
            Self::BusinessRegistration => Declaration {
                name: "business_registration",
                method: "POST",
                path: "/adv-core-api/partner/v1.0/business",
                path_parameter: false,
                credentials: Credentials::Partner,
                bearer: Bearer::Undocumented,
                scheme: Scheme::NonSnap,
                snap_service: None,
                older_paths: &[],
            },
            Self::BusinessLite => Declaration {
                name: "business_lite",
                method: "POST",
                path: "/adv-core-api/partner/v1.0/business/lite/registration",
                path_parameter: false,
                credentials: Credentials::Partner,
                bearer: Bearer::Undocumented,
                scheme: Scheme::NonSnap,
                snap_service: None,
                older_paths: &[],
            },
            Self::GetBusinessData => Declaration {
                name: "get_business_data",
                method: "GET",
                path: "/adv-core-api/partner/v1.0/business",
                path_parameter: true,
                credentials: Credentials::Partner,
                bearer: Bearer::Undocumented,
                scheme: Scheme::NonSnap,
                snap_service: None,
                older_paths: &[],
            },
            Self::Checkout => Declaration {
                name: "checkout",
                method: "POST",
                path: "/checkout/v1/payment",
                path_parameter: false,
                credentials: Credentials::Merchant,
                bearer: Bearer::Never,
                scheme: Scheme::NonSnap,
                snap_service: None,
                older_paths: &[],
            },
            Self::CheckStatus => Declaration {
                name: "check_status",
                method: "GET",
                path: "/orders/v1/status",
                path_parameter: true,
                credentials: Credentials::Merchant,
                bearer: Bearer::Never,
                scheme: Scheme::NonSnap,
                snap_service: None,
                older_paths: &[],
            },
            Self::SnapToken => Declaration {
                name: "snap_token",
                method: "POST",
                path: "/authorization/v1/access-token/b2b",
                path_parameter: false,
                credentials: Credentials::Merchant,
                bearer: Bearer::Never,
                scheme: Scheme::SnapAsymmetric,
                snap_service: Some(73),
                older_paths: &[],
            },
            Self::CreateVa => Declaration {
                name: "create_va",
                method: "POST",
                path: "/virtual-accounts/bi-snap-va/v1.1/transfer-va/create-va",
                path_parameter: false,
                credentials: Credentials::Merchant,
                bearer: Bearer::SnapB2b,
                scheme: Scheme::SnapSymmetric,
                snap_service: Some(27),
                older_paths: &[
                    "/virtual-accounts/bi-snap-va/v1/transfer-va/create-va",
                    "/bi-snap-va/v1/transfer-va/create-va",
                ],
            },
            Self::UpdateVa => Declaration {
                name: "update_va",
                method: "PUT",
                path: "/virtual-accounts/bi-snap-va/v1.1/transfer-va/update-va",
                path_parameter: false,
                credentials: Credentials::Merchant,
                bearer: Bearer::SnapB2b,
                scheme: Scheme::SnapSymmetric,
                snap_service: Some(28),
                older_paths: &[],
            },
            Self::DeleteVa => Declaration {
                name: "delete_va",
                method: "DELETE",
                path: "/virtual-accounts/bi-snap-va/v1.1/transfer-va/delete-va",
                path_parameter: false,
                credentials: Credentials::Merchant,
                bearer: Bearer::SnapB2b,
                scheme: Scheme::SnapSymmetric,
                snap_service: Some(31),
                older_paths: &[],
            },
            Self::VaStatus => Declaration {
                name: "va_status",
                method: "POST",
                path: "/orders/v1.0/transfer-va/status",
                path_parameter: false,
                credentials: Credentials::Merchant,
                bearer: Bearer::SnapB2b,
                scheme: Scheme::SnapSymmetric,
                snap_service: Some(26),
                older_paths: &["/v1.0/transfer-va/status"],
            },
        }
    }

    /// A short stable name for logs, spans, errors and fault injection, e.g. `upload_file`.
    pub const fn name(self) -> &'static str {
        self.declaration().name
    }

    /// The HTTP method: `"GET"` or `"POST"` for Non-SNAP calls; `"POST"`, `"PUT"` or
    /// `"DELETE"` for SNAP ones.
    pub const fn method(self) -> &'static str {
        self.declaration().method
    }

    /// Whether the path ends in a parameter segment (`{client_id}`, `{invoice_number}`) after
    /// [`path`](Self::path) and a `/`.
    pub const fn has_path_parameter(self) -> bool {
        self.declaration().path_parameter
    }

    /// The path: the whole path for a call without a parameter, else the part before `/{parameter}`.
    pub const fn path(self) -> &'static str {
        self.declaration().path
    }

    /// The path of a call with a parameter: [`path`](Self::path), `/`, then `parameter` percent-encoded as one
    /// segment (every byte outside `A-Z a-z 0-9 - . _ ~`). DOKU does not say whether an encoded path is what it
    /// signs; ids of those characters need no encoding. For a call without a parameter, `parameter` is ignored.
    pub fn path_with(self, parameter: &str) -> String {
        let base = self.path();
        if !self.has_path_parameter() {
            return base.to_owned();
        }
        let mut out = String::with_capacity(base.len() + 1 + parameter.len());
        out.push_str(base);
        out.push('/');
        percent_encode_into(&mut out, parameter);
        out
    }

    /// Whose credentials sign the call.
    pub const fn credentials(self) -> Credentials {
        self.declaration().credentials
    }

    /// What DOKU's pages say about the bearer token on this call.
    pub const fn bearer(self) -> Bearer {
        self.declaration().bearer
    }

    /// How the call is signed.
    pub const fn scheme(self) -> Scheme {
        self.declaration().scheme
    }

    /// SNAP's two-digit service code (the middle of a seven-digit `responseCode`, e.g. 27 in
    /// `2002700`), or `None` for a Non-SNAP call.
    pub const fn snap_service(self) -> Option<u8> {
        self.declaration().snap_service
    }

    /// Other paths DOKU's older pages show for the same call (e.g. `…/bi-snap-va/v1/…` for
    /// `…/v1.1/…`): the simulator serves them under its path-version reading. Empty for most.
    pub const fn older_paths(self) -> &'static [&'static str] {
        self.declaration().older_paths
    }

    /// The call a request is, from its method and path (without the query string), with the path parameter
    /// (still percent-encoded) when the call has one: the router's inverse of [`path_with`](Self::path_with).
    /// A parameter must be one non-empty segment, so `POST …/business/lite/registration` is
    /// Create Business Lite, never a Get Business Data.
    pub fn recognise<'p>(method: &str, path: &'p str) -> Option<(Self, Option<&'p str>)> {
        Self::ALL.into_iter().find_map(|endpoint| {
            if endpoint.method() != method {
                return None;
            }
            if !endpoint.has_path_parameter() {
                return (path == endpoint.path()).then_some((endpoint, None));
            }
            let parameter = path.strip_prefix(endpoint.path())?.strip_prefix('/')?;
            let one_segment = !parameter.is_empty() && !parameter.contains('/');
            one_segment.then_some((endpoint, Some(parameter)))
        })
    }
}

/// The facts of one DOKU call, as [`Endpoint::declaration`] declares them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Declaration {
    /// A short stable name for logs, spans, errors and fault injection, e.g. `upload_file`.
    pub name: &'static str,
    /// The HTTP method: `"GET"` or `"POST"` (Non-SNAP); `"POST"`, `"PUT"` or `"DELETE"` (SNAP).
    pub method: &'static str,
    /// The path, or the part before `/{parameter}` when [`path_parameter`](Self::path_parameter).
    pub path: &'static str,
    /// Whether the path ends in one parameter segment (`{client_id}`, `{invoice_number}`).
    pub path_parameter: bool,
    /// Whose credentials sign the call.
    pub credentials: Credentials,
    /// What DOKU's pages say about the bearer token on the call.
    pub bearer: Bearer,
    /// How the call is signed.
    pub scheme: Scheme,
    /// SNAP's two-digit service code (in the call's seven-digit `responseCode`s), `None` for
    /// Non-SNAP calls.
    pub snap_service: Option<u8>,
    /// Paths DOKU's older pages show for the same call; the current one is [`path`](Self::path).
    pub older_paths: &'static [&'static str],
}

/// Every Partner API path starts with this.
const PARTNER_PREFIX: &str = "/adv-core-api/partner/v1.0";

/// What every declaration must hold, checked when the crate compiles.
const _: () = {
    let mut i = 0;
    while i < Endpoint::ALL.len() {
        Endpoint::ALL[i].declaration().check();
        i += 1;
    }
};

impl Declaration {
    /// A Partner API call lives under [`PARTNER_PREFIX`], a merchant call does not; the Partner
    /// API is Non-SNAP; the method is one the scheme's calls use; a SNAP call has a service code
    /// and a Non-SNAP call none; the B2B bearer goes with the symmetric scheme only; SNAP paths
    /// take no parameter. Evaluated at compile time only.
    const fn check(self) {
        let partner = starts_with(self.path, PARTNER_PREFIX);
        match self.credentials {
            Credentials::Partner => {
                assert!(partner, "a Partner API path outside the prefix");
                assert!(
                    matches!(self.scheme, Scheme::NonSnap),
                    "the Partner API is Non-SNAP"
                );
            }
            Credentials::Merchant => assert!(!partner, "a merchant call under the Partner prefix"),
        }
        match self.scheme {
            Scheme::NonSnap => {
                assert!(
                    eq(self.method, "GET") || eq(self.method, "POST"),
                    "DOKU's Non-SNAP calls are GET or POST"
                );
                assert!(
                    self.snap_service.is_none(),
                    "a Non-SNAP call has no service code"
                );
                assert!(
                    !matches!(self.bearer, Bearer::SnapB2b),
                    "the B2B bearer is SNAP's"
                );
            }
            Scheme::SnapAsymmetric | Scheme::SnapSymmetric => {
                assert!(
                    eq(self.method, "POST") || eq(self.method, "PUT") || eq(self.method, "DELETE"),
                    "DOKU's SNAP calls are POST, PUT or DELETE"
                );
                assert!(
                    self.snap_service.is_some(),
                    "a SNAP call has a service code"
                );
                assert!(
                    !self.path_parameter,
                    "SNAP calls carry their ids in the body"
                );
                assert!(
                    matches!(self.bearer, Bearer::SnapB2b)
                        == matches!(self.scheme, Scheme::SnapSymmetric),
                    "SNAP transactions, and only they, carry the B2B bearer"
                );
            }
        }
    }
}

/// `text.starts_with(prefix)` in a `const fn`.
const fn starts_with(text: &str, prefix: &str) -> bool {
    let (text, prefix) = (text.as_bytes(), prefix.as_bytes());
    if text.len() < prefix.len() {
        return false;
    }
    let mut i = 0;
    while i < prefix.len() {
        if text[i] != prefix[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// `a == b` in a `const fn`.
const fn eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && starts_with(a, b)
}

impl core::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Common prefix of every Partner API path.
    const PARTNER: &str = "/adv-core-api/partner/v1.0";

    #[test]
    fn every_path_is_under_its_api_and_recognised_as_itself() {
        for endpoint in Endpoint::ALL {
            let path = endpoint.path_with("BRN-0001");
            match endpoint.credentials() {
                Credentials::Partner => assert!(path.starts_with(PARTNER), "{endpoint}"),
                Credentials::Merchant => assert!(!path.starts_with(PARTNER), "{endpoint}"),
            }
            let parameter = endpoint.has_path_parameter().then_some("BRN-0001");
            assert_eq!(
                Endpoint::recognise(endpoint.method(), &path),
                Some((endpoint, parameter)),
                "{endpoint}"
            );
        }
    }

    #[test]
    fn names_are_distinct() {
        let mut names: Vec<_> = Endpoint::ALL.iter().map(|e| e.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Endpoint::ALL.len());
    }

    #[test]
    fn parameters_are_encoded_as_one_segment_and_not_invented() {
        assert_eq!(
            Endpoint::CheckStatus.path_with("INV 1/2"),
            "/orders/v1/status/INV%201%2F2"
        );
        assert_eq!(
            Endpoint::GetBusinessData.path_with("BRN-1"),
            "/adv-core-api/partner/v1.0/business/BRN-1"
        );
        for (method, path) in [
            ("GET", "/adv-core-api/partner/v1.0/business/"),
            ("GET", "/adv-core-api/partner/v1.0/business/a/b"),
            ("GET", "/adv-core-api/partner/v1.0/business"),
            ("POST", "/adv-core-api/partner/v1.0/business/BRN-1"),
            ("GET", "/adv-core-api/partner/v1.0/token"),
            ("GET", "/orders/v1/status/"),
            ("PUT", "/checkout/v1/payment"),
        ] {
            assert_eq!(Endpoint::recognise(method, path), None, "{method} {path}");
        }
        // The Lite registration path is a POST of its own, not a Get Business Data of "lite".
        assert_eq!(
            Endpoint::recognise(
                "POST",
                "/adv-core-api/partner/v1.0/business/lite/registration"
            ),
            Some((Endpoint::BusinessLite, None))
        );
    }

    #[test]
    fn bearer_follows_dokus_pages() {
        assert_eq!(Endpoint::UploadFile.bearer(), Bearer::Documented);
        assert_eq!(Endpoint::Token.bearer(), Bearer::Never);
        assert_eq!(Endpoint::Checkout.bearer(), Bearer::Never);
        assert_eq!(Endpoint::GetBusinessData.bearer(), Bearer::Undocumented);
        assert_eq!(Endpoint::SnapToken.bearer(), Bearer::Never);
        assert_eq!(Endpoint::CreateVa.bearer(), Bearer::SnapB2b);
    }

    #[test]
    fn snap_calls_name_their_scheme_service_and_older_paths() {
        assert_eq!(Endpoint::SnapToken.scheme(), Scheme::SnapAsymmetric);
        assert_eq!(Endpoint::SnapToken.snap_service(), Some(73));
        assert_eq!(Endpoint::CreateVa.snap_service(), Some(27));
        assert_eq!(Endpoint::UpdateVa.method(), "PUT");
        assert_eq!(Endpoint::DeleteVa.method(), "DELETE");
        assert_eq!(Endpoint::VaStatus.snap_service(), Some(26));
        assert_eq!(Endpoint::Checkout.scheme(), Scheme::NonSnap);
        assert_eq!(Endpoint::Checkout.snap_service(), None);
        assert!(Endpoint::CreateVa
            .older_paths()
            .contains(&"/bi-snap-va/v1/transfer-va/create-va"));
        // An older path is not the current one, and is not recognised as a call by itself.
        for endpoint in Endpoint::ALL {
            for older in endpoint.older_paths() {
                assert_ne!(*older, endpoint.path());
                assert_eq!(Endpoint::recognise(endpoint.method(), older), None);
            }
        }
    }
}
