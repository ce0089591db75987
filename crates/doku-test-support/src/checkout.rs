//! Merchant (Checkout) fixtures: the brand id of DOKU's examples and DOKU's published Checkout samples, byte
//! for byte, so every test answers or reads the same documents.

/// The brand (merchant) Client-Id DOKU's Checkout and Business pages use in their examples.
pub const BRAND_ID: &str = "BRN-0104-1678960841263";

/// DOKU's Checkout answer sample (`checkout/create.response.json`).
pub const CHECKOUT_CREATED: &[u8] =
    include_bytes!("../../doku-model/tests/doku-samples/checkout/create.response.json");

/// DOKU's Check Status answer sample for a pending payment (`checkout/check-status-pending.response.json`).
pub const CHECK_STATUS_PENDING: &[u8] = include_bytes!(
    "../../doku-model/tests/doku-samples/checkout/check-status-pending.response.json"
);

/// DOKU's payment notification sample for a BCA virtual account (`checkout/notification-bca-va.json`).
pub const NOTIFICATION_BCA_VA: &[u8] =
    include_bytes!("../../doku-model/tests/doku-samples/checkout/notification-bca-va.json");
