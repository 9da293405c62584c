//! Text every store can keep. PostgreSQL's `text` and `jsonb` cannot hold U+0000 (NUL), so no
//! store takes it, and both stores give the same answers: a value to be stored with a NUL in it
//! is refused with `invalid-params` naming the field, and a name looked up with a NUL in it
//! matches nothing, as no stored name has one.

use rocketchat_protocol::ApiError;
use serde_json::{Map, Value};

/// Refuses `value` for `field` when it holds a NUL character.
pub(crate) fn storable(field: &str, value: &str) -> Result<(), ApiError> {
    if value.contains('\0') {
        return Err(ApiError::invalid_params(format!(
            "{field} must not contain a NUL character (U+0000)"
        )));
    }
    Ok(())
}

/// Refuses an object for `field` when a key or a string anywhere in it holds a NUL character.
pub(crate) fn storable_json(field: &str, object: &Map<String, Value>) -> Result<(), ApiError> {
    fn clean(value: &Value) -> bool {
        match value {
            Value::String(text) => !text.contains('\0'),
            Value::Array(items) => items.iter().all(clean),
            Value::Object(map) => map
                .iter()
                .all(|(key, value)| !key.contains('\0') && clean(value)),
            _ => true,
        }
    }
    if object
        .iter()
        .all(|(key, value)| !key.contains('\0') && clean(value))
    {
        Ok(())
    } else {
        Err(ApiError::invalid_params(format!(
            "{field} must not contain a NUL character (U+0000)"
        )))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_nul_anywhere_is_refused_naming_the_field() {
        assert!(storable("name", "Bob").is_ok());
        assert_eq!(
            storable("name", "B\0b").unwrap_err().error,
            "name must not contain a NUL character (U+0000) [invalid-params]"
        );
        let object = |value: Value| value.as_object().unwrap().clone();
        assert!(
            storable_json("customFields", &object(json!({"a": [1, "b", {"c": null}]}))).is_ok()
        );
        for bad in [
            json!({"a\0": 1}),
            json!({"a": ["x\0"]}),
            json!({"a": {"b": "\0"}}),
        ] {
            assert!(storable_json("customFields", &object(bad)).is_err());
        }
    }
}
