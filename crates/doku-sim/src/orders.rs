//! Checkout orders in memory: created by `POST /checkout/v1/payment`, read by Check Status,
//! moved by the payment trigger. Bounded: at most [`MAX_ORDERS`] are kept.

use std::collections::HashMap;

use doku_model::Amount;
use http::StatusCode;

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
    /// What the payment page shows and where it sends the browser.
    pub(crate) page: PageInfo,
    /// Insertion order (the dashboard lists the latest orders first).
    pub(crate) seq: u64,
}

/// What the payment page of an order needs beyond the payment itself.
#[derive(Debug, Clone, Default)]
pub(crate) struct PageInfo {
    /// The page's token (`payment.token_id`, the last segment of `payment.url`).
    pub(crate) token_id: String,
    /// Every offered method, in the request's order.
    pub(crate) methods: Vec<String>,
    /// When the page expires (Unix seconds).
    pub(crate) expires: i64,
    pub(crate) callback_url: Option<String>,
    pub(crate) callback_url_cancel: Option<String>,
    pub(crate) callback_url_result: Option<String>,
    /// `order.auto_redirect`: `false` shows the result page instead of redirecting.
    pub(crate) auto_redirect: Option<bool>,
    /// `customer.name` (and `last_name`), shown on the page.
    pub(crate) customer_name: Option<String>,
}

/// Orders by invoice number and merchant, with the create call's Request-Id as a second key.
///
/// Every lookup is a hash lookup, never a scan: the payment trigger finds the orders with an
/// invoice number (of any merchant) through `by_invoice`, Check Status finds a merchant's order
/// by invoice number or by create Request-Id through both maps.
#[derive(Debug, Default)]
pub(crate) struct Orders {
    /// Invoice number → merchant → order.
    by_invoice: HashMap<String, HashMap<String, Order>>,
    /// (merchant, create Request-Id) → the invoice numbers of the orders created with it (more
    /// than one only if a Request-Id was used again after its idempotency record was forgotten).
    by_request_id: HashMap<(String, String), Vec<String>>,
    /// Payment page token → (merchant, invoice number).
    by_token: HashMap<String, (String, String)>,
    /// Orders stored.
    len: usize,
    /// The next order's `seq`.
    next_seq: u64,
}

/// Why an order was not stored.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    /// The merchant already has an order with this invoice number that a payment has moved
    /// (SUCCESS, FAILED or EXPIRED): replacing it would lose that record.
    DuplicateInvoice,
    /// The merchant already has a still unpaid order with this invoice number, and the caller
    /// did not allow replacing it.
    PendingInvoice,
    Full,
}

/// Why Check Status has no order to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Missing {
    /// No order of the merchant has this invoice number or create Request-Id.
    NotFound,
    /// The id names more than one of the merchant's orders: one by its invoice number and
    /// another by its create Request-Id, or several by the same create Request-Id. Answering
    /// either could show the caller another order than the one it means.
    Ambiguous,
}

impl Missing {
    /// The HTTP status Check Status answers with.
    pub(crate) fn status(self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Ambiguous => StatusCode::CONFLICT,
        }
    }

    /// The message of Checkout's `{"message": [...]}` envelope.
    pub(crate) fn message(self) -> &'static str {
        match self {
            Self::NotFound => "ORDER NOT FOUND",
            Self::Ambiguous => {
                "AMBIGUOUS ORDER ID: it is the invoice number of one order and the create \
                 Request-Id of another (or of several); ask by the other identifier"
            }
        }
    }
}

impl Orders {
    /// Stores a new order. An unpaid order of the same merchant with the same invoice number is
    /// replaced when `replace_pending` (its create Request-Id then names nothing), else refused.
    /// Returns whether an order was replaced.
    pub(crate) fn insert(
        &mut self,
        mut order: Order,
        replace_pending: bool,
    ) -> Result<bool, Refused> {
        let existing = self
            .by_invoice
            .get(&order.invoice_number)
            .and_then(|m| m.get(&order.owner))
            .map(|o| (o.state, o.request_id.clone(), o.page.token_id.clone()));
        order.seq = self.next_seq;
        if let Some((state, old_request_id, old_token)) = existing {
            if state != PayState::Pending {
                return Err(Refused::DuplicateInvoice);
            }
            if !replace_pending {
                return Err(Refused::PendingInvoice);
            }
            self.next_seq += 1;
            // The replaced order's page names nothing any more.
            self.by_token.remove(&old_token);
            self.index_token(&order);
            let key = (order.owner.clone(), old_request_id);
            if let Some(invoices) = self.by_request_id.get_mut(&key) {
                invoices.retain(|i| *i != order.invoice_number);
                if invoices.is_empty() {
                    self.by_request_id.remove(&key);
                }
            }
            self.by_request_id
                .entry((order.owner.clone(), order.request_id.clone()))
                .or_default()
                .push(order.invoice_number.clone());
            if let Some(merchants) = self.by_invoice.get_mut(&order.invoice_number) {
                merchants.insert(order.owner.clone(), order);
            }
            return Ok(true);
        }
        if self.len >= MAX_ORDERS {
            return Err(Refused::Full);
        }
        self.next_seq += 1;
        self.index_token(&order);
        self.by_request_id
            .entry((order.owner.clone(), order.request_id.clone()))
            .or_default()
            .push(order.invoice_number.clone());
        self.by_invoice
            .entry(order.invoice_number.clone())
            .or_default()
            .insert(order.owner.clone(), order);
        self.len += 1;
        Ok(false)
    }

    fn index_token(&mut self, order: &Order) {
        if !order.page.token_id.is_empty() {
            self.by_token.insert(
                order.page.token_id.clone(),
                (order.owner.clone(), order.invoice_number.clone()),
            );
        }
    }

    /// The order whose payment page has this token.
    pub(crate) fn by_token(&self, token: &str) -> Option<&Order> {
        let (owner, invoice) = self.by_token.get(token)?;
        self.by_invoice.get(invoice)?.get(owner)
    }

    /// The latest `limit` orders (by creation), newest first, and how many there are.
    pub(crate) fn latest(&self, limit: usize) -> (Vec<Order>, usize) {
        let mut all: Vec<&Order> = self.by_invoice.values().flat_map(HashMap::values).collect();
        let total = all.len();
        if all.len() > limit {
            all.select_nth_unstable_by(limit, |a, b| b.seq.cmp(&a.seq));
            all.truncate(limit);
        }
        all.sort_unstable_by_key(|o| std::cmp::Reverse(o.seq));
        (all.into_iter().cloned().collect(), total)
    }

    /// The order of `owner` with this invoice number or create Request-Id.
    ///
    /// DOKU's Check Status takes "the transaction `order.invoice_number` (or `Request-Id`)" and
    /// does not say what happens when one order's invoice number is another's Request-Id. The
    /// simulator's rule: an id that names exactly one of the merchant's orders, by either key,
    /// finds it; an id that names two different orders is [`Missing::Ambiguous`], never one of
    /// them picked silently.
    pub(crate) fn find(&self, owner: &str, id: &str) -> Result<&Order, Missing> {
        let by_invoice = self.by_invoice.get(id).and_then(|m| m.get(owner));
        let key = (owner.to_owned(), id.to_owned());
        let created_with = self.by_request_id.get(&key).map_or(&[][..], Vec::as_slice);
        let mut by_request_id = created_with
            .iter()
            .filter_map(|invoice| self.by_invoice.get(invoice).and_then(|m| m.get(owner)));
        let first = by_request_id.next();
        if by_request_id.next().is_some() {
            return Err(Missing::Ambiguous);
        }
        match (by_invoice, first) {
            (Some(a), Some(b)) if a.invoice_number != b.invoice_number => Err(Missing::Ambiguous),
            (Some(order), _) | (None, Some(order)) => Ok(order),
            (None, None) => Err(Missing::NotFound),
        }
    }

    /// The orders with this invoice number, of `owner` when given, of any merchant otherwise
    /// (a hash lookup, then the merchants that used this invoice number).
    pub(crate) fn matching_mut<'a>(
        &'a mut self,
        invoice: &'a str,
        owner: Option<&'a str>,
    ) -> impl Iterator<Item = &'a mut Order> + 'a {
        self.by_invoice
            .get_mut(invoice)
            .into_iter()
            .flat_map(|merchants| merchants.values_mut())
            .filter(move |o| owner.is_none_or(|w| o.owner == w))
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
            page: PageInfo {
                token_id: format!("tok-{owner}-{invoice}-{request_id}"),
                ..PageInfo::default()
            },
            seq: 0,
        }
    }

    #[test]
    fn pages_are_found_by_token_and_a_replaced_page_names_nothing() {
        let mut orders = Orders::default();
        orders.insert(order("A", "INV-1", "r-1"), false).unwrap();
        orders.insert(order("A", "INV-2", "r-2"), false).unwrap();
        assert_eq!(
            orders.by_token("tok-A-INV-1-r-1").unwrap().invoice_number,
            "INV-1"
        );
        orders.insert(order("A", "INV-1", "r-3"), true).unwrap();
        assert!(orders.by_token("tok-A-INV-1-r-1").is_none());
        assert_eq!(
            orders.by_token("tok-A-INV-1-r-3").unwrap().request_id,
            "r-3"
        );
        let (latest, total) = orders.latest(1);
        assert_eq!((latest[0].invoice_number.as_str(), total), ("INV-1", 2));
        let (all, _) = orders.latest(10);
        let invoices: Vec<&str> = all.iter().map(|o| o.invoice_number.as_str()).collect();
        assert_eq!(invoices, ["INV-1", "INV-2"], "newest first");
    }

    #[test]
    fn an_unpaid_order_is_replaced_when_allowed_a_paid_one_never() {
        let mut orders = Orders::default();
        orders.insert(order("A", "INV-1", "r-1"), false).unwrap();
        assert_eq!(orders.insert(order("A", "INV-1", "r-2"), true), Ok(true));
        assert_eq!(orders.find("A", "INV-1").unwrap().request_id, "r-2");
        assert_eq!(orders.find("A", "r-1").err(), Some(Missing::NotFound));
        assert!(orders.find("A", "r-2").is_ok());
        assert_eq!(
            orders.matching_mut("INV-1", None).count(),
            1,
            "replaced, not added"
        );
        orders.matching_mut("INV-1", None).next().unwrap().state = PayState::Success;
        assert_eq!(
            orders.insert(order("A", "INV-1", "r-3"), true),
            Err(Refused::DuplicateInvoice)
        );
        assert_eq!(orders.find("A", "INV-1").unwrap().request_id, "r-2", "kept");
    }

    #[test]
    fn found_by_invoice_or_request_id_of_the_same_merchant_only() {
        let mut orders = Orders::default();
        orders.insert(order("A", "INV-1", "r-1"), false).unwrap();
        assert!(orders.find("A", "INV-1").is_ok());
        assert!(orders.find("A", "r-1").is_ok());
        assert_eq!(orders.find("B", "INV-1").err(), Some(Missing::NotFound));
        assert_eq!(
            orders.insert(order("A", "INV-1", "r-2"), false),
            Err(Refused::PendingInvoice)
        );
        orders.insert(order("B", "INV-1", "r-3"), false).unwrap();
        assert_eq!(orders.matching_mut("INV-1", None).count(), 2);
        assert_eq!(orders.matching_mut("INV-1", Some("B")).count(), 1);
    }

    /// One order's invoice number is another's create Request-Id: asking by it finds neither
    /// (it could mean either); each is still found by its other identifier.
    #[test]
    fn an_id_naming_two_orders_is_ambiguous_not_the_first_found() {
        let mut orders = Orders::default();
        orders.insert(order("A", "X-1", "r-a"), false).unwrap();
        orders.insert(order("A", "INV-B", "X-1"), false).unwrap();
        assert_eq!(orders.find("A", "X-1").err(), Some(Missing::Ambiguous));
        assert_eq!(orders.find("A", "r-a").unwrap().invoice_number, "X-1");
        assert_eq!(orders.find("A", "INV-B").unwrap().request_id, "X-1");
        // Another merchant's orders never collide with these.
        orders.insert(order("B", "Y-1", "X-1"), false).unwrap();
        assert_eq!(orders.find("B", "X-1").unwrap().invoice_number, "Y-1");
        // An order found by both keys is one order, not a collision.
        orders.insert(order("A", "SAME", "SAME"), false).unwrap();
        assert_eq!(orders.find("A", "SAME").unwrap().invoice_number, "SAME");
        // A create Request-Id used twice (after its idempotency record was forgotten).
        orders
            .insert(order("A", "INV-C", "r-twice"), false)
            .unwrap();
        orders
            .insert(order("A", "INV-D", "r-twice"), false)
            .unwrap();
        assert_eq!(orders.find("A", "r-twice").err(), Some(Missing::Ambiguous));
    }
}
