//! Which notification may change a payment's recorded state: states only move forward.
//!
//! Read from DOKU's `transaction.status` table (Check Status page): `PENDING`, `REDIRECT` and
//! `TIMEOUT` are in progress (not final); `FAILED` is not final either — the customer may pay
//! with another method, and DOKU says to ignore it for Checkout; `SUCCESS` and `EXPIRED` are
//! final; `REFUNDED` and `VOIDED` are final and only follow a payment (`VOIDED` is in DOKU's card
//! spec, not in the main table: read as the card counterpart of `REFUNDED`).
//!
//! | recorded \ arriving | in progress, `FAILED`, `SUCCESS`, `EXPIRED` | `REFUNDED`, `VOIDED` |
//! |---|---|---|
//! | nothing yet | apply | not yet (409: DOKU retries) |
//! | in progress, `FAILED` | apply | not yet (409) |
//! | `SUCCESS` | stale (kept, flagged) | apply |
//! | `EXPIRED`, `REFUNDED`, `VOIDED` | stale | stale |
//!
//! A status this rule does not know is recorded and flagged, never applied. "Not yet" is for
//! a refund or void that arrives before the payment it undoes (DOKU's retries can reorder
//! notifications): it is not recorded, so DOKU's next retry (+30 min, +6 h, +12 h) finds the
//! `SUCCESS` in place. A `SUCCESS` after `EXPIRED` is stale but flagged: money may have moved
//! on an order the shop gave up, which a person should look at.

use doku_model::TransactionStatus;

/// What an arriving status does to the recorded one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The payment moves to the arriving status.
    Apply,
    /// The payment already reached a state this one cannot follow: recorded, flagged, not applied.
    Stale,
    /// The arriving status undoes a payment not recorded yet: refused for now (DOKU retries).
    NotYet,
    /// A status DOKU added after this rule was written: recorded, flagged, not applied.
    Unknown,
}

/// The step from `recorded` (none before the first notification) to `arriving`.
pub fn step(recorded: Option<&TransactionStatus>, arriving: &TransactionStatus) -> Step {
    use TransactionStatus as S;
    let settled = |s: &S| matches!(s, S::Success | S::Expired | S::Refunded | S::Voided);
    match arriving {
        S::Pending | S::Redirect | S::Timeout | S::Failed | S::Success | S::Expired => {
            match recorded {
                Some(current) if settled(current) => Step::Stale,
                _ => Step::Apply,
            }
        }
        S::Refunded | S::Voided => match recorded {
            Some(S::Success) => Step::Apply,
            Some(current) if settled(current) => Step::Stale,
            _ => Step::NotYet,
        },
        _ => Step::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TransactionStatus as S;

    fn parse(name: &str) -> S {
        S::from(name)
    }

    /// Every pair of DOKU's statuses, with what the table above says.
    #[test]
    fn every_transition_of_dokus_statuses() {
        let all = [
            "PENDING", "REDIRECT", "TIMEOUT", "FAILED", "SUCCESS", "EXPIRED", "REFUNDED", "VOIDED",
        ];
        for arriving in all {
            let to = parse(arriving);
            let first = step(None, &to);
            let expected_first = if matches!(arriving, "REFUNDED" | "VOIDED") {
                Step::NotYet
            } else {
                Step::Apply
            };
            assert_eq!(first, expected_first, "nothing -> {arriving}");
            for recorded in all {
                let from = parse(recorded);
                let expected = match (recorded, arriving) {
                    ("SUCCESS", "REFUNDED" | "VOIDED") => Step::Apply,
                    ("SUCCESS" | "EXPIRED" | "REFUNDED" | "VOIDED", _) => Step::Stale,
                    (_, "REFUNDED" | "VOIDED") => Step::NotYet,
                    _ => Step::Apply,
                };
                assert_eq!(step(Some(&from), &to), expected, "{recorded} -> {arriving}");
            }
        }
    }

    #[test]
    fn the_documented_paths_move_forward_and_nothing_undoes_a_final_state() {
        // PENDING -> FAILED -> SUCCESS (the customer retried) -> REFUNDED.
        assert_eq!(step(Some(&S::Pending), &S::Failed), Step::Apply);
        assert_eq!(step(Some(&S::Failed), &S::Success), Step::Apply);
        assert_eq!(step(Some(&S::Success), &S::Refunded), Step::Apply);
        // A late SUCCESS does not undo the refund; a late FAILED does not undo the payment.
        assert_eq!(step(Some(&S::Refunded), &S::Success), Step::Stale);
        assert_eq!(step(Some(&S::Voided), &S::Success), Step::Stale);
        assert_eq!(step(Some(&S::Success), &S::Failed), Step::Stale);
        assert_eq!(step(Some(&S::Expired), &S::Success), Step::Stale);
        assert_eq!(step(Some(&S::Success), &parse("CHARGEBACK")), Step::Unknown);
    }
}
