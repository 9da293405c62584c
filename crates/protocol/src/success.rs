//! The answer of the endpoints that have nothing to report but success.

use serde::{Deserialize, Serialize};

/// `{"success": true}`: the whole answer of `groups.addModerator`, `groups.kick`,
/// `groups.leave`, `groups.delete` and the other calls that only say they worked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Success {
    /// Always `true`.
    pub success: bool,
}

impl Success {
    /// The successful answer, `{"success": true}`.
    pub fn new() -> Self {
        Self { success: true }
    }
}

impl Default for Success {
    fn default() -> Self {
        Self::new()
    }
}
