//! Serde types, validation and the endpoint table for DOKU's Partner API and Checkout.
//!
//! Every item lives at the crate root (the modules are private, one per call): requests and
//! answers such as [`TokenRequest`], [`RequirementsQuery`], [`UploadFile`] (with the pure
//! [`encode_multipart`] codec and the upload rules [`check_upload`]),
//! [`BusinessRegistrationRequest`], [`BusinessLiteRequest`], [`BusinessData`], [`CheckoutRequest`], DOKU's [`ErrorBody`], and the [`Endpoint`] table.
//! Every request type implements [`Validate`], which reports **every**
//! violation with its JSON path. [`decode()`] turns bytes into a type and names the JSON path on
//! failure. Enums DOKU may extend keep unknown values in an `Unknown(String)` variant.
//!
//! ```
//! use doku_model::{decode, Endpoint, TokenRequest, TokenResponse, Validate};
//!
//! let req = TokenRequest::client_credentials().with_valid_time(360);
//! req.validate().expect("valid");
//! let body = serde_json::to_vec(&req).expect("serialises");
//! assert_eq!(body, br#"{"grant_type":"client_credentials","valid_time":"360"}"#);
//! assert_eq!(Endpoint::Token.path(), "/adv-core-api/partner/v1.0/token");
//!
//! let resp: TokenResponse = decode(br#"{"token":"eyJ.e30.sig"}"#).expect("decodes");
//! assert_eq!(resp.token, "eyJ.e30.sig");
//!
//! let err = decode::<TokenResponse>(br#"{"token":7}"#).unwrap_err();
//! assert_eq!(err.path, "token");
//! ```
#![forbid(unsafe_code)]

mod string_enum;

mod amount;
mod bounded;
mod business;
mod business_data;
mod business_lite;
mod checkout;
mod checkout_response;
mod checkout_rules;
mod common;
mod decode;
mod endpoint;
mod error;
mod error_body;
mod ids;
mod minutes;
mod multipart;
mod payment_status;
mod placement;
mod query;
mod raw_number;
mod requirements;
mod requirements_decode;
pub mod snap;
mod text_or_integer;
mod token;
mod upload;
mod validate;

pub use amount::{Amount, AmountError};
pub use bounded::MAX_LINE_ITEMS;
pub use business::{
    Address, Brand, Business, BusinessCreatedResponse, BusinessRegistrationRequest,
    BusinessRegistrationResponse, Contact, CreatedBrand, CreatedBusiness, SocialMedia,
};
pub use business_data::{BusinessData, BusinessDataBrand, PhotoProof, SharedKey};
pub use business_lite::{
    BusinessLiteRequest, BusinessLiteResponse, InvitedUser, LiteBusiness, LiteContact, Referral,
};
pub use checkout::{
    AdditionalInfo, CheckoutOrder, CheckoutPayment, CheckoutRequest, Customer, LineItem,
    PaymentMethod, PaymentType, PostalAddress,
};
pub use checkout_response::{
    AnswerAdditionalInfo, AnswerOrder, AnswerPayment, CheckoutAnswer, CheckoutResponse,
};
pub use common::{
    BrandCategory, BusinessLine, BusinessType, CodeName, FileRef, LegalEntity, Readiness,
};
pub use decode::{decode, DecodeError, DecodeErrorKind};
pub use endpoint::{
    Bearer, Credentials, Declaration, Endpoint, Scheme, PRODUCTION_BASE_URL, SANDBOX_BASE_URL,
    UAT_BASE_URL,
};
pub use error::Error;
pub use error_body::{ErrorBody, ErrorDetail, INVALID_REQUEST};
pub use ids::{ClientId, FileId, RequestId, REQUEST_ID_MAX_LEN};
pub use minutes::Minutes;
pub use multipart::{encode as encode_multipart, MultipartBody, Part, MAX_BOUNDARY_LEN};
pub use payment_status::{
    CheckStatusResponse, OrderState, Party, PaymentNotification, PaymentStatus, StatusOrder,
    Transaction, TransactionStatus,
};
pub use placement::Placement;
pub use raw_number::RawNumber;
pub use requirements::{
    DocumentRequirement, LocatedRequirement, RequirementNode, RequirementsQuery,
    RequirementsResponse, QUERY_PARAMS as REQUIREMENTS_QUERY_PARAMS,
};
pub use text_or_integer::TextOrInteger;
pub use token::{
    GrantType, TokenClaims, TokenRequest, TokenResponse, TokenUser, DEFAULT_VALID_TIME_MINUTES,
};
pub use upload::{
    check_upload, content_type_for, DocumentCode, FileCategory, UploadFile, UploadResponse,
    UploadSource, MAX_UPLOAD_BYTES,
};
pub use validate::{Validate, ValidationErrors, Violation};
