//! The generated schemas and serde agree: every valid fixture validates against its schema and
//! every invalid one is refused by both.

use rocketchat_protocol::{groups::invite::Request, schema};
use serde_json::Value;

use crate::support::{endpoint_dirs, json_files, read_json, wire_type};

fn validator(wire: &schema::WireType) -> jsonschema::Validator {
    let schema = wire.schema().to_value();
    jsonschema::validator_for(&schema)
        .unwrap_or_else(|error| panic!("{}: invalid schema: {error}", wire.file_name()))
}

fn errors(validator: &jsonschema::Validator, value: &Value) -> Vec<String> {
    validator
        .iter_errors(value)
        .map(|error| error.to_string())
        .collect()
}

#[test]
fn every_valid_fixture_validates_against_its_schema() {
    for endpoint in endpoint_dirs() {
        for path in json_files(&endpoint) {
            let wire = wire_type(&endpoint, &path);
            let problems = errors(&validator(&wire), &read_json(&path));
            assert!(
                problems.is_empty(),
                "{} against {}: {problems:?}",
                path.display(),
                wire.file_name()
            );
        }
    }
}

#[test]
fn every_invalid_body_is_refused_by_schema_and_serde() {
    let strict = validator(&schema::get("groups.invite", "Request").unwrap());
    for path in json_files("groups.invite/invalid") {
        let body = &read_json(&path)["body"];
        assert!(
            !strict.is_valid(body),
            "{}: the schema accepted it",
            path.display()
        );
        let serde = serde_json::from_value::<Request>(body.clone());
        assert!(serde.is_err(), "{}: serde accepted it", path.display());
    }
}

#[test]
fn every_lenient_body_fits_the_raw_schema() {
    let raw = validator(&schema::get("groups.invite", "RawRequest").unwrap());
    for path in json_files("groups.invite/lenient") {
        let body = &read_json(&path)["body"];
        assert!(
            raw.is_valid(body),
            "{}: {:?}",
            path.display(),
            errors(&raw, body)
        );
    }
}

/// The cases where the strict schema and the strict deserialiser could drift apart: for each,
/// both must give the same verdict.
#[test]
fn strict_schema_and_serde_agree_on_edge_cases() {
    let strict = validator(&schema::get("groups.invite", "Request").unwrap());
    let cases = [
        (r#"{"roomId": "r", "userId": null, "userIds": ["a"]}"#, true),
        (
            r#"{"roomId": "r", "roomName": null, "username": "a"}"#,
            true,
        ),
        (r#"{"roomId": "r", "unknown": 1, "username": "a"}"#, true),
        (r#"{"roomId": "r", "roomName": "n", "userId": "u"}"#, false),
        (
            r#"{"roomId": "r", "userId": "u", "usernames": ["a"]}"#,
            false,
        ),
        (r#"{"roomId": "r", "usernames": ["a", ""]}"#, false),
        (r#"{"roomId": "r", "usernames": ["a", null]}"#, false),
        (r#"{"roomId": "r", "userIds": []}"#, false),
        (r#"{"roomId": " ", "userId": "u"}"#, false),
        (r#"{"roomId": 5, "userId": "u"}"#, false),
        (r#"{"roomName": "n", "user": "u"}"#, false),
        (r#"[]"#, false),
    ];
    for (body, valid) in cases {
        let value: Value = serde_json::from_str(body).unwrap();
        assert_eq!(strict.is_valid(&value), valid, "schema on {body}");
        assert_eq!(
            serde_json::from_value::<Request>(value).is_ok(),
            valid,
            "serde on {body}"
        );
    }
}

#[test]
fn snapshot_of_every_schema() {
    for wire in schema::wire_types() {
        let name = wire.file_name();
        insta::assert_json_snapshot!(name.trim_end_matches(".json"), wire.schema().to_value());
    }
}
