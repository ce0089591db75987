//! The payment channel of a paid order, in the shapes DOKU sends: the `service`, `acquirer`
//! and `channel` ids, and the channel's own blocks (`virtual_account_info`,
//! `virtual_account_payment`, `emoney_payment`, `card_payment`, `online_to_offline_info`, …)
//! that real receivers read. DOKU's Java library, for one, dereferences `virtual_account_info`
//! on every VA notification.
//!
//! Sources (shared/spec/doku-checkout.md §3.5, §4.2): DOKU's BCA and Mandiri VA notification
//! samples (acquirer = the method's bank part, `BCA`, `BANK_MANDIRI`), a real Checkout VA check
//! status (`virtual_account_info`, `virtual_account_inquiry`, `virtual_account_payment`), a real
//! QRIS notification (acquirer `93600899`, channel `QRIS_DOKU`), DOKU's O2O sample. Dates inside
//! channel blocks are `yyyyMMddHHmmss` in Jakarta time (UTC+7).

use serde_json::{json, Map, Value};

use crate::orders::{Order, PayState};

/// The method a payment goes through when neither the order nor the trigger names one.
pub(crate) const DEFAULT_METHOD: &str = "VIRTUAL_ACCOUNT_BCA";

/// DOKU's observed QRIS acquirer id (DOKU's national merchant id prefix) and channel.
const QRIS_ACQUIRER: &str = "93600899";
const QRIS_CHANNEL: &str = "QRIS_DOKU";

/// Jakarta's offset from UTC, in minutes.
const WIB_MINUTES: i32 = 7 * 60;

/// `yyyyMMddHHmmss` in Jakarta time, as DOKU writes `expired_date` and channel-block dates.
pub(crate) fn wib_compact(unix_seconds: i64) -> String {
    doku_sign::timestamp::format_offset(unix_seconds, WIB_MINUTES)
        .chars()
        .filter(char::is_ascii_digit)
        .take(14)
        .collect()
}

/// The family of a payment method, from its name's prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family<'a> {
    /// `VIRTUAL_ACCOUNT_<bank>`.
    VirtualAccount { bank: &'a str },
    /// `QRIS`.
    Qris,
    /// `EMONEY_<wallet>`.
    Emoney { wallet: &'a str },
    /// `CREDIT_CARD`, `KARTU_KREDIT_INDONESIA`.
    Card,
    /// `ONLINE_TO_OFFLINE_<store>`.
    OnlineToOffline { store: &'a str },
    /// `DIRECT_DEBIT_<bank>`.
    DirectDebit { bank: &'a str },
    /// `PEER_TO_PEER_<lender>` (paylater).
    PeerToPeer { lender: &'a str },
    /// Anything else (internet banking, Jenius, …): the method is its own service.
    Other,
}

fn family(method: &str) -> Family<'_> {
    if let Some(bank) = method.strip_prefix("VIRTUAL_ACCOUNT_") {
        Family::VirtualAccount { bank }
    } else if method == "QRIS" {
        Family::Qris
    } else if let Some(wallet) = method.strip_prefix("EMONEY_") {
        Family::Emoney { wallet }
    } else if method == "CREDIT_CARD" || method == "KARTU_KREDIT_INDONESIA" {
        Family::Card
    } else if let Some(store) = method.strip_prefix("ONLINE_TO_OFFLINE_") {
        Family::OnlineToOffline { store }
    } else if let Some(bank) = method.strip_prefix("DIRECT_DEBIT_") {
        Family::DirectDebit { bank }
    } else if let Some(lender) = method.strip_prefix("PEER_TO_PEER_") {
        Family::PeerToPeer { lender }
    } else {
        Family::Other
    }
}

/// `service`, `acquirer` and `channel` of a payment through `method`, as DOKU writes them.
pub(crate) fn parties(method: &str) -> [(&'static str, Value); 3] {
    let id = |s: &str| json!({ "id": s });
    let (service, acquirer, channel) = match family(method) {
        Family::VirtualAccount { bank } => (
            id("VIRTUAL_ACCOUNT"),
            json!({"id": bank, "name": bank}),
            id(method),
        ),
        Family::Qris => (
            json!({"id": "QRIS", "name": "QRIS"}),
            json!({"id": QRIS_ACQUIRER, "name": "DOKU"}),
            json!({"id": QRIS_CHANNEL, "name": "QRIS-DOKU"}),
        ),
        Family::Emoney { wallet } => (id("EMONEY"), id(wallet), id(method)),
        Family::Card => (id("CREDIT_CARD"), id("BANK_MANDIRI"), id(method)),
        Family::OnlineToOffline { store } => (id("ONLINE_TO_OFFLINE"), id(store), id(method)),
        Family::DirectDebit { bank } => (id("DIRECT_DEBIT"), id(bank), id(method)),
        Family::PeerToPeer { lender } => (id("PEER_TO_PEER"), id(lender), id(method)),
        Family::Other => (id(method), id("DOKU"), id(method)),
    };
    [
        ("service", service),
        ("acquirer", acquirer),
        ("channel", channel),
    ]
}

/// Digits derived from the order (stable for one order, different across orders), `len` long.
fn digits_of(order: &Order, salt: &str, len: usize) -> String {
    // FNV-1a over the owner, invoice and salt: deterministic, no randomness needed.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in order
        .owner
        .bytes()
        .chain([0])
        .chain(order.invoice_number.bytes())
        .chain([0])
        .chain(salt.bytes())
    {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut out = String::with_capacity(len);
    let mut state = hash;
    while out.len() < len {
        out.push(char::from(b'0' + (state % 10) as u8));
        state /= 10;
        if state == 0 {
            state = hash.rotate_left(17) | 1;
        }
    }
    out
}

/// The channel's own blocks for `order` paid (or failed, or expired) through `method`: the
/// payment-code block exists once the customer chose the channel; the payment block only when
/// the payment succeeded.
pub(crate) fn blocks(order: &Order, method: &str) -> Map<String, Value> {
    let mut out = Map::new();
    let paid = order.state == PayState::Success;
    let at = order.paid.unwrap_or(order.created);
    let created = wib_compact(order.created);
    let expires = wib_compact(order.created.saturating_add(60 * 60));
    let when = wib_compact(at);
    let reference = digits_of(order, "reference", 6);
    let request = digits_of(order, "request", 7);
    match family(method) {
        Family::VirtualAccount { .. } => {
            let number = format!("1900{}", digits_of(order, "va", 12));
            out.insert(
                "virtual_account_info".into(),
                json!({
                    "virtual_account_number": number,
                    "created_date": created,
                    "expired_date": expires,
                    "reusable_status": false,
                }),
            );
            if paid {
                out.insert(
                    "virtual_account_inquiry".into(),
                    json!({"status": "SUCCESS", "date": when, "channel_code": "6014"}),
                );
                out.insert(
                    "virtual_account_payment".into(),
                    json!({
                        "identifier": [
                            {"name": "REQUEST_ID", "value": request},
                            {"name": "REFERENCE", "value": reference},
                            {"name": "CHANNEL_TYPE", "value": "6014"},
                        ],
                        "reference_number": reference,
                        "date": when,
                        "status": "SUCCESS",
                    }),
                );
            }
        }
        Family::Qris => {
            out.insert(
                "issuer".into(),
                json!({"id": "93600014", "name": "Bank BCA"}),
            );
            out.insert(
                "merchant".into(),
                json!({"name": "doku-sim", "pan": format!("936008990{}", digits_of(order, "pan", 10))}),
            );
            if paid {
                out.insert(
                    "emoney_payment".into(),
                    json!({"account_id": "", "approval_code": reference}),
                );
            }
        }
        Family::Emoney { .. } => {
            if paid {
                out.insert(
                    "emoney_payment".into(),
                    json!({
                        "account_id": format!("62812{}", digits_of(order, "account", 7)),
                        "approval_code": reference,
                    }),
                );
            }
        }
        Family::Card => {
            if paid {
                out.insert(
                    "card_payment".into(),
                    json!({
                        "masked_card_number": "411111******1111",
                        "approval_code": reference,
                        "response_code": "00",
                        "response_message": "PAYMENT SUCCESS",
                        "issuer": "BANK CENTRAL ASIA",
                        "date": when,
                    }),
                );
            }
        }
        Family::OnlineToOffline { store } => {
            out.insert(
                "online_to_offline_info".into(),
                json!({
                    "payment_code": digits_of(order, "o2o", 16),
                    "created_date": created,
                    "expired_date": expires,
                    "reusable_status": "false",
                }),
            );
            if paid {
                out.insert(
                    "online_to_offline_payment".into(),
                    json!({"identifier": [{"name": "AGENT_ID", "value": format!("{store}MART")}]}),
                );
            }
        }
        Family::DirectDebit { .. } | Family::PeerToPeer { .. } | Family::Other => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acquirer_is_the_whole_bank_part_as_in_dokus_samples() {
        let [_, acquirer, channel] = parties("VIRTUAL_ACCOUNT_BANK_MANDIRI");
        assert_eq!(acquirer.1["id"], "BANK_MANDIRI");
        assert_eq!(channel.1["id"], "VIRTUAL_ACCOUNT_BANK_MANDIRI");
        let [service, acquirer, channel] = parties("QRIS");
        assert_eq!(
            (&service.1["id"], &acquirer.1["id"], &channel.1["id"]),
            (&json!("QRIS"), &json!("93600899"), &json!("QRIS_DOKU"))
        );
    }

    #[test]
    fn wib_dates_are_fourteen_digits_seven_hours_ahead() {
        // 2021-01-27T03:24:23Z is 10:24:23 in Jakarta.
        assert_eq!(wib_compact(1_611_717_863), "20210127102423");
    }
}
