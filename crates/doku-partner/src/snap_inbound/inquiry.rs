//! DOKU's SNAP inquiry (banks with direct inquiry): verify, read, answer with the bill.

use doku_model::snap::{InquiryBill, VaInquiryRequest, VaInquiryResponse};
use doku_model::Validate;
use http::HeaderMap;

use super::receiver::{SnapDelivery, SnapReceiver};
use super::refusal::SnapInboundRefusal;
use super::reply::{json, SnapReply};

/// An inquiry that verified (bearer and signature), decoded and validated.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct VerifiedInquiry {
    /// The typed body.
    pub inquiry: VaInquiryRequest,
    /// How it was authenticated, and DOKU's headers.
    pub delivery: SnapDelivery,
}

impl VerifiedInquiry {
    /// `200` `2002400` "Successful" with the bill: `totalAmount`, `virtualAccountTrxType`,
    /// `inquiryStatus` `00`, `inquiryReason`, `freeText`, `additionalInfo{channel, trxId,
    /// virtualAccountConfig}`, the identity and `inquiryRequestId` echoed as received.
    pub fn found(&self, bill: InquiryBill) -> SnapReply {
        inquiry_reply(&VaInquiryResponse::found(&self.inquiry, bill))
    }

    /// `404` `4042412`: no such bill.
    pub fn not_found(&self) -> SnapReply {
        inquiry_reply(&VaInquiryResponse::not_found(&self.inquiry))
    }

    /// `404` `4042414`: the bill is already paid.
    pub fn paid(&self) -> SnapReply {
        inquiry_reply(&VaInquiryResponse::paid(&self.inquiry))
    }

    /// `404` `4042419`: the bill has expired.
    pub fn expired(&self) -> SnapReply {
        inquiry_reply(&VaInquiryResponse::expired(&self.inquiry))
    }
}

/// Any inquiry answer as a reply: HTTP status = the code's first three digits.
pub fn inquiry_reply(answer: &VaInquiryResponse) -> SnapReply {
    SnapReply::from_code(&answer.response_code, json(answer))
}

impl SnapReceiver {
    /// Verifies and reads a SNAP inquiry: the same checks as
    /// [`SnapReceiver::verify_notification`], with the inquiry's body.
    ///
    /// On `Err`, answer [`SnapInboundRefusal::inquiry_reply`]; on `Ok`, look the bill up and answer
    /// [`VerifiedInquiry::found`], [`not_found`](VerifiedInquiry::not_found),
    /// [`paid`](VerifiedInquiry::paid) or [`expired`](VerifiedInquiry::expired).
    pub fn verify_inquiry(
        &self,
        method: &str,
        path: &str,
        headers: &HeaderMap,
        body: &[u8],
        now: i64,
    ) -> Result<VerifiedInquiry, SnapInboundRefusal> {
        let delivery = self.authenticate(method, path, headers, body, now)?;
        let inquiry: VaInquiryRequest =
            doku_model::decode(body).map_err(SnapInboundRefusal::from_decode)?;
        inquiry
            .validate()
            .map_err(SnapInboundRefusal::InvalidBody)?;
        Ok(VerifiedInquiry { inquiry, delivery })
    }
}
