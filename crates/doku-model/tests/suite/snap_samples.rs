//! DOKU's SNAP bodies (tests/doku-samples/snap/, each with its source in the README there)
//! decode into `doku_model::snap` with nothing lost or moved; the builders write the samples'
//! shapes; what we serialise is canonical under every minifier DOKU might use; validation
//! lists every problem at once.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::path::PathBuf;

use doku_model::snap::{
    AckCode, B2bTokenRequest, B2bTokenResponse, CheckStatusVaRequest, CheckStatusVaResponse,
    CreateVaRequest, CustomerNo, DeleteVaRequest, ExpiresIn, InquiryBill, NotificationAck,
    PartnerServiceId, ResponseCode, ResponseKind, SnapAmount, SnapErrorBody, UpdateVaRequest,
    VaChannel, VaInquiryRequest, VaInquiryResponse, VaNumberForm, VaPaymentNotification,
    VaResponse, VaStatus, VaTrxType, VirtualAccountConfig, VirtualAccountData,
};
use doku_model::Validate;
use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;

fn folder() -> PathBuf {
    common::folder("snap")
}

fn round_trip<T: DeserializeOwned + Serialize>(name: &str) -> T {
    let typed: T = common::round_trip(&folder(), name);
    assert_canonical(name, &serde_json::to_vec(&typed).unwrap());
    typed
}

fn json(name: &str) -> Value {
    serde_json::from_slice(&common::read(&folder(), name)).unwrap()
}

/// The forms on which PHP's `json_encode`, Node's `JSON.stringify` and Jackson disagree: a
/// float (`1.0` / `1` / `1.0E0`), an escaped slash, U+2028/U+2029 (raw or escaped), a control
/// character escape (`\u001f` / `\u001F`).
fn assert_canonical(name: &str, bytes: &[u8]) {
    let text = std::str::from_utf8(bytes).unwrap();
    assert!(!text.contains("\\/"), "{name}: an escaped slash");
    for form in ["\u{2028}", "\u{2029}", "\\u2028", "\\u2029", "\\u00"] {
        assert!(!text.contains(form), "{name}: {form:?}");
    }
    fn no_float(name: &str, v: &Value) {
        match v {
            Value::Number(n) => assert!(n.is_u64() || n.is_i64(), "{name}: a float {n}"),
            Value::Array(items) => items.iter().for_each(|i| no_float(name, i)),
            Value::Object(map) => map.values().for_each(|i| no_float(name, i)),
            _ => {}
        }
    }
    no_float(name, &serde_json::from_slice(bytes).unwrap());
}

const CHECKS: &[(&str, fn())] = &[
    ("token.request.json", token_request),
    ("token-php-sdk.request.json", token_php_sdk_request),
    ("token.response.json", token_response),
    ("token-receiver.response.json", token_receiver_response),
    (
        "token-invalid-signature.response.json",
        token_invalid_signature,
    ),
    ("create-va-mgpc.request.json", create_va_mgpc_request),
    ("create-va-mgpc.response.json", create_va_mgpc_response),
    ("create-va-dgpc.request.json", create_va_dgpc_request),
    ("create-va-dgpc.response.json", create_va_dgpc_response),
    ("update-va.request.json", update_va_request),
    ("delete-va.request.json", delete_va_request),
    ("check-status.request.json", check_status_request),
    ("check-status.response.json", check_status_response),
    ("payment-notification.json", payment_notification),
    ("payment-notification.ack.json", payment_notification_ack),
    ("inquiry.request.json", inquiry_request),
    ("inquiry.response.json", inquiry_response),
    ("error-invalid-token.response.json", error_invalid_token),
];

fn token_request() {
    let req: B2bTokenRequest = round_trip("token.request.json");
    req.validate().unwrap();
    assert_eq!(
        serde_json::to_vec(&B2bTokenRequest::client_credentials()).unwrap(),
        common::read(&folder(), "token.request.json").trim_ascii_end(),
        "the builder writes DOKU's body byte for byte"
    );
}

fn token_php_sdk_request() {
    let req: B2bTokenRequest = round_trip("token-php-sdk.request.json");
    req.validate().unwrap();
    assert_eq!(req.additional_info.map(|m| m.len()), Some(0));
}

fn token_response() {
    let resp: B2bTokenResponse = round_trip("token.response.json");
    assert_eq!(resp.response_code, ResponseCode::TOKEN_SUCCESS);
    assert!(resp.response_code.is_success());
    assert_eq!(resp.expires_in, Some(ExpiresIn::Text("900".into())));
    assert_eq!(resp.expires_in_seconds(), Some(900));
}

fn token_receiver_response() {
    let resp: B2bTokenResponse = round_trip("token-receiver.response.json");
    assert_eq!(resp.expires_in_seconds(), Some(900));
    let built =
        B2bTokenResponse::issued(resp.access_token.clone().unwrap(), ExpiresIn::Number(900));
    assert_eq!(
        serde_json::to_value(built).unwrap(),
        json("token-receiver.response.json")
    );
}

fn token_invalid_signature() {
    let resp: B2bTokenResponse = round_trip("token-invalid-signature.response.json");
    assert_eq!(
        resp.response_code.kind(),
        ResponseKind::UnauthorizedSignature
    );
    assert_eq!(
        serde_json::to_value(B2bTokenResponse::invalid_signature()).unwrap(),
        json("token-invalid-signature.response.json")
    );
}

fn mgpc_request() -> CreateVaRequest {
    let va = VirtualAccountData::new(
        PartnerServiceId::from_digits("19008").unwrap(),
        CustomerNo::new("00000000000000000001").unwrap(),
        "Customer Name",
        "23219829713",
        SnapAmount::idr(11500),
        VaChannel::Bca,
    );
    CreateVaRequest::new(va, "2023-01-01T10:55:00+07:00")
        .email("customer.email@mail.com")
        .phone("0816291271826")
        .free_text(doku_model::snap::BilingualText::new(
            "Free text",
            "Tulisan Bebas",
        ))
}

fn create_va_mgpc_request() {
    let req: CreateVaRequest = round_trip("create-va-mgpc.request.json");
    req.validate().unwrap();
    assert_eq!(req.va.virtual_account_no.as_str().len(), 28);
    assert_eq!(
        req.va
            .virtual_account_no
            .form_for(&req.va.partner_service_id, &req.va.customer_no),
        Some(VaNumberForm::SpacePadded)
    );
    assert_eq!(req, mgpc_request(), "the builder writes DOKU's sample");
    assert_eq!(
        serde_json::to_value(mgpc_request()).unwrap(),
        json("create-va-mgpc.request.json")
    );
}

fn create_va_mgpc_response() {
    let resp: VaResponse = round_trip("create-va-mgpc.response.json");
    assert_eq!(resp.response_code, ResponseCode::CREATE_VA_SUCCESS);
    let data = resp.virtual_account_data.unwrap();
    let info = data.additional_info.unwrap();
    assert!(info
        .how_to_pay_page
        .unwrap()
        .starts_with("https://app.doku.com/how-to-pay/"));
    assert_eq!(info.channel, Some(VaChannel::Bca));
}

fn create_va_dgpc_request() {
    let req: CreateVaRequest = round_trip("create-va-dgpc.request.json");
    req.validate().unwrap();
    let config = req
        .va
        .additional_info
        .as_ref()
        .unwrap()
        .virtual_account_config
        .as_ref()
        .unwrap();
    assert_eq!(config.is_reusable(), Some(true));
    assert_eq!(
        config.min_amount.as_ref().unwrap().minor_units(),
        Some(1_000_000)
    );
    assert_eq!(
        config.max_amount.as_ref().unwrap().whole_idr(),
        Some(5_000_000)
    );
}

fn create_va_dgpc_response() {
    let resp: VaResponse = round_trip("create-va-dgpc.response.json");
    let data = resp.virtual_account_data.unwrap();
    assert_eq!(data.customer_no, "60000000000000000001");
    assert_eq!(
        data.virtual_account_no
            .form_for(&data.partner_service_id, &data.customer_no),
        Some(VaNumberForm::SpacePadded)
    );
}

fn update_va_request() {
    let req: UpdateVaRequest = round_trip("update-va.request.json");
    req.validate().unwrap();
    let status = req
        .va
        .additional_info
        .as_ref()
        .unwrap()
        .virtual_account_config
        .as_ref()
        .unwrap()
        .status
        .clone();
    assert_eq!(status, Some(VaStatus::Inactive));
}

fn delete_va_request() {
    let req: DeleteVaRequest = round_trip("delete-va.request.json");
    req.validate().unwrap();
    let built = DeleteVaRequest::new(
        PartnerServiceId::from_digits("19008").unwrap(),
        CustomerNo::new("00000000000000000001").unwrap(),
        "23219829713",
        VaChannel::Bca,
    );
    assert_eq!(req, built);
}

fn check_status_request() {
    let req: CheckStatusVaRequest = round_trip("check-status.request.json");
    req.validate().unwrap();
    assert_eq!(req.payment_request_id.as_deref(), Some("PAY-0000001"));
}

fn check_status_response() {
    let resp: CheckStatusVaResponse = round_trip("check-status.response.json");
    assert_eq!(resp.response_code, ResponseCode::CHECK_STATUS_VA_SUCCESS);
    let data = resp.virtual_account_data.unwrap();
    assert_eq!(data.paid_amount, Some(SnapAmount::idr(11500)));
    assert_eq!(data.paid_amount, data.bill_amount);
    assert!(data.additional_info.unwrap().contains_key("acquirer"));
}

fn payment_notification() {
    let n: VaPaymentNotification = round_trip("payment-notification.json");
    n.validate().unwrap();
    assert_eq!(
        n.virtual_account_no
            .form_for(&n.partner_service_id, &n.customer_no),
        Some(VaNumberForm::Unpadded),
        "DOKU's sample carries no padding"
    );
    assert_eq!(
        n.paid_amount.as_ref().unwrap().value.whole_idr(),
        Some(12500)
    );
    let info = n.additional_info.as_ref().unwrap();
    assert_eq!(info.channel, Some(VaChannel::BankCimb));
    assert_eq!(info.sender_name.as_deref(), Some("Toru Yamashita"));
}

fn payment_notification_ack() {
    let ack: NotificationAck = round_trip("payment-notification.ack.json");
    assert_eq!(
        AckCode::from_response_code(&ack.response_code),
        Some(AckCode::PaymentNotification)
    );
    let n: VaPaymentNotification = round_trip("payment-notification.json");
    assert_eq!(
        serde_json::to_value(n.ack(AckCode::PaymentNotification)).unwrap(),
        json("payment-notification.ack.json")
    );
    let php = n.ack(AckCode::CreateVa);
    assert_eq!(php.response_code, "2002700");
    assert_eq!(php.virtual_account_data, ack.virtual_account_data);
}

fn inquiry_request() {
    let req: VaInquiryRequest = round_trip("inquiry.request.json");
    req.validate().unwrap();
    assert_eq!(req.inquiry_request_id.as_deref(), Some("INQ-0000001"));
}

fn inquiry_response() {
    let resp: VaInquiryResponse = round_trip("inquiry.response.json");
    resp.validate().unwrap();
    let req: VaInquiryRequest = round_trip("inquiry.request.json");
    let mut bill = InquiryBill::new("Customer Name", SnapAmount::idr(11500), "23219829713");
    bill.channel = Some(VaChannel::Bni);
    bill.config = Some(VirtualAccountConfig::reusable(false));
    let built = VaInquiryResponse::found(&req, bill);
    assert_eq!(
        serde_json::to_value(&built).unwrap(),
        json("inquiry.response.json")
    );
    for (answer, code, kind) in [
        (
            VaInquiryResponse::not_found(&req),
            "4042412",
            ResponseKind::BillNotFound,
        ),
        (
            VaInquiryResponse::paid(&req),
            "4042414",
            ResponseKind::BillPaid,
        ),
        (
            VaInquiryResponse::expired(&req),
            "4042419",
            ResponseKind::BillExpired,
        ),
    ] {
        answer.validate().unwrap();
        assert_eq!(answer.response_code, code);
        assert_eq!(answer.response_code.kind(), kind);
        let data = answer.virtual_account_data.as_ref().unwrap();
        assert_eq!(data.inquiry_status.as_deref(), Some("01"));
        assert_eq!(data.inquiry_request_id, req.inquiry_request_id);
        assert_canonical(code, &serde_json::to_vec(&answer).unwrap());
    }
}

fn error_invalid_token() {
    let e: SnapErrorBody = round_trip("error-invalid-token.response.json");
    assert_eq!(e.kind(), ResponseKind::InvalidToken);
    assert_eq!(e.to_string(), "4012701: Invalid Token (B2B)");
    let as_va: VaResponse = round_trip("error-invalid-token.response.json");
    assert_eq!(as_va.virtual_account_data, None);
}

#[test]
fn every_snap_sample_decodes_with_nothing_lost_or_moved() {
    common::walk(&folder(), CHECKS);
}

/// Every request we build serialises to bytes the three minifiers write back unchanged: no
/// float, no `\/`, no U+2028/U+2029, no `\u00XX` escape; text with `/` and non-ASCII stays raw.
#[test]
fn serialised_requests_are_canonical_under_every_minifier() {
    let mut req = mgpc_request().trx_type(VaTrxType::Variable).config(
        VirtualAccountConfig::reusable(true).with_range(
            doku_model::snap::AmountValue::from_idr(10_000),
            doku_model::snap::AmountValue::from_minor_units(500_000_050),
        ),
    );
    req.va.virtual_account_name = Some("Ibu Siti / Toko Ñusantara ✓".into());
    req.validate().unwrap();
    let bytes = serde_json::to_vec(&req).unwrap();
    assert_canonical("create", &bytes);
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.contains("Ibu Siti / Toko Ñusantara ✓"), "{text}");
    assert!(text.contains(r#""maxAmount":"5000000.50""#), "{text}");
    for (name, bytes) in [
        (
            "token",
            serde_json::to_vec(&B2bTokenRequest::client_credentials()).unwrap(),
        ),
        (
            "update",
            serde_json::to_vec(&UpdateVaRequest::from(mgpc_request())).unwrap(),
        ),
        (
            "delete",
            serde_json::to_vec(&DeleteVaRequest::new(
                PartnerServiceId::from_digits("19008").unwrap(),
                CustomerNo::new("1").unwrap(),
                "INV/2024/1",
                VaChannel::Bca,
            ))
            .unwrap(),
        ),
        (
            "status",
            serde_json::to_vec(
                &CheckStatusVaRequest::new(
                    PartnerServiceId::from_digits("19008").unwrap(),
                    CustomerNo::new("1").unwrap(),
                )
                .payment_request_id("PAY-1"),
            )
            .unwrap(),
        ),
    ] {
        assert_canonical(name, &bytes);
    }
}

/// Validation lists every problem at once, each with its JSON path, and names why U+2028
/// cannot be sent.
#[test]
fn create_va_validation_lists_every_problem() {
    let body = r#"{
        "partnerServiceId": "19008",
        "customerNo": "12a",
        "virtualAccountNo": "1900812a",
        "virtualAccountName": "A\u2028B",
        "virtualAccountEmail": "not-an-email",
        "virtualAccountPhone": "08-12",
        "trxId": "",
        "totalAmount": {"value": "11500", "currency": "USD"},
        "additionalInfo": {"channel": "VIRTUAL_ACCOUNT_NOPE",
                           "virtualAccountConfig": {"reusableStatus": "yes", "minAmount": "9.00", "maxAmount": "1.00", "status": "PAUSED"}},
        "virtualAccountTrxType": "X",
        "expiredDate": "2024-07-12 10:47:11",
        "freeText": [{"english": "ok", "indonesia": "x\u2029"}]
    }"#;
    let req: CreateVaRequest = doku_model::decode(body.as_bytes()).unwrap();
    let err = req.validate().unwrap_err();
    let paths = err.paths();
    for path in [
        "partnerServiceId",
        "customerNo",
        "virtualAccountName",
        "virtualAccountEmail",
        "virtualAccountPhone",
        "trxId",
        "totalAmount.value",
        "totalAmount.currency",
        "additionalInfo.channel",
        "additionalInfo.virtualAccountConfig.reusableStatus",
        "additionalInfo.virtualAccountConfig.minAmount",
        "additionalInfo.virtualAccountConfig.status",
        "virtualAccountTrxType",
        "expiredDate",
        "freeText[0].indonesia",
    ] {
        assert!(paths.contains(&path), "{path} missing from {err}");
    }
    let why = err
        .violations()
        .iter()
        .find(|v| v.path == "virtualAccountName")
        .unwrap();
    assert!(
        why.message.contains("U+2028") && why.message.contains("JSON.stringify"),
        "{why}"
    );
    // A number in the zero padding is refused for what we send, accepted from DOKU.
    let mut zero = mgpc_request();
    zero.va.virtual_account_no =
        doku_model::snap::VirtualAccountNo::unchecked("0001900800000000000000000001");
    assert_eq!(zero.validate().unwrap_err().paths(), ["virtualAccountNo"]);
    let too_long = CreateVaRequest::new(
        VirtualAccountData::new(
            PartnerServiceId::from_digits("19008").unwrap(),
            CustomerNo::unchecked("123456789012345678901"),
            "n".repeat(256),
            "t".repeat(65),
            SnapAmount::idr(1),
            VaChannel::Bca,
        ),
        "2024-07-12T10:47:11+07:00",
    );
    let paths = too_long.validate().unwrap_err();
    assert_eq!(
        paths.paths(),
        [
            "customerNo",
            "virtualAccountNo",
            "virtualAccountName",
            "trxId"
        ],
        "{paths}"
    );
}

/// Missing mandatory fields are each named; a notification with a broken identity is named
/// too, while DOKU's three paddings all pass.
#[test]
fn missing_fields_and_received_identities() {
    let bare: CreateVaRequest = doku_model::decode(
        br#"{"partnerServiceId":"   19008","customerNo":"1","virtualAccountNo":"   190081"}"#,
    )
    .unwrap();
    assert_eq!(
        bare.validate().unwrap_err().paths(),
        [
            "virtualAccountName",
            "trxId",
            "totalAmount",
            "additionalInfo.channel",
            "virtualAccountTrxType",
            "expiredDate"
        ]
    );
    let notification = |psid: &str, va: &str| -> VaPaymentNotification {
        let body = format!(
            r#"{{"partnerServiceId":"{psid}","customerNo":"0000000000001","virtualAccountNo":"{va}","paidAmount":{{"value":"1.00","currency":"IDR"}}}}"#
        );
        doku_model::decode(body.as_bytes()).unwrap()
    };
    for (psid, va) in [
        ("   77777", "   777770000000000001"),
        ("   77777", "000777770000000000001"),
        ("77777", "777770000000000001"),
        ("00077777", "000777770000000000001"),
    ] {
        notification(psid, va).validate().unwrap();
    }
    let err = notification("77777", "777770000000000002")
        .validate()
        .unwrap_err();
    assert_eq!(err.paths(), ["virtualAccountNo"]);
}
