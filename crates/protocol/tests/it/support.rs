//! Reading `fixtures/` and mapping each file to the wire type it shows.

use std::path::{Path, PathBuf};

use rocketchat_protocol::{
    Error, ErrorBody, groups, info, login, logout, me, schema::WireType, users,
};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;

/// The workspace's `fixtures/` folder.
pub(crate) fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// Every `*.json` file directly inside `dir` (relative to `fixtures/`), sorted.
pub(crate) fn json_files(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(fixtures_dir().join(dir))
        .unwrap_or_else(|error| panic!("fixtures/{dir}: {error}"))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
}

/// The endpoint folders: every folder of `fixtures/` but `errors`.
pub(crate) fn endpoint_dirs() -> Vec<String> {
    let mut dirs: Vec<String> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|entry| entry.unwrap())
        .filter(|entry| entry.file_type().unwrap().is_dir())
        .map(|entry| entry.file_name().into_string().unwrap())
        .collect();
    dirs.sort();
    dirs
}

pub(crate) fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

pub(crate) fn stem(path: &Path) -> &str {
    path.file_stem().unwrap().to_str().unwrap()
}

/// What a fixture file shows, read from its name.
#[derive(Debug)]
pub(crate) enum Kind {
    Request,
    Response,
    /// An error body and the HTTP status it is sent with.
    Error(u16),
}

pub(crate) fn kind(path: &Path) -> Kind {
    let stem = stem(path);
    if stem.starts_with("request") {
        Kind::Request
    } else if stem.starts_with("response-") {
        Kind::Response
    } else if let Some(rest) = stem.strip_prefix("error-") {
        let status = rest
            .split('-')
            .next()
            .unwrap()
            .parse()
            .expect("error-<status>-..");
        Kind::Error(status)
    } else {
        panic!("{}: name does not say what the file shows", path.display())
    }
}

fn reserialize<T: DeserializeOwned + Serialize>(value: &Value) -> Result<Value, String> {
    let typed: T = serde_json::from_value(value.clone()).map_err(|error| error.to_string())?;
    Ok(serde_json::to_value(&typed).unwrap())
}

/// Parses `value` as the type the fixture shows and serialises it back.
pub(crate) fn parse_and_reserialize(endpoint: &str, path: &Path, value: &Value) -> Value {
    let result = match kind(path) {
        Kind::Error(status) => {
            let error = Error::from_http(status, value.to_string().as_bytes());
            assert!(
                !matches!(error.body, ErrorBody::Json(_) | ErrorBody::NotJson(_)),
                "{}: not read as a known error shape: {error:?}",
                path.display()
            );
            assert_eq!(error.status, status);
            Ok(serde_json::to_value(&error.body).unwrap())
        }
        Kind::Request => match endpoint {
            "groups.invite" => reserialize::<groups::invite::Request>(value),
            "groups.create" => reserialize::<groups::create::Request>(value),
            "groups.addModerator" => reserialize::<groups::add_moderator::Request>(value),
            "groups.removeModerator" => reserialize::<groups::remove_moderator::Request>(value),
            "groups.addOwner" => reserialize::<groups::add_owner::Request>(value),
            "groups.removeOwner" => reserialize::<groups::remove_owner::Request>(value),
            "groups.kick" => reserialize::<groups::kick::Request>(value),
            "groups.leave" => reserialize::<groups::leave::Request>(value),
            "groups.delete" => reserialize::<groups::delete::Request>(value),
            "login" => reserialize::<login::Request>(value),
            "users.create" => reserialize::<users::create::Request>(value),
            other => panic!("no request type for {other}"),
        },
        Kind::Response => match endpoint {
            "groups.invite" => reserialize::<groups::invite::Response>(value),
            "groups.create" => reserialize::<groups::create::Response>(value),
            "groups.info" => reserialize::<groups::info::Response>(value),
            "groups.members" => reserialize::<groups::members::Response>(value),
            "groups.history" => reserialize::<groups::history::Response>(value),
            "groups.roles" => reserialize::<groups::roles::Response>(value),
            "groups.list" => reserialize::<groups::list::Response>(value),
            "groups.listAll" => reserialize::<groups::list_all::Response>(value),
            "groups.addModerator" => reserialize::<groups::add_moderator::Response>(value),
            "groups.removeModerator" => reserialize::<groups::remove_moderator::Response>(value),
            "groups.addOwner" => reserialize::<groups::add_owner::Response>(value),
            "groups.removeOwner" => reserialize::<groups::remove_owner::Response>(value),
            "groups.kick" => reserialize::<groups::kick::Response>(value),
            "groups.leave" => reserialize::<groups::leave::Response>(value),
            "groups.delete" => reserialize::<groups::delete::Response>(value),
            "info" => reserialize::<info::Response>(value),
            "login" => reserialize::<login::Response>(value),
            "logout" => reserialize::<logout::Response>(value),
            "me" => reserialize::<me::Response>(value),
            "users.create" => reserialize::<users::create::Response>(value),
            "users.info" => reserialize::<users::info::Response>(value),
            other => panic!("no response type for {other}"),
        },
    };
    result.unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// The wire type whose schema a fixture must satisfy.
pub(crate) fn wire_type(endpoint: &str, path: &Path) -> WireType {
    let (endpoint, type_name) = match kind(path) {
        Kind::Request => (endpoint, "Request"),
        Kind::Response => (endpoint, "Response"),
        Kind::Error(_) => ("common", "ErrorBody"),
    };
    rocketchat_protocol::schema::get(endpoint, type_name)
        .unwrap_or_else(|| panic!("no schema for {endpoint}.{type_name}"))
}
