//! DOKU's SNAP API: the B2B token, Virtual Accounts, and the calls DOKU makes to the merchant
//! (payment notification, inquiry).
//!
//! A module of its own because SNAP's names overlap the Partner API's (a token request, an
//! amount, a notification); every item has the one path `doku_model::snap::…`.
//!
//! - [`ResponseCode`] reads any `responseCode` and classifies it ([`ResponseKind`]); the codes
//!   the simulator and receivers emit are constants or built per [`ServiceCode`].
//! - [`SnapAmount`] is `{"value":"11500.00","currency":"IDR"}`, its value kept as text
//!   ([`AmountValue`]) and read exactly.
//! - [`PartnerServiceId`], [`CustomerNo`] and [`VirtualAccountNo`] keep what was received;
//!   requests this crate sends use the space padding, input may carry any [`VaNumberForm`].
//! - Requests: [`B2bTokenRequest`], [`CreateVaRequest`], [`UpdateVaRequest`],
//!   [`DeleteVaRequest`], [`CheckStatusVaRequest`]; DOKU's calls: [`VaPaymentNotification`],
//!   [`VaInquiryRequest`]; answers and builders: [`B2bTokenResponse`], [`VaResponse`],
//!   [`CheckStatusVaResponse`], [`NotificationAck`] (with [`AckCode`]),
//!   [`VaInquiryResponse`], [`SnapErrorBody`].
//!
//! Every object keeps unknown fields in `extra`. `Validate` reports every problem with its
//! JSON path, and refuses text that cannot be signed the same under every minification
//! reading (U+2028/U+2029, control characters). What these types serialise contains no JSON
//! float and no `\/`, so serde_json's compact bytes are what PHP's `json_encode`, Node's
//! `JSON.stringify` and Jackson write back: the bytes signed are the bytes any DOKU hashes.
//!
//! ```
//! use doku_model::snap::{
//!     CreateVaRequest, CustomerNo, PartnerServiceId, ResponseKind, SnapAmount, VaChannel,
//!     VaResponse, VirtualAccountData,
//! };
//! use doku_model::{decode, Validate};
//!
//! let va = VirtualAccountData::new(
//!     PartnerServiceId::from_digits("19008").expect("digits"),
//!     CustomerNo::new("00000000000000000001").expect("digits"),
//!     "Customer Name",
//!     "INV-0001",
//!     SnapAmount::idr(11500),
//!     VaChannel::Bca,
//! );
//! let request = CreateVaRequest::new(va, "2024-07-12T10:47:11+07:00");
//! request.validate().expect("valid");
//! assert_eq!(request.va.virtual_account_no, "   1900800000000000000000001");
//!
//! let answer: VaResponse = decode(br#"{"responseCode":"4012701","responseMessage":"Invalid Token (B2B)"}"#)
//!     .expect("decodes");
//! assert_eq!(answer.response_code.kind(), ResponseKind::InvalidToken);
//! ```

mod amount;
mod error;
mod inquiry;
mod notification;
mod response_code;
mod rules;
mod token;
mod va;
mod va_number;
mod va_parts;
mod va_status;

pub use amount::{AmountValue, SnapAmount, IDR, MAX_AMOUNT_INTEGER_DIGITS};
pub use error::SnapErrorBody;
pub use inquiry::{
    InquiryAdditionalInfo, InquiryBill, InquiryVaData, VaInquiryRequest, VaInquiryResponse,
    INQUIRY_STATUS_FAILED, INQUIRY_STATUS_SUCCESS,
};
pub use notification::{
    AckCode, AckVirtualAccountData, NotificationAck, NotificationAdditionalInfo,
    VaPaymentNotification,
};
pub use response_code::{ResponseCode, ResponseKind, ServiceCode};
pub use rules::{MAX_TRX_ID, MAX_VA_EMAIL, MAX_VA_NAME, MAX_VA_PHONE};
pub use token::{B2bTokenRequest, B2bTokenResponse, ExpiresIn, SNAP_TOKEN_LIFETIME_SECONDS};
pub use va::{
    CreateVaRequest, CreateVaResponse, UpdateVaRequest, UpdateVaResponse, VaResponse,
    VirtualAccountData,
};
pub use va_number::{
    CustomerNo, PartnerServiceId, VaNumberForm, VirtualAccountNo, MAX_CUSTOMER_NO,
    MAX_VIRTUAL_ACCOUNT_NO, PARTNER_SERVICE_ID_LEN,
};
pub use va_parts::{
    BilingualText, VaAdditionalInfo, VaChannel, VaStatus, VaTrxType, VirtualAccountConfig,
};
pub use va_status::{
    CheckStatusVaRequest, CheckStatusVaResponse, DeleteVaRequest, DeleteVaResponse, VaStatusData,
    MAX_REQUEST_ID,
};
