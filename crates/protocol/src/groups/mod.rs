//! The `groups.*` endpoints: private groups, and the room selector they share.

use serde::{Deserialize, Serialize};

use crate::ApiError;

pub mod add_moderator;
pub mod create;
pub mod history;
pub mod info;
pub mod invite;
pub mod members;

/// Which group a call is about: by id or by name, never both.
///
/// Serialised flattened into its request, as `{"roomId": ..}` or `{"roomName": ..}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum RoomSelector {
    /// The group's id.
    Id {
        /// The group's id, such as `ByehQjC44FwMeiLbX`.
        #[serde(rename = "roomId")]
        #[cfg_attr(feature = "schema", schemars(regex(pattern = r"\S")))]
        room_id: String,
    },
    /// The group's unique name.
    Name {
        /// The group's name, such as `private-abc`.
        #[serde(rename = "roomName")]
        #[cfg_attr(feature = "schema", schemars(regex(pattern = r"\S")))]
        room_name: String,
    },
}

impl RoomSelector {
    /// The group with this id.
    pub fn id(room_id: impl Into<String>) -> Self {
        Self::Id {
            room_id: room_id.into(),
        }
    }

    /// The group with this name.
    pub fn name(room_name: impl Into<String>) -> Self {
        Self::Name {
            room_name: room_name.into(),
        }
    }

    /// The id or name, whichever this is.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Id { room_id } => room_id,
            Self::Name { room_name } => room_name,
        }
    }

    /// Refuses a blank id or name with `error-room-param-not-provided`, as Rocket.Chat would.
    pub fn validate(&self) -> Result<(), ApiError> {
        if is_blank(self.as_str()) {
            return Err(ApiError::room_param_not_provided());
        }
        Ok(())
    }
}

/// The room parameters of a `GET groups.*` query string, as a client sent them.
///
/// Rocket.Chat's `findPrivateGroupByIdOrName` rules apply: when the `roomId` key is present it
/// alone decides (an empty `roomId` matches nothing, even beside a valid `roomName`); otherwise
/// `roomName` does.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct RoomQuery {
    /// The `roomId` parameter, if the key was present.
    #[serde(rename = "roomId", default, skip_serializing_if = "Option::is_none")]
    pub room_id: Option<String>,
    /// The `roomName` parameter, if the key was present.
    #[serde(rename = "roomName", default, skip_serializing_if = "Option::is_none")]
    pub room_name: Option<String>,
}

impl RoomQuery {
    /// The parameters as given: `None` for a key that was absent.
    pub fn new(room_id: Option<String>, room_name: Option<String>) -> Self {
        Self { room_id, room_name }
    }

    /// Resolves the parameters into what to look up.
    ///
    /// Fails with `error-room-param-not-provided` when neither key is present, or when both are
    /// present and empty.
    pub fn resolve(&self) -> Result<RoomSelector, ApiError> {
        match (&self.room_id, &self.room_name) {
            (None, None) => Err(ApiError::room_param_not_provided()),
            (Some(id), Some(name)) if id.is_empty() && name.is_empty() => {
                Err(ApiError::room_param_not_provided())
            }
            (Some(id), _) => Ok(RoomSelector::id(id.clone())),
            (None, Some(name)) => Ok(RoomSelector::name(name.clone())),
        }
    }
}

impl From<RoomSelector> for RoomQuery {
    fn from(selector: RoomSelector) -> Self {
        match selector {
            RoomSelector::Id { room_id } => Self {
                room_id: Some(room_id),
                room_name: None,
            },
            RoomSelector::Name { room_name } => Self {
                room_id: None,
                room_name: Some(room_name),
            },
        }
    }
}

/// Whether `text` is empty once trimmed as JavaScript's `String.prototype.trim` trims, which is
/// what Rocket.Chat's `?.trim()` checks do: Unicode spaces and line ends, and U+FEFF, but not
/// U+0085 (which Rust's `trim` removes).
pub(crate) fn is_blank(text: &str) -> bool {
    text.chars()
        .all(|c| (c.is_whitespace() && c != '\u{85}') || c == '\u{feff}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn query(room_id: Option<&str>, room_name: Option<&str>) -> RoomQuery {
        RoomQuery {
            room_id: room_id.map(Into::into),
            room_name: room_name.map(Into::into),
        }
    }

    #[test]
    fn present_room_id_key_decides_even_when_empty() {
        assert_eq!(
            query(Some(""), Some("general")).resolve().unwrap(),
            RoomSelector::id("")
        );
        assert_eq!(
            query(Some("abc"), Some("x")).resolve().unwrap(),
            RoomSelector::id("abc")
        );
        assert_eq!(
            query(None, Some("x")).resolve().unwrap(),
            RoomSelector::name("x")
        );
    }

    #[test]
    fn no_room_key_is_refused() {
        for q in [query(None, None), query(Some(""), Some(""))] {
            assert_eq!(
                q.resolve().unwrap_err().error_type,
                ErrorKind::RoomParamNotProvided
            );
        }
    }

    #[test]
    fn blank_selector_is_invalid() {
        assert!(RoomSelector::name("  ").validate().is_err());
        assert!(RoomSelector::id("abc").validate().is_ok());
    }

    #[test]
    fn blank_means_what_javascript_trims() {
        for blank in ["", " ", "\t\n\r", "\u{a0}\u{2028}\u{3000}", "\u{feff}"] {
            assert!(is_blank(blank), "{blank:?}");
        }
        for text in ["a", " a ", "\u{85}", "\u{200b}"] {
            assert!(!is_blank(text), "{text:?}");
        }
    }
}
