//! The three parts of a SNAP Virtual Account number.
//!
//! `partnerServiceId` is the BIN (company code), 8 characters left-padded with **spaces**
//! (`"   19008"`); `customerNo` is up to 20 digits; `virtualAccountNo` is the two joined
//! (at most 28 characters). DOKU's notification page contradicts itself: it says the
//! partnerServiceId is "left padding space" but the virtualAccountNo is "partnerServiceId (8
//! digit left padding 0) + customerNo", and its sample sends neither padding (`"77777"`,
//! `"777770000000000001"`). So: every type decodes any string and keeps it; requests this crate
//! sends use the space padding of DOKU's Create VA sample; on input all three forms
//! ([`VaNumberForm`]) are accepted.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Length of a padded `partnerServiceId`.
pub const PARTNER_SERVICE_ID_LEN: usize = 8;
/// Most digits of a `customerNo`.
pub const MAX_CUSTOMER_NO: usize = 20;
/// Most characters of a `virtualAccountNo` (8 + 20).
pub const MAX_VIRTUAL_ACCOUNT_NO: usize = 28;

/// `partnerServiceId`: the BIN, 8 characters, left-padded with spaces (`"   19008"`).
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PartnerServiceId(String);

impl PartnerServiceId {
    /// Pads 1 to 8 ASCII digits to 8 characters with leading spaces: `"19008"` →
    /// `"   19008"`.
    pub fn from_digits(digits: &str) -> Result<Self, &'static str> {
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err("a partnerServiceId is 1 to 8 digits");
        }
        if digits.len() > PARTNER_SERVICE_ID_LEN {
            return Err("a partnerServiceId has at most 8 digits");
        }
        Ok(Self(format!("{digits:>8}")))
    }

    /// Any received text, kept verbatim; check it with [`PartnerServiceId::check`].
    pub fn unchecked(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The text as received, padding included.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text without its space padding: `"   19008"` → `"19008"` (zeros are kept: they
    /// may be part of the BIN).
    pub fn digits(&self) -> &str {
        self.0.trim_start_matches(' ')
    }

    /// Why it is not 8 characters of leading spaces then at least one digit (the form this
    /// crate sends), if it is not.
    pub fn check(&self) -> Result<(), &'static str> {
        let digits = self.0.trim_start_matches(' ');
        if self.0.chars().count() != PARTNER_SERVICE_ID_LEN {
            return Err("must be exactly 8 characters: the digits left-padded with spaces");
        }
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err("must be digits left-padded with spaces");
        }
        Ok(())
    }

    /// Why it is not a form DOKU sends: 1 to 8 digits, optionally left-padded with spaces.
    pub fn check_received(&self) -> Result<(), &'static str> {
        let digits = self.0.trim_start_matches(' ');
        if self.0.chars().count() > PARTNER_SERVICE_ID_LEN {
            return Err("has more than 8 characters");
        }
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err("must be 1 to 8 digits, optionally left-padded with spaces");
        }
        Ok(())
    }
}

/// `customerNo`: up to 20 digits.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CustomerNo(String);

impl CustomerNo {
    /// 1 to 20 ASCII digits.
    pub fn new(digits: &str) -> Result<Self, &'static str> {
        let c = Self(digits.to_owned());
        c.check()?;
        Ok(c)
    }

    /// Any received text, kept verbatim; check it with [`CustomerNo::check`].
    pub fn unchecked(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The text as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Why it is not 1 to 20 ASCII digits, if it is not.
    pub fn check(&self) -> Result<(), &'static str> {
        if self.0.is_empty() || !self.0.bytes().all(|b| b.is_ascii_digit()) {
            return Err("must be 1 to 20 digits");
        }
        if self.0.len() > MAX_CUSTOMER_NO {
            return Err("has more than 20 digits");
        }
        Ok(())
    }
}

/// Which padding of the partnerServiceId a `virtualAccountNo` carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VaNumberForm {
    /// partnerServiceId left-padded with spaces to 8 (DOKU's Create VA sample; what this crate
    /// sends).
    SpacePadded,
    /// partnerServiceId left-padded with zeros to 8 (DOKU's notification page's wording).
    ZeroPadded,
    /// partnerServiceId without padding (DOKU's notification sample).
    Unpadded,
}

/// `virtualAccountNo` = partnerServiceId + customerNo, at most 28 characters.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct VirtualAccountNo(String);

impl VirtualAccountNo {
    /// The space-padded form: partnerServiceId (8, spaces) + customerNo.
    pub fn compose(partner_service_id: &PartnerServiceId, customer_no: &CustomerNo) -> Self {
        Self::compose_as(VaNumberForm::SpacePadded, partner_service_id, customer_no)
    }

    /// The number in the given form.
    pub fn compose_as(
        form: VaNumberForm,
        partner_service_id: &PartnerServiceId,
        customer_no: &CustomerNo,
    ) -> Self {
        let d = partner_service_id.digits();
        let prefix = match form {
            VaNumberForm::SpacePadded => format!("{d:>8}"),
            VaNumberForm::ZeroPadded => format!("{d:0>8}"),
            VaNumberForm::Unpadded => d.to_owned(),
        };
        Self(prefix + customer_no.as_str())
    }

    /// Any received text, kept verbatim.
    pub fn unchecked(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The text as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Which form it has for these parts (`None` when it is not their concatenation in any
    /// form). The partnerServiceId exactly as given is tried first, so a space-padded id
    /// reads as [`VaNumberForm::SpacePadded`].
    pub fn form_for(
        &self,
        partner_service_id: &PartnerServiceId,
        customer_no: &CustomerNo,
    ) -> Option<VaNumberForm> {
        [
            VaNumberForm::SpacePadded,
            VaNumberForm::ZeroPadded,
            VaNumberForm::Unpadded,
        ]
        .into_iter()
        .find(|f| Self::compose_as(*f, partner_service_id, customer_no) == *self)
        .or_else(|| {
            // An id that arrived zero-padded or unpadded, joined as received.
            (format!("{}{}", partner_service_id.as_str(), customer_no.as_str()) == self.0)
                .then_some(VaNumberForm::Unpadded)
        })
    }
}

macro_rules! text_traits {
    ($($t:ident),+) => {$(
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($t), "({:?})"), self.0)
            }
        }

        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $t {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $t {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    )+};
}

text_traits!(PartnerServiceId, CustomerNo, VirtualAccountNo);

/// Records every problem of a VA identity we send: the space-padded partnerServiceId, the
/// customerNo, and a virtualAccountNo of at most 28 equal to the two joined.
pub(crate) fn check_sent(
    e: &mut crate::validate::ValidationErrors,
    prefix: &str,
    partner_service_id: &PartnerServiceId,
    customer_no: &CustomerNo,
    virtual_account_no: &VirtualAccountNo,
) {
    check(
        e,
        prefix,
        partner_service_id,
        customer_no,
        virtual_account_no,
        true,
    );
}

/// Records every problem of a VA identity DOKU sends: any of the three paddings.
pub(crate) fn check_received(
    e: &mut crate::validate::ValidationErrors,
    prefix: &str,
    partner_service_id: &PartnerServiceId,
    customer_no: &CustomerNo,
    virtual_account_no: &VirtualAccountNo,
) {
    check(
        e,
        prefix,
        partner_service_id,
        customer_no,
        virtual_account_no,
        false,
    );
}

fn check(
    e: &mut crate::validate::ValidationErrors,
    prefix: &str,
    psid: &PartnerServiceId,
    customer_no: &CustomerNo,
    va_no: &VirtualAccountNo,
    sent: bool,
) {
    let path = |field: &str| format!("{prefix}{field}");
    let psid_result = if sent {
        psid.check()
    } else {
        psid.check_received()
    };
    if let Err(why) = psid_result {
        e.push(
            path("partnerServiceId"),
            format!("{:?} {why}", psid.as_str()),
        );
    }
    if let Err(why) = customer_no.check() {
        e.push(path("customerNo"), why);
    }
    let len = va_no.as_str().chars().count();
    if len > MAX_VIRTUAL_ACCOUNT_NO {
        e.push(
            path("virtualAccountNo"),
            format!("is {len} characters long, at most {MAX_VIRTUAL_ACCOUNT_NO} allowed"),
        );
    }
    match va_no.form_for(psid, customer_no) {
        Some(VaNumberForm::SpacePadded) => {}
        Some(_) if !sent => {}
        Some(form) => e.push(
            path("virtualAccountNo"),
            format!(
                "is {form:?}; send partnerServiceId left-padded with spaces + customerNo, e.g. {:?}",
                VirtualAccountNo::compose(psid, customer_no).as_str()
            ),
        ),
        None => e.push(
            path("virtualAccountNo"),
            "must equal partnerServiceId + customerNo",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_and_forms() {
        let p = PartnerServiceId::from_digits("19008").unwrap();
        assert_eq!(p, "   19008");
        assert_eq!(p.digits(), "19008");
        p.check().unwrap();
        let c = CustomerNo::new("00000000000000000001").unwrap();
        let v = VirtualAccountNo::compose(&p, &c);
        assert_eq!(v, "   1900800000000000000000001");
        assert_eq!(v.as_str().len(), 28);
        assert_eq!(v.form_for(&p, &c), Some(VaNumberForm::SpacePadded));
        let zero = VirtualAccountNo::unchecked("0001900800000000000000000001");
        assert_eq!(zero.form_for(&p, &c), Some(VaNumberForm::ZeroPadded));
        let bare = VirtualAccountNo::unchecked("1900800000000000000000001");
        assert_eq!(bare.form_for(&p, &c), Some(VaNumberForm::Unpadded));
        // DOKU's notification sample: an unpadded id and number.
        let p5 = PartnerServiceId::unchecked("77777");
        let c13 = CustomerNo::unchecked("0000000000001");
        let n = VirtualAccountNo::unchecked("777770000000000001");
        assert_eq!(n.form_for(&p5, &c13), Some(VaNumberForm::Unpadded));
        assert!(p5.check().is_err());
        p5.check_received().unwrap();
        assert_eq!(VirtualAccountNo::unchecked("x").form_for(&p5, &c13), None);
    }

    #[test]
    fn refusals() {
        assert!(PartnerServiceId::from_digits("").is_err());
        assert!(PartnerServiceId::from_digits("123456789").is_err());
        assert!(PartnerServiceId::from_digits("12a").is_err());
        assert!(PartnerServiceId::unchecked("19008   ").check().is_err());
        assert!(PartnerServiceId::unchecked("00019008").check().is_ok());
        assert!(PartnerServiceId::unchecked("        ").check().is_err());
        assert!(CustomerNo::new("123456789012345678901").is_err());
        assert!(CustomerNo::new("12 3").is_err());
        assert!(CustomerNo::new("").is_err());
        assert!(CustomerNo::new("١٢").is_err());
    }
}
