//! What a call has done so far, as its deadline needs it when it cuts the call.

use std::time::Duration;

use crate::error::{CallStage, Error};

/// How far one call got. Part of the call itself (no lock): each wait that meets the call's
/// deadline builds the deadline error from it.
pub(crate) struct Progress {
    pub(crate) stage: CallStage,
    /// Whether an attempt may have been processed by DOKU. Also the rule for the Request-Id: once
    /// true it is kept even after a refusal, so DOKU can replay that outcome instead of doing it
    /// twice (an id is only ever replaced while this is false, so it is true of the current id).
    pub(crate) may_have_reached: bool,
    /// The outcome of the last finished attempt (reported if the deadline cuts the next).
    pub(crate) last: Option<Box<Error>>,
}

impl Progress {
    pub(crate) fn new() -> Self {
        Self {
            stage: CallStage::FetchingToken,
            may_have_reached: false,
            last: None,
        }
    }

    /// Records whether the finished attempt may have reached DOKU; answers the running total.
    pub(crate) fn finish_attempt(&mut self, may_have_reached: bool) -> bool {
        self.may_have_reached |= may_have_reached;
        self.may_have_reached
    }

    /// The call's [`Error::DeadlineExceeded`], after `attempts` attempts under `request_id`.
    pub(crate) fn deadline_error(
        &mut self,
        deadline: Duration,
        attempts: u32,
        request_id: &str,
    ) -> Error {
        Error::DeadlineExceeded {
            deadline,
            stage: self.stage,
            attempts,
            request_id: request_id.to_owned(),
            // An attempt cut in flight may have been received.
            may_have_reached_doku: self.may_have_reached || self.stage == CallStage::InFlight,
            last: self.last.take(),
        }
    }
}
