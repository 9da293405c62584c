//! Reading request bodies the way a careful server should: every refusal is an [`ApiError`].
//!
//! Rocket.Chat turns malformed JSON into `{}` and leaks JavaScript `TypeError`s for wrong types;
//! we answer both with `invalid-params` and a message that names the offending key.

use serde::de::DeserializeOwned;

use crate::ApiError;

/// Parses a JSON object body into `T`.
///
/// Fails with `invalid-params` when the bytes are not JSON, when the JSON is not an object, or
/// when a value has the wrong type; the message names the key, as in
/// `"roomId: invalid type: integer `123`, expected a string"`.
pub fn from_object_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let first = bytes.iter().find(|byte| !byte.is_ascii_whitespace());
    match first {
        Some(b'{') => {}
        None => return Err(ApiError::invalid_params("the request body is empty")),
        Some(_) => {
            return Err(
                match serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
                    Ok(_) => ApiError::invalid_params("the request body must be a JSON object"),
                    Err(error) => malformed(&error),
                },
            );
        }
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = match serde_path_to_error::deserialize(&mut deserializer) {
        Ok(value) => value,
        Err(error) if is_duplicate_key(&error) => return last_key_wins(bytes),
        Err(error) => return Err(refusal(&error)),
    };
    deserializer.end().map_err(|error| malformed(&error))?;
    Ok(value)
}

/// serde's derived readers refuse a key given twice; `JSON.parse`, and so Rocket.Chat, keeps
/// the last value. Only such bodies take this slower road through a [`serde_json::Value`].
fn is_duplicate_key(error: &serde_path_to_error::Error<serde_json::Error>) -> bool {
    error.inner().is_data() && error.inner().to_string().starts_with("duplicate field `")
}

fn last_key_wins<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|error| malformed(&error))?;
    serde_path_to_error::deserialize(value).map_err(|error| refusal(&error))
}

/// `invalid-params`, with the key path in front of the reason.
fn refusal(error: &serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let inner = error.inner();
    if inner.is_syntax() || inner.is_eof() {
        return malformed(inner);
    }
    let path = error.path().to_string();
    let reason = strip_position(&inner.to_string());
    if path == "." || path.is_empty() {
        ApiError::invalid_params(reason)
    } else {
        ApiError::invalid_params(format!("{path}: {reason}"))
    }
}

fn malformed(error: &serde_json::Error) -> ApiError {
    ApiError::invalid_params(format!("the request body is not valid JSON: {error}"))
}

/// serde_json appends " at line L column C" to type errors; the key path says more.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;
    use crate::ErrorKind;

    #[derive(Debug, Deserialize)]
    struct Body {
        #[serde(rename = "roomId")]
        room_id: Option<String>,
        list: Option<Vec<String>>,
    }

    fn error(bytes: &[u8]) -> String {
        let error = from_object_slice::<Body>(bytes).unwrap_err();
        assert_eq!(error.error_type, ErrorKind::InvalidParams);
        error.error
    }

    #[test]
    fn wrong_type_names_the_key() {
        assert_eq!(
            error(br#"{"roomId": 123}"#),
            "roomId: invalid type: integer `123`, expected a string [invalid-params]"
        );
        assert_eq!(
            error(br#"{"list": ["a", 5]}"#),
            "list[1]: invalid type: integer `5`, expected a string [invalid-params]"
        );
    }

    #[test]
    fn non_objects_are_refused() {
        assert_eq!(
            error(b"[1,2]"),
            "the request body must be a JSON object [invalid-params]"
        );
        assert_eq!(
            error(b"\"x\""),
            "the request body must be a JSON object [invalid-params]"
        );
        assert_eq!(error(b"  "), "the request body is empty [invalid-params]");
    }

    #[test]
    fn malformed_json_is_refused() {
        assert_eq!(
            error(br#"{"roomId": "#),
            "the request body is not valid JSON: EOF while parsing a value at line 1 column 11 [invalid-params]"
        );
        assert!(error(b"nope").starts_with("the request body is not valid JSON: expected"));
    }

    #[test]
    fn a_repeated_key_keeps_its_last_value_as_json_parse_does() {
        let body: Body =
            from_object_slice(br#"{"roomId": "a", "list": ["x"], "roomId": "b"}"#).unwrap();
        assert_eq!(body.room_id.as_deref(), Some("b"));
        assert_eq!(body.list, Some(vec!["x".to_owned()]));
        // The last value is still checked.
        assert_eq!(
            error(br#"{"roomId": "a", "roomId": 5}"#),
            "roomId: invalid type: integer `5`, expected a string [invalid-params]"
        );
    }

    #[test]
    fn trailing_garbage_is_refused() {
        assert!(error(br#"{"roomId": "a"} x"#).starts_with("the request body is not valid JSON"));
    }
}
