//! Lists decoded under a cap on their length, stopping at the cap while decoding.
//!
//! A JSON list of empty objects costs 3 bytes per item on the wire (`{},`) but a whole struct
//! per item once decoded (a [`crate::LineItem`] is a few hundred bytes), so an uncapped list
//! turns a 3 MiB body into hundreds of MiB. The visitor here counts items as they arrive and
//! fails on the first one past the cap, without decoding it and without ever holding more
//! than the cap: nothing is collected first and checked afterwards.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, SeqAccess, Visitor};

use crate::checkout::LineItem;

/// Most `order.line_items` a [`crate::CheckoutRequest`] decodes.
///
/// DOKU documents no limit on the number of line items (its Checkout page lists the item
/// fields and their lengths only). This is a **memory bound of the decoder**, not a DOKU rule:
/// 1,000 items is ten times a large real cart, and costs under 0.5 MiB decoded even when
/// every item is an empty object. A request with more items fails to decode, and the error
/// says it is this resource bound.
pub const MAX_LINE_ITEMS: usize = 1000;

/// Decodes `order.line_items` (absent or `null` → `None`) with at most [`MAX_LINE_ITEMS`]
/// items.
pub(crate) fn line_items<'de, D>(d: D) -> Result<Option<Vec<LineItem>>, D::Error>
where
    D: Deserializer<'de>,
{
    Option::<Capped<LineItem>>::deserialize(d).map(|list| list.map(|c| c.items))
}

/// A list that refuses more than `max` items while it is decoded.
struct Capped<T> {
    items: Vec<T>,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Capped<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_seq(CappedVisitor {
            max: MAX_LINE_ITEMS,
            what: "line items",
            item: PhantomData,
        })
    }
}

/// Collects up to `max` items; the next one is skipped unread and fails the list.
struct CappedVisitor<T> {
    max: usize,
    what: &'static str,
    item: PhantomData<T>,
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for CappedVisitor<T> {
    type Value = Capped<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a list of at most {} {}", self.max, self.what)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Capped<T>, A::Error> {
        // A size hint comes from the input: never trust it past the cap.
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(self.max));
        loop {
            if items.len() == self.max {
                if seq.next_element::<IgnoredAny>()?.is_some() {
                    return Err(de::Error::custom(format_args!(
                        "more than {} {}: a memory bound of this decoder (a resource bound, not a \
                         limit DOKU documents)",
                        self.max, self.what
                    )));
                }
                break;
            }
            match seq.next_element()? {
                Some(item) => items.push(item),
                None => break,
            }
        }
        Ok(Capped { items })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::value::{Error as ValueError, SeqDeserializer};

    fn capped(n: usize, max: usize) -> Result<Vec<u8>, ValueError> {
        let d = SeqDeserializer::<_, ValueError>::new(std::iter::repeat_n(0u8, n));
        let visitor = CappedVisitor {
            max,
            what: "things",
            item: PhantomData,
        };
        d.deserialize_seq(visitor).map(|c| c.items)
    }

    #[test]
    fn the_cap_is_inclusive_and_the_next_item_fails() {
        assert_eq!(capped(3, 3).map(|v| v.len()), Ok(3));
        let err = capped(4, 3).unwrap_err().to_string();
        assert!(err.contains("more than 3 things"), "{err}");
        assert!(err.contains("resource bound"), "{err}");
        assert_eq!(capped(0, 3).map(|v| v.len()), Ok(0));
    }
}
