//! Every valid fixture parses and serialises back to the same JSON; every invalid one is refused
//! with the error it documents; every lenient one resolves as Rocket.Chat resolves it.

use rocketchat_protocol::groups::invite::{LookupMode, RawRequest, Request};
use serde_json::Value;

use crate::support::{endpoint_dirs, json_files, parse_and_reserialize, read_json, stem};

#[test]
fn every_valid_fixture_round_trips() {
    let mut count = 0;
    for endpoint in endpoint_dirs() {
        for path in json_files(&endpoint) {
            let value = read_json(&path);
            let again = parse_and_reserialize(&endpoint, &path, &value);
            assert_eq!(
                again,
                value,
                "{} changed on the way through",
                path.display()
            );
            count += 1;
        }
    }
    assert!(count >= 40, "only {count} fixtures found");
}

#[test]
fn snapshot_of_every_parsed_fixture() {
    let root = crate::support::fixtures_dir();
    insta::glob!(root, "*/*.json", |path| {
        let endpoint = path
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap();
        let value = read_json(path);
        insta::assert_json_snapshot!(parse_and_reserialize(endpoint, path, &value));
    });
}

/// Resolves a raw body as a server does: the room first, then the users.
fn resolve(body: &Value) -> Result<(String, LookupMode, Vec<String>), Value> {
    let to_value = |error| serde_json::to_value(error).unwrap();
    let raw = RawRequest::from_json(body.to_string().as_bytes()).map_err(to_value)?;
    let room = raw.room().map_err(to_value)?.to_owned();
    let users = raw.invitees().map_err(to_value)?;
    Ok((room, users.mode, users.entries))
}

#[test]
fn every_invalid_body_is_refused_with_its_documented_error() {
    let files = json_files("groups.invite/invalid");
    assert!(files.len() >= 10);
    for path in files {
        let case = read_json(&path);
        let error = resolve(&case["body"]).expect_err(stem(&path));
        assert_eq!(error, case["response"], "{}", path.display());
        assert!(
            serde_json::from_value::<Request>(case["body"].clone()).is_err(),
            "{}: the strict request accepted it",
            path.display()
        );
    }
}

#[test]
fn every_lenient_body_resolves_as_rocket_chat_does() {
    let files = json_files("groups.invite/lenient");
    assert!(files.len() >= 10);
    for path in files {
        let case = read_json(&path);
        let (room, mode, users) = resolve(&case["body"])
            .unwrap_or_else(|error| panic!("{}: refused with {error}", path.display()));
        let mode = match mode {
            LookupMode::Ids => "ids",
            LookupMode::Usernames => "usernames",
        };
        assert_eq!(room, case["room"], "{}", path.display());
        assert_eq!(mode, case["mode"], "{}", path.display());
        assert_eq!(Value::from(users), case["users"], "{}", path.display());
    }
}

#[test]
fn documented_requests_resolve_to_what_they_say() {
    let body = read_json(
        &crate::support::fixtures_dir().join("groups.invite/request-invite-by-names.json"),
    );
    assert_eq!(
        resolve(&body).unwrap(),
        (
            "private-abc".to_owned(),
            LookupMode::Usernames,
            vec!["john.doe".to_owned()]
        )
    );
}
