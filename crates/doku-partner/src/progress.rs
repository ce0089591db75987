//! What a call has done so far: shared between the call and its deadline, which reads it when
//! it cuts the call.

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use doku_model::RequestId;

use crate::error::{CallStage, Error};

/// The state of one call, as the deadline needs it.
pub(crate) struct Progress {
    pub(crate) stage: CallStage,
    attempts: u32,
    request_id: String,
    may_have_reached: bool,
    /// Whether an attempt under the current Request-Id may have been processed: then the id is
    /// kept even after a refusal, so DOKU can replay that outcome instead of doing it twice.
    pub(crate) id_may_have_reached: bool,
    /// The outcome of the last finished attempt (reported if the deadline cuts the next).
    pub(crate) last: Option<Box<Error>>,
}

impl Progress {
    pub(crate) fn new(request_id: &RequestId) -> Mutex<Self> {
        Mutex::new(Self {
            stage: CallStage::FetchingToken,
            attempts: 0,
            request_id: request_id.as_str().to_owned(),
            may_have_reached: false,
            id_may_have_reached: false,
            last: None,
        })
    }

    pub(crate) fn start_attempt(&mut self, attempt: u32) {
        self.stage = CallStage::InFlight;
        self.attempts = attempt;
    }

    /// Records whether the finished attempt may have reached DOKU; answers the running total.
    pub(crate) fn finish_attempt(&mut self, may_have_reached: bool) -> bool {
        self.may_have_reached |= may_have_reached;
        self.id_may_have_reached |= may_have_reached;
        self.may_have_reached
    }

    /// A fresh Request-Id replaced the call's: nothing was sent under it yet.
    pub(crate) fn new_request_id(&mut self, request_id: &RequestId) {
        self.request_id = request_id.as_str().to_owned();
    }

    pub(crate) fn deadline_error(&mut self, deadline: Duration) -> Error {
        Error::DeadlineExceeded {
            deadline,
            stage: self.stage,
            attempts: self.attempts,
            request_id: self.request_id.clone(),
            // An attempt cut in flight may have been received.
            may_have_reached_doku: self.may_have_reached || self.stage == CallStage::InFlight,
            last: self.last.take(),
        }
    }
}

/// Locks `progress`, ignoring poisoning (a panicking observer must not hide the outcome).
pub(crate) fn lock(progress: &Mutex<Progress>) -> MutexGuard<'_, Progress> {
    progress.lock().unwrap_or_else(|p| p.into_inner())
}
