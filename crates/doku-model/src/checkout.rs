//! DOKU Checkout (`POST /checkout/v1/payment`): the request a merchant sends to get a payment
//! page, and DOKU's answer with the page's `url`.
//!
//! Sources (see docs/doku-api-notes.md): DOKU's backend-integration page (cut off after the first
//! rows of the order table), two third-party transcriptions of it, and real sandbox answers
//! others published. Every object keeps the fields this crate does not model in `extra`.

use serde::{Deserialize, Serialize};

use crate::amount::Amount;
use crate::minutes::Minutes;
use crate::string_enum::string_enum;
use crate::text_or_integer::TextOrInteger;

/// Body of `POST /checkout/v1/payment`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckoutRequest {
    /// The order: amount, invoice number, line items, redirect URLs.
    pub order: CheckoutOrder,
    /// Due time and the payment methods to offer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<CheckoutPayment>,
    /// The paying customer (needed by some channels).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<Customer>,
    /// Shipping address (paylater channels).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<PostalAddress>,
    /// Billing address (Indodana).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_address: Option<PostalAddress>,
    /// Extra options, e.g. `override_notification_url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_info: Option<AdditionalInfo>,
    /// Fields this crate does not model (e.g. `collect_customer`), kept verbatim.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl CheckoutRequest {
    /// DOKU's basic request: an amount in whole IDR and an invoice number.
    pub fn new(amount_idr: u64, invoice_number: impl Into<String>) -> Self {
        Self {
            order: CheckoutOrder {
                amount: Amount::idr(amount_idr),
                invoice_number: invoice_number.into(),
                currency: None,
                callback_url: None,
                callback_url_cancel: None,
                callback_url_result: None,
                language: None,
                auto_redirect: None,
                disable_retry_payment: None,
                recover_abandoned_cart: None,
                expired_recovered_cart: None,
                line_items: None,
                extra: serde_json::Map::new(),
            },
            payment: None,
            customer: None,
            shipping_address: None,
            billing_address: None,
            additional_info: None,
            extra: serde_json::Map::new(),
        }
    }

    /// Sets `payment.payment_due_date` (minutes; DOKU's default is 60).
    pub fn due_in_minutes(mut self, minutes: u32) -> Self {
        self.payment_mut().payment_due_date = Some(Minutes::new(minutes));
        self
    }

    /// Sets `payment.payment_method_types`.
    pub fn methods(mut self, methods: impl IntoIterator<Item = PaymentMethod>) -> Self {
        self.payment_mut().payment_method_types = Some(methods.into_iter().collect());
        self
    }

    /// Sets `additional_info.override_notification_url`: DOKU sends this payment's notifications
    /// there. DOKU requires the same **path** as the URL configured in its Back Office.
    pub fn override_notification_url(mut self, url: impl Into<String>) -> Self {
        self.additional_info
            .get_or_insert_with(AdditionalInfo::default)
            .override_notification_url = Some(url.into());
        self
    }

    fn payment_mut(&mut self) -> &mut CheckoutPayment {
        self.payment.get_or_insert_with(CheckoutPayment::default)
    }
}

/// `order` of a Checkout request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckoutOrder {
    /// "In IDR Currency and without decimal", at most 12 digits.
    pub amount: Amount,
    /// The merchant's invoice number: at most 64 characters (30 when cards are offered).
    pub invoice_number: String,
    /// ISO 4217 code; DOKU's default is `IDR`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// "Back to Merchant" URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// Redirect after cancellation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_url_cancel: Option<String>,
    /// "Back to merchant" on the result page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_url_result: Option<String>,
    /// Page language, e.g. `EN`, `ID`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Whether the result page redirects to `callback_url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_redirect: Option<bool>,
    /// Whether a failed payment may not be retried on the page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_retry_payment: Option<bool>,
    /// Whether an abandoned cart is recovered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recover_abandoned_cart: Option<bool>,
    /// Minutes a recovered cart lives (at most 44640).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expired_recovered_cart: Option<Minutes>,
    /// What is bought; price × quantity must add up to `amount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "crate::bounded::line_items")]
    pub line_items: Option<Vec<LineItem>>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// `order.line_items[]`: in requests and, echoed with string prices, in answers.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct LineItem {
    /// Item id (at most 64): a string, or a JSON integer as DOKU's WooCommerce plugin sends it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<TextOrInteger>,
    /// Item name (at most 255).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Unit price (DOKU echoes it as a string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<Amount>,
    /// Quantity (seen as `1`, `1.0` and `2.0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<Amount>,
    /// Stock keeping unit: a string, or a JSON integer as DOKU's WooCommerce plugin sends it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<TextOrInteger>,
    /// Category from DOKU's list, e.g. `gift-and-flowers`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Item page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Item image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// Item type.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// `payment` of a Checkout request.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CheckoutPayment {
    /// Minutes until the payment page expires (default 60, at most 6 digits). DOKU accepted the
    /// string `"30"` and answered the number `30`: both are read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_due_date: Option<Minutes>,
    /// `SALE`, `INSTALLMENT`, `AUTHORIZE` (cards).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub payment_type: Option<PaymentType>,
    /// The methods offered; all enabled ones when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method_types: Option<Vec<PaymentMethod>>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

string_enum! {
    /// `payment.type` of a Checkout request.
    pub enum PaymentType {
        /// A sale.
        Sale => "SALE",
        /// Card installments.
        Installment => "INSTALLMENT",
        /// Card authorisation only.
        Authorize => "AUTHORIZE",
    }
}

string_enum! {
    /// A payment method of `payment.payment_method_types` (the values seen in DOKU's samples and
    /// real answers; DOKU's list page could not be read, so the enum is open). DOKU's request
    /// sample writes `EMONEY_SHOPEEPAY`, its answers `EMONEY_SHOPEE_PAY`: both are known.
    pub enum PaymentMethod {
        /// BCA virtual account.
        VirtualAccountBca => "VIRTUAL_ACCOUNT_BCA",
        /// Mandiri virtual account.
        VirtualAccountBankMandiri => "VIRTUAL_ACCOUNT_BANK_MANDIRI",
        /// Bank Syariah Mandiri virtual account.
        VirtualAccountBankSyariahMandiri => "VIRTUAL_ACCOUNT_BANK_SYARIAH_MANDIRI",
        /// DOKU virtual account.
        VirtualAccountDoku => "VIRTUAL_ACCOUNT_DOKU",
        /// BRI virtual account.
        VirtualAccountBri => "VIRTUAL_ACCOUNT_BRI",
        /// BNI virtual account.
        VirtualAccountBni => "VIRTUAL_ACCOUNT_BNI",
        /// Permata virtual account.
        VirtualAccountBankPermata => "VIRTUAL_ACCOUNT_BANK_PERMATA",
        /// CIMB virtual account.
        VirtualAccountBankCimb => "VIRTUAL_ACCOUNT_BANK_CIMB",
        /// Danamon virtual account.
        VirtualAccountBankDanamon => "VIRTUAL_ACCOUNT_BANK_DANAMON",
        /// Maybank virtual account.
        VirtualAccountMaybank => "VIRTUAL_ACCOUNT_MAYBANK",
        /// BNC virtual account.
        VirtualAccountBnc => "VIRTUAL_ACCOUNT_BNC",
        /// BTN virtual account.
        VirtualAccountBtn => "VIRTUAL_ACCOUNT_BTN",
        /// Sinarmas virtual account.
        VirtualAccountSinarmas => "VIRTUAL_ACCOUNT_SINARMAS",
        /// BSS virtual account.
        VirtualAccountBss => "VIRTUAL_ACCOUNT_BSS",
        /// BPD Bali virtual account.
        VirtualAccountBpdBali => "VIRTUAL_ACCOUNT_BPD_BALI",
        /// BJB virtual account.
        VirtualAccountBankBjb => "VIRTUAL_ACCOUNT_BANK_BJB",
        /// Alfamart and group.
        OnlineToOfflineAlfa => "ONLINE_TO_OFFLINE_ALFA",
        /// Indomaret.
        OnlineToOfflineIndomaret => "ONLINE_TO_OFFLINE_INDOMARET",
        /// Cards.
        CreditCard => "CREDIT_CARD",
        /// Kartu Kredit Indonesia.
        KartuKreditIndonesia => "KARTU_KREDIT_INDONESIA",
        /// BRI direct debit.
        DirectDebitBri => "DIRECT_DEBIT_BRI",
        /// CIMB direct debit.
        DirectDebitCimb => "DIRECT_DEBIT_CIMB",
        /// Allo direct debit.
        DirectDebitAllo => "DIRECT_DEBIT_ALLO",
        /// Mandiri direct debit.
        DirectDebitMandiri => "DIRECT_DEBIT_MANDIRI",
        /// OVO.
        EmoneyOvo => "EMONEY_OVO",
        /// DANA.
        EmoneyDana => "EMONEY_DANA",
        /// DOKU wallet.
        EmoneyDoku => "EMONEY_DOKU",
        /// LinkAja.
        EmoneyLinkaja => "EMONEY_LINKAJA",
        /// ShopeePay, as DOKU's answers and notifications spell it.
        EmoneyShopeePay => "EMONEY_SHOPEE_PAY",
        /// ShopeePay, as DOKU's request sample spells it.
        EmoneyShopeepay => "EMONEY_SHOPEEPAY",
        /// QRIS.
        Qris => "QRIS",
        /// Akulaku paylater.
        PeerToPeerAkulaku => "PEER_TO_PEER_AKULAKU",
        /// Kredivo paylater.
        PeerToPeerKredivo => "PEER_TO_PEER_KREDIVO",
        /// Indodana paylater.
        PeerToPeerIndodana => "PEER_TO_PEER_INDODANA",
        /// BRI Ceria paylater.
        PeerToPeerBriCeria => "PEER_TO_PEER_BRI_CERIA",
        /// Jenius Pay.
        JeniusPay => "JENIUS_PAY",
        /// OCTO Clicks.
        OctoClicks => "OCTO_CLICKS",
        /// BRI e-pay.
        EpayBri => "EPAY_BRI",
        /// PermataNet.
        PermataNet => "PERMATA_NET",
        /// BCA KlikPay.
        KlikpayBca => "KLIKPAY_BCA",
        /// Danamon online banking.
        DanamonOnlineBanking => "DANAMON_ONLINE_BANKING",
    }
}

/// `customer` of a Checkout request.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Customer {
    /// Merchant's customer id (at most 50): a string, or a JSON integer as DOKU's WooCommerce
    /// plugin sends it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<TextOrInteger>,
    /// Name (at most 255).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Last name (at most 16).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// `{calling_code}{number}`, e.g. `628121212121` (at most 16).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// E-mail (at most 128).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Street address (at most 400).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Postcode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    /// State or province.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2, e.g. `ID`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// `shipping_address` / `billing_address` of a Checkout request.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PostalAddress {
    /// First name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Street address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// Phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// ISO 3166-1 **alpha-3**, e.g. `IDN`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// `additional_info` of a Checkout request.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AdditionalInfo {
    /// Where DOKU sends this payment's notifications instead of the Back Office URL; the path
    /// must be the configured one's ("Override URL path must be the same as the configured
    /// Notification URL path").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_notification_url: Option<String>,
    /// Card installment tenors allowed: 0, 3, 6, 12.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_tenor: Option<Vec<u32>>,
    /// DOKU Wallet's own notification URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doku_wallet_notify_url: Option<String>,
    /// Fields this crate does not model (e.g. `integration`, `account`).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}
