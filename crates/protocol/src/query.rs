//! Query-string parameters that Rocket.Chat's list routes share, such as `sort`.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, MapAccess, Visitor};
use serde_json::Value;

use crate::ApiError;

/// Which way one field sorts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SortDirection {
    /// Smallest first: `1` in a `sort` parameter.
    Ascending,
    /// Largest first: `-1` in a `sort` parameter.
    Descending,
}

impl SortDirection {
    /// The number that stands for this direction: `1` or `-1`.
    pub const fn value(self) -> i8 {
        match self {
            Self::Ascending => 1,
            Self::Descending => -1,
        }
    }
}

/// A `sort` parameter: fields and their directions, the first field deciding first.
///
/// On the wire it is the text of a JSON object such as `{"name":1,"ts":-1}` (Rocket.Chat's
/// `parseJsonQuery`); [`Sort::parse`] reads it and `Display` writes it.
///
/// ```
/// use rocketchat_protocol::query::{Sort, SortDirection};
///
/// let sort = Sort::parse(r#"{"usersCount": -1, "name": 1}"#)?;
/// let fields: Vec<_> = sort.fields().collect();
/// assert_eq!(
///     fields,
///     [("usersCount", SortDirection::Descending), ("name", SortDirection::Ascending)]
/// );
/// assert_eq!(sort.to_string(), r#"{"usersCount":-1,"name":1}"#);
/// # Ok::<(), rocketchat_protocol::ApiError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Sort {
    fields: Vec<(String, SortDirection)>,
}

impl Sort {
    /// No field: the route's natural order.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `field` after the fields already given, or changes its direction if it is one of
    /// them (keeping its place, as a JavaScript object keeps a key's place).
    #[must_use]
    pub fn then(mut self, field: impl Into<String>, direction: SortDirection) -> Self {
        self.set(field.into(), direction);
        self
    }

    /// Reads a `sort` parameter as Rocket.Chat does: the text must be a JSON object whose every
    /// value is the number `1` or `-1`, written as an integer.
    ///
    /// The fields keep the order a JavaScript object gives them: keys that are array indices
    /// (`"0"`, `"7"`) first in ascending numeric order, then the others as written; a key given
    /// twice keeps its first place and its last value.
    ///
    /// Anything else (text that is not JSON, JSON that is not an object, another value) fails
    /// with `error-invalid-sort`, quoting `raw` as sent ([`ApiError::invalid_sort`]). Rocket.Chat
    /// ignores an empty parameter, so a server calls this only for a non-empty one.
    pub fn parse(raw: &str) -> Result<Self, ApiError> {
        let invalid = || ApiError::invalid_sort(raw);
        let Entries(entries) = serde_json::from_str(raw).map_err(|_| invalid())?;
        let mut sort = Self::new();
        for (field, value) in entries {
            let direction = match value.as_i64() {
                Some(1) => SortDirection::Ascending,
                Some(-1) => SortDirection::Descending,
                _ => return Err(invalid()),
            };
            sort.set(field, direction);
        }
        sort.fields
            .sort_by_key(|(field, _)| array_index(field).map_or(u64::MAX, u64::from));
        Ok(sort)
    }

    /// The fields and their directions, the first deciding first.
    pub fn fields(&self) -> impl ExactSizeIterator<Item = (&str, SortDirection)> + '_ {
        self.fields
            .iter()
            .map(|(field, direction)| (field.as_str(), *direction))
    }

    /// How many fields there are.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether there is no field at all (`{}`).
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    fn set(&mut self, field: String, direction: SortDirection) {
        match self.fields.iter_mut().find(|(name, _)| *name == field) {
            Some(entry) => entry.1 = direction,
            None => self.fields.push((field, direction)),
        }
    }
}

impl FromIterator<(String, SortDirection)> for Sort {
    fn from_iter<I: IntoIterator<Item = (String, SortDirection)>>(fields: I) -> Self {
        fields
            .into_iter()
            .fold(Self::new(), |sort, (field, direction)| {
                sort.then(field, direction)
            })
    }
}

/// The JSON object text, such as `{"name":1}`, as a `sort` parameter carries it.
impl fmt::Display for Sort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{")?;
        for (index, (field, direction)) in self.fields().enumerate() {
            if index > 0 {
                f.write_str(",")?;
            }
            let key = serde_json::to_string(field).map_err(|_| fmt::Error)?;
            write!(f, "{key}:{}", direction.value())?;
        }
        f.write_str("}")
    }
}

/// The key's value if it is an array index, which a JavaScript object lists before its other
/// keys: the canonical decimal form of an integer below 2³² − 1.
fn array_index(key: &str) -> Option<u32> {
    key.parse::<u32>()
        .ok()
        .filter(|index| *index != u32::MAX && index.to_string() == key)
}

/// A JSON object's entries in the order written (serde_json's own map sorts its keys).
struct Entries(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor;

        impl<'de> Visitor<'de> for EntriesVisitor {
            type Value = Entries;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Entries(entries))
            }
        }

        deserializer.deserialize_map(EntriesVisitor)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::ErrorKind;

    fn fields(raw: &str) -> Vec<(String, i8)> {
        Sort::parse(raw)
            .unwrap()
            .fields()
            .map(|(field, direction)| (field.to_owned(), direction.value()))
            .collect()
    }

    fn owned(fields: &[(&str, i8)]) -> Vec<(String, i8)> {
        fields
            .iter()
            .map(|(field, value)| ((*field).to_owned(), *value))
            .collect()
    }

    #[test]
    fn a_valid_sort_keeps_its_fields_in_order() {
        assert_eq!(fields(r#"{"name":1}"#), owned(&[("name", 1)]));
        assert_eq!(
            fields(r#" { "ts": -1, "name": 1, "usersCount": -1 } "#),
            owned(&[("ts", -1), ("name", 1), ("usersCount", -1)])
        );
        assert_eq!(fields("{}"), owned(&[]));
    }

    #[test]
    fn keys_are_ordered_as_a_javascript_object_orders_them() {
        assert_eq!(
            fields(r#"{"b": 1, "10": -1, "a": 1, "2": 1, "02": 1, "-1": 1}"#),
            owned(&[
                ("2", 1),
                ("10", -1),
                ("b", 1),
                ("a", 1),
                ("02", 1),
                ("-1", 1)
            ])
        );
        assert_eq!(
            fields(r#"{"name": 1, "ts": 1, "name": -1}"#),
            owned(&[("name", -1), ("ts", 1)])
        );
        assert_eq!(
            fields(r#"{"4294967295": 1, "4294967294": 1}"#),
            owned(&[("4294967294", 1), ("4294967295", 1)])
        );
    }

    #[test]
    fn anything_else_is_an_invalid_sort_quoting_the_parameter() {
        for raw in [
            r#"{"name":2}"#,
            r#"{"name":"1"}"#,
            r#"{"name":1.0}"#,
            r#"{"name":true}"#,
            r#"{"name":null}"#,
            r#"{"name":1,"ts":0}"#,
            r#"{"name":1"#,
            "name",
            r#"["name"]"#,
            "1",
            "null",
            r#""{}""#,
            r#"{} {}"#,
            "",
        ] {
            let error = Sort::parse(raw).unwrap_err();
            assert_eq!(error.error_type, ErrorKind::InvalidSort, "{raw}");
            assert_eq!(
                serde_json::to_value(&error).unwrap(),
                json!({
                    "success": false,
                    "error": format!("Invalid sort parameter provided: \"{raw}\" [error-invalid-sort]"),
                    "errorType": "error-invalid-sort",
                    "details": { "helperMethod": "parseJsonQuery" }
                }),
                "{raw}"
            );
        }
    }

    #[test]
    fn a_sort_writes_back_its_parameter() {
        let sort = Sort::new()
            .then("usersCount", SortDirection::Descending)
            .then("na\"me", SortDirection::Ascending)
            .then("usersCount", SortDirection::Ascending);
        assert_eq!(sort.to_string(), r#"{"usersCount":1,"na\"me":1}"#);
        assert_eq!(Sort::parse(&sort.to_string()).unwrap(), sort);
        assert_eq!(sort.len(), 2);
        assert_eq!(Sort::new().to_string(), "{}");
        assert!(Sort::new().is_empty());
        let collected: Sort = [("a".to_owned(), SortDirection::Ascending)]
            .into_iter()
            .collect();
        assert_eq!(collected.to_string(), r#"{"a":1}"#);
    }
}
