//! Serde types, validation and endpoint paths for DOKU's Partner API.
//!
//! One module per call: [`token`], [`requirements`], [`upload`] (with the pure
//! [`multipart`] codec), [`business`], [`business_lite`], [`business_data`], plus DOKU's
//! [`error_body`]. Every request type implements [`Validate`], which reports **every**
//! violation with its JSON path. [`decode()`] turns bytes into a type and names the JSON path on
//! failure. Enums DOKU may extend keep unknown values in an `Unknown(String)` variant.
//!
//! ```
//! use doku_model::{decode, paths, TokenRequest, TokenResponse, Validate};
//!
//! let req = TokenRequest::client_credentials().with_valid_time(360);
//! req.validate().expect("valid");
//! let body = serde_json::to_vec(&req).expect("serialises");
//! assert_eq!(body, br#"{"grant_type":"client_credentials","valid_time":"360"}"#);
//! assert_eq!(paths::TOKEN, "/adv-core-api/partner/v1.0/token");
//!
//! let resp: TokenResponse = decode(br#"{"token":"eyJ.e30.sig"}"#).expect("decodes");
//! assert_eq!(resp.token, "eyJ.e30.sig");
//!
//! let err = decode::<TokenResponse>(br#"{"token":7}"#).unwrap_err();
//! assert_eq!(err.path, "token");
//! ```
#![forbid(unsafe_code)]

mod string_enum;

pub mod amount;
pub mod business;
pub mod business_data;
pub mod business_lite;
pub mod checkout;
mod checkout_response;
mod checkout_rules;
pub mod common;
pub mod decode;
mod endpoint;
pub mod error;
pub mod error_body;
pub mod ids;
mod minutes;
pub mod multipart;
pub mod paths;
pub mod payment_status;
mod placement;
pub mod query;
mod raw_number;
pub mod requirements;
pub mod token;
pub mod upload;
pub mod validate;

pub use amount::{Amount, AmountError};
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
    Bearer, Credentials, Endpoint, PRODUCTION_BASE_URL, SANDBOX_BASE_URL, UAT_BASE_URL,
};
pub use error::Error;
pub use error_body::{ErrorBody, ErrorDetail};
pub use ids::{ClientId, FileId, RequestId};
pub use minutes::Minutes;
pub use multipart::{MultipartBody, Part};
pub use payment_status::{
    CheckStatusResponse, OrderState, Party, PaymentNotification, PaymentStatus, StatusOrder,
    Transaction, TransactionStatus,
};
pub use placement::Placement;
pub use raw_number::RawNumber;
pub use requirements::{
    DocumentRequirement, RequirementNode, RequirementsQuery, RequirementsResponse,
};
pub use token::{GrantType, TokenClaims, TokenRequest, TokenResponse, TokenUser};
pub use upload::{DocumentCode, FileCategory, UploadFile, UploadResponse, UploadSource};
pub use validate::{Validate, ValidationErrors, Violation};
