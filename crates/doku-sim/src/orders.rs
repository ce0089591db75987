//! Checkout orders in memory: created by `POST /checkout/v1/payment`, read by Check Status,
//! moved by the payment trigger. Bounded: at most [`MAX_ORDERS`] are kept.

use std::collections::HashMap;

use doku_model::Amount;

/// Most orders kept at once; a create beyond it is refused (the simulator is for tests).
pub(crate) const MAX_ORDERS: usize = 100_000;

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PayState {
    /// Created, not paid: Check Status shows `PENDING`.
    Pending,
    /// Paid.
    Success,
    /// A payment attempt failed. Not final (DOKU's API page): the order may still be paid.
    Failed,
    /// The payment page expired. Final.
    Expired,
}

impl PayState {
    /// `transaction.status` as DOKU writes it.
    pub(crate) fn transaction_status(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Success => "SUCCESS",
            Self::Failed => "FAILED",
            Self::Expired => "EXPIRED",
        }
    }

    /// `order.status` as DOKU writes it.
    pub(crate) fn order_status(self) -> &'static str {
        match self {
            Self::Expired => "ORDER_EXPIRED",
            _ => "ORDER_GENERATED",
        }
    }

    /// Whether the order can no longer change (`SUCCESS`, `EXPIRED`).
    pub(crate) fn is_final(self) -> bool {
        matches!(self, Self::Success | Self::Expired)
    }
}

/// One Checkout order.
#[derive(Debug, Clone)]
pub(crate) struct Order {
    /// The merchant (Client-Id) that created it.
    pub(crate) owner: String,
    pub(crate) invoice_number: String,
    pub(crate) amount: Amount,
    /// The Request-Id of the create call (`transaction.original_request_id`).
    pub(crate) request_id: String,
    /// When it was created (Unix seconds).
    pub(crate) created: i64,
    /// When the state last changed by a payment (Unix seconds).
    pub(crate) paid: Option<i64>,
    pub(crate) state: PayState,
    /// The first payment method offered (decides the channel a payment goes through).
    pub(crate) method: Option<String>,
    pub(crate) override_notification_url: Option<String>,
}

/// Orders by (merchant, invoice number), with the create call's Request-Id as a second key.
#[derive(Debug, Default)]
pub(crate) struct Orders {
    by_invoice: HashMap<(String, String), Order>,
    by_request_id: HashMap<(String, String), String>,
}

/// Why an order was not stored.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    DuplicateInvoice,
    Full,
}

impl Orders {
    /// Stores a new order.
    pub(crate) fn insert(&mut self, order: Order) -> Result<(), Refused> {
        let key = (order.owner.clone(), order.invoice_number.clone());
        if self.by_invoice.contains_key(&key) {
            return Err(Refused::DuplicateInvoice);
        }
        if self.by_invoice.len() >= MAX_ORDERS {
            return Err(Refused::Full);
        }
        self.by_request_id.insert(
            (order.owner.clone(), order.request_id.clone()),
            order.invoice_number.clone(),
        );
        self.by_invoice.insert(key, order);
        Ok(())
    }

    /// The order of `owner` with this invoice number or create Request-Id.
    pub(crate) fn find(&self, owner: &str, id: &str) -> Option<&Order> {
        let key = (owner.to_owned(), id.to_owned());
        if let Some(order) = self.by_invoice.get(&key) {
            return Some(order);
        }
        let invoice = self.by_request_id.get(&key)?;
        self.by_invoice.get(&(owner.to_owned(), invoice.clone()))
    }

    /// The orders with this invoice number, of `owner` when given, of any merchant otherwise.
    pub(crate) fn matching_mut<'a>(
        &'a mut self,
        invoice: &'a str,
        owner: Option<&'a str>,
    ) -> impl Iterator<Item = &'a mut Order> + 'a {
        self.by_invoice
            .values_mut()
            .filter(move |o| o.invoice_number == invoice && owner.is_none_or(|w| o.owner == w))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(owner: &str, invoice: &str, request_id: &str) -> Order {
        Order {
            owner: owner.into(),
            invoice_number: invoice.into(),
            amount: Amount::idr(1000),
            request_id: request_id.into(),
            created: 0,
            paid: None,
            state: PayState::Pending,
            method: None,
            override_notification_url: None,
        }
    }

    #[test]
    fn found_by_invoice_or_request_id_of_the_same_merchant_only() {
        let mut orders = Orders::default();
        orders.insert(order("A", "INV-1", "r-1")).unwrap();
        assert!(orders.find("A", "INV-1").is_some());
        assert!(orders.find("A", "r-1").is_some());
        assert!(orders.find("B", "INV-1").is_none());
        assert_eq!(
            orders.insert(order("A", "INV-1", "r-2")),
            Err(Refused::DuplicateInvoice)
        );
        orders.insert(order("B", "INV-1", "r-3")).unwrap();
        assert_eq!(orders.matching_mut("INV-1", None).count(), 2);
        assert_eq!(orders.matching_mut("INV-1", Some("B")).count(), 1);
    }
}
