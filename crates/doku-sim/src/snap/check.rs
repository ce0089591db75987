//! What SNAP's headers must be, checked before any body byte is read: `X-TIMESTAMP` (the
//! zone reading, the window), the token call's `X-CLIENT-KEY` and RSA `X-SIGNATURE`, and the
//! transactions' `Authorization`, `X-PARTNER-ID`, `X-EXTERNAL-ID`, `CHANNEL-ID` and the form of
//! their HMAC `X-SIGNATURE`.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use doku_model::Endpoint;
use doku_sign::SecretKey;
use http::HeaderMap;

use super::reply;
use super::{CHANNEL_ID, X_CLIENT_KEY, X_EXTERNAL_ID, X_PARTNER_ID, X_SIGNATURE, X_TIMESTAMP};
use crate::doubts::Doubt;
use crate::response::Reply;
use crate::state::App;

/// The longest `X-EXTERNAL-ID` accepted without a doubt: DOKU gives no maximum; other SNAP
/// providers state 36.
pub(crate) const EXTERNAL_ID_DOUBT_LEN: usize = 36;
/// The longest `X-EXTERNAL-ID` accepted at all (a bound of the simulator, not DOKU's).
const EXTERNAL_ID_MAX_LEN: usize = 128;

/// Why an `X-TIMESTAMP` written with an offset other than Jakarta's is in doubt.
const OTHER_OFFSET: &str = "has an offset other than +07:00: DOKU asks for the client's local \
time and shows +07:00 (Asia/Jakarta); whether it accepts another offset is not known";
/// Why a long `X-EXTERNAL-ID` is in doubt.
const LONG_EXTERNAL_ID: &str = "is longer than 36 digits: DOKU gives no maximum, other SNAP \
providers state 36";
/// Why a missing `Content-Type` is in doubt (shared with the Non-SNAP calls).
pub(crate) use crate::doubts::CONTENT_TYPE_NOT_JSON;

/// The one value of a header, `None` when absent, empty or repeated or not text.
fn one<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    let mut values = headers.get_all(name).iter();
    let first = values.next()?;
    if values.next().is_some() {
        return None;
    }
    first.to_str().ok().filter(|v| !v.is_empty())
}

/// A required header, or `400ss02` naming it.
fn required<'a>(headers: &'a HeaderMap, name: &str, service: u8) -> Result<&'a str, Reply> {
    one(headers, name).ok_or_else(|| reply::mandatory(service, name))
}

/// Checks `X-TIMESTAMP`: `YYYY-MM-DDTHH:MM:SS` then `Z` or `±HH:MM` as the zone reading allows,
/// within the window of the simulator's clock. Returns the doubts it accepted.
pub(crate) fn timestamp(
    app: &App,
    service: u8,
    value: &str,
    doubts: &mut Vec<Doubt>,
) -> Result<(), Reply> {
    let zone = app.config.readings.snap.timestamp_zone;
    let malformed = |why: &str| reply::format(service, X_TIMESTAMP, why);
    let utc = value.len() == 20 && value.ends_with('Z');
    let offset = value.len() == 25 && matches!(value.as_bytes().get(19), Some(b'+' | b'-'));
    if !utc && !offset {
        return Err(malformed(
            "must be YYYY-MM-DDTHH:mm:ss with Z or an offset such as +07:00 (no fraction)",
        ));
    }
    let Ok(instant) = doku_sign::timestamp::parse_unix_seconds(value) else {
        return Err(malformed("is not a valid date and time"));
    };
    let jakarta = value.ends_with("+07:00");
    match zone {
        crate::readings::SnapTimestampZone::Offset if !jakarta => {
            return Err(malformed(
                "must end in +07:00 (Asia/Jakarta) under --snap-timestamp-zone offset",
            ))
        }
        crate::readings::SnapTimestampZone::Utc if !utc => {
            return Err(malformed(
                "must end in Z (UTC) under --snap-timestamp-zone utc",
            ))
        }
        _ => {}
    }
    if offset && !jakarta {
        doubts.push(Doubt {
            field: X_TIMESTAMP,
            why: OTHER_OFFSET,
        });
    }
    let window = u32::try_from(app.config.timestamp_window.as_secs()).unwrap_or(u32::MAX);
    let now = app.config.clock.unix_seconds();
    if let Err(doku_sign::Error::Stale { skew_seconds }) =
        doku_sign::timestamp::check_window(instant, now, window)
    {
        return Err(reply::unauthorized(
            service,
            &format!(
                "X-TIMESTAMP is {skew_seconds} s from the server's clock; at most {window} s \
                 either way is accepted"
            ),
        ));
    }
    Ok(())
}

/// What the token request's headers said.
pub(crate) struct TokenHeaders<'a> {
    pub(crate) client_id: &'a str,
    pub(crate) doubts: Vec<Doubt>,
}

/// The B2B token request: `X-CLIENT-KEY` a registered SNAP merchant, `X-TIMESTAMP`, and an
/// `X-SIGNATURE` that verifies with the merchant's public key over `clientId|X-TIMESTAMP`
/// (`4017300` otherwise). Nothing of the body is needed.
pub(crate) fn token_headers<'a>(
    app: &App,
    headers: &'a HeaderMap,
) -> Result<TokenHeaders<'a>, Reply> {
    let service = super::service_code(doku_model::Endpoint::SnapToken);
    let client_id = required(headers, X_CLIENT_KEY, service)?;
    let timestamp_value = required(headers, X_TIMESTAMP, service)?;
    let signature = required(headers, X_SIGNATURE, service)?;
    let Some(key) = app.snap.public_key(client_id) else {
        return Err(reply::unauthorized(
            service,
            "Unknown client: X-CLIENT-KEY is not a merchant with a SNAP public key",
        ));
    };
    let mut doubts = Vec::new();
    timestamp(app, service, timestamp_value, &mut doubts)?;
    if key.verify(client_id, timestamp_value, signature).is_err() {
        return Err(reply::unauthorized(
            service,
            "Invalid Signature: X-SIGNATURE must be base64(SHA256withRSA(private key, \
             X-CLIENT-KEY + \"|\" + X-TIMESTAMP))",
        ));
    }
    Ok(TokenHeaders { client_id, doubts })
}

/// What a transaction's headers said.
pub(crate) struct SymmetricHeaders<'a> {
    pub(crate) client_id: &'a str,
    pub(crate) token: &'a str,
    pub(crate) timestamp: &'a str,
    pub(crate) external_id: &'a str,
    pub(crate) signature: &'a str,
    pub(crate) key: SecretKey,
    pub(crate) doubts: Vec<Doubt>,
}

/// A transaction (Create/Update/Delete VA, status): the B2B token (`4012701`), `X-PARTNER-ID`
/// its client, `X-TIMESTAMP`, the form of `X-SIGNATURE` (`4012700`), `X-EXTERNAL-ID` numeric and
/// `CHANNEL-ID` present.
pub(crate) fn symmetric_headers<'a>(
    app: &App,
    endpoint: Endpoint,
    headers: &'a HeaderMap,
) -> Result<SymmetricHeaders<'a>, Reply> {
    let service = endpoint.snap_service().unwrap_or(0);
    let client_id = required(headers, X_PARTNER_ID, service)?;
    let Some(key) = app.key_for(endpoint, client_id) else {
        return Err(reply::unauthorized(
            service,
            "Unknown client: X-PARTNER-ID is not a merchant of this server",
        ));
    };
    let Some(auth) = one(headers, http::header::AUTHORIZATION.as_str()) else {
        return Err(reply::invalid_token(
            service,
            "missing header Authorization: Bearer <B2B access token>",
        ));
    };
    let Some(token) = auth
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
    else {
        return Err(reply::invalid_token(
            service,
            "Authorization must be `Bearer <B2B access token>`",
        ));
    };
    let revokes = app.config.readings.snap.token_revokes_previous;
    let now = app.config.clock.unix_seconds();
    if let Err(why) = app.snap.tokens.check(token, client_id, now, revokes) {
        return Err(reply::invalid_token(service, why));
    }
    let timestamp_value = required(headers, X_TIMESTAMP, service)?;
    let mut doubts = Vec::new();
    timestamp(app, service, timestamp_value, &mut doubts)?;
    let signature = required(headers, X_SIGNATURE, service)?;
    signature_form(service, signature)?;
    let external_id = required(headers, X_EXTERNAL_ID, service)?;
    if !external_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(reply::format(
            service,
            X_EXTERNAL_ID,
            "must be a numeric string",
        ));
    }
    if external_id.len() > EXTERNAL_ID_MAX_LEN {
        return Err(reply::format(
            service,
            X_EXTERNAL_ID,
            "is longer than 128 digits (a bound of this simulator)",
        ));
    }
    if external_id.len() > EXTERNAL_ID_DOUBT_LEN {
        doubts.push(Doubt {
            field: X_EXTERNAL_ID,
            why: LONG_EXTERNAL_ID,
        });
    }
    required(headers, CHANNEL_ID, service)?;
    Ok(SymmetricHeaders {
        client_id,
        token,
        timestamp: timestamp_value,
        external_id,
        signature,
        key,
        doubts,
    })
}

/// `X-SIGNATURE` must be base64 of the 64-byte HMAC-SHA512. DOKU's notification sample shows 64
/// hex characters instead: refused, with the reason.
fn signature_form(service: u8, signature: &str) -> Result<(), Reply> {
    if signature.len() == 64 && signature.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(reply::unauthorized(
            service,
            "X-SIGNATURE is 64 hex characters (the form of DOKU's notification sample); the \
             signature page defines base64 of the 64-byte HMAC-SHA512",
        ));
    }
    match STANDARD.decode(signature) {
        Ok(bytes) if bytes.len() == 64 => Ok(()),
        _ => Err(reply::unauthorized(
            service,
            "X-SIGNATURE must be base64 of the 64-byte HMAC-SHA512",
        )),
    }
}
