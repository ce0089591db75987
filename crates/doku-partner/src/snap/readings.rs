//! What a client learns about the DOKU it talks to, where DOKU's pages disagree: which path
//! version answers each SNAP call, and which `X-TIMESTAMP` form is accepted. Learned once per
//! client (shared by every merchant handle and clone), never configured unless you want to.

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

use doku_model::Endpoint;

/// The `X-TIMESTAMP` form of SNAP requests ([`ConfigBuilder::snap_timestamp`](crate::ConfigBuilder::snap_timestamp)).
///
/// DOKU's pages disagree: the transaction pages say local time with an offset
/// (`2020-12-21T14:56:11+07:00`), the B2B token page describes UTC `…Z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SnapTimestamp {
    /// Asia/Jakarta (`+07:00`) until DOKU refuses that form as an invalid field format naming
    /// the timestamp; then the refused call is repeated once with `Z`, and this client sends
    /// `Z` from then on. The default.
    #[default]
    Detect,
    /// Always `+07:00` (Asia/Jakarta).
    Jakarta,
    /// Always UTC with `Z`.
    Utc,
}

/// Asia/Jakarta's offset from UTC (no daylight saving time).
const JAKARTA_OFFSET_MINUTES: i32 = 7 * 60;

impl SnapTimestamp {
    /// The header value for `unix_seconds`, in the form `utc` (learned) or this setting says.
    pub(crate) fn format(self, unix_seconds: i64, learned_utc: bool) -> String {
        match (self, learned_utc) {
            (Self::Utc, _) | (Self::Detect, true) => doku_sign::timestamp::format_utc(unix_seconds),
            (Self::Jakarta, _) | (Self::Detect, false) => {
                doku_sign::timestamp::format_offset(unix_seconds, JAKARTA_OFFSET_MINUTES)
            }
        }
    }
}

/// The SNAP calls whose path version is learned, in a fixed order (an index per call).
const LEARNED: [Endpoint; 5] = [
    Endpoint::SnapToken,
    Endpoint::CreateVa,
    Endpoint::UpdateVa,
    Endpoint::DeleteVa,
    Endpoint::VaStatus,
];

/// The readings one client has learned.
#[derive(Debug, Default)]
pub(crate) struct Readings {
    /// Per SNAP call: 0 = the current path, `i` = `older_paths()[i - 1]`.
    paths: [AtomicU8; LEARNED.len()],
    /// Whether DOKU refused `+07:00` and `Z` is sent.
    utc: AtomicBool,
}

fn slot(endpoint: Endpoint) -> Option<usize> {
    LEARNED.iter().position(|e| *e == endpoint)
}

/// The path of `endpoint` at `index` (0: current).
pub(crate) fn path_at(endpoint: Endpoint, index: u8) -> Option<&'static str> {
    match index {
        0 => Some(endpoint.path()),
        i => endpoint.older_paths().get(usize::from(i) - 1).copied(),
    }
}

impl Readings {
    /// The index of the path that last worked for `endpoint` (0 until learned otherwise).
    pub(crate) fn path_index(&self, endpoint: Endpoint) -> u8 {
        slot(endpoint).map_or(0, |i| self.paths[i].load(Ordering::Relaxed))
    }

    /// Remembers that `endpoint` answers at path `index`.
    pub(crate) fn remember_path(&self, endpoint: Endpoint, index: u8) {
        if let Some(i) = slot(endpoint) {
            self.paths[i].store(index, Ordering::Relaxed);
        }
    }

    /// Whether `Z` is sent.
    pub(crate) fn utc(&self) -> bool {
        self.utc.load(Ordering::Relaxed)
    }

    /// Remembers that DOKU refuses the offset form.
    pub(crate) fn learn_utc(&self) {
        self.utc.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_and_paths() {
        // 2024-03-19T07:39:01Z
        let t = 1_710_833_941;
        assert_eq!(
            SnapTimestamp::Detect.format(t, false),
            "2024-03-19T14:39:01+07:00"
        );
        assert_eq!(
            SnapTimestamp::Detect.format(t, true),
            "2024-03-19T07:39:01Z"
        );
        assert_eq!(
            SnapTimestamp::Jakarta.format(t, true),
            "2024-03-19T14:39:01+07:00"
        );
        assert_eq!(SnapTimestamp::Utc.format(t, false), "2024-03-19T07:39:01Z");
        let readings = Readings::default();
        assert_eq!(readings.path_index(Endpoint::CreateVa), 0);
        readings.remember_path(Endpoint::CreateVa, 2);
        assert_eq!(
            path_at(Endpoint::CreateVa, readings.path_index(Endpoint::CreateVa)),
            Some("/bi-snap-va/v1/transfer-va/create-va")
        );
        assert_eq!(path_at(Endpoint::UpdateVa, 1), None);
        assert_eq!(readings.path_index(Endpoint::VaStatus), 0);
    }
}
