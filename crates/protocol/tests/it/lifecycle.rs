//! The fixtures of the membership routes (kick, leave, room roles, delete), of the group lists
//! and of users.info: what the protocol's readers and constructors make of them.

use rocketchat_protocol::{
    ApiError, PlainError, RoomSelector, Success,
    groups::{self, MemberRawRequest, RoomRawRequest, UserSelector},
    query::Sort,
    users::info::{InfoQueryError, Query},
};
use serde::Serialize;
use serde_json::Value;

use crate::support::{fixtures_dir, json_files, read_json};

fn fixture(path: &str) -> Value {
    read_json(&fixtures_dir().join(path))
}

fn json(value: impl Serialize) -> Value {
    serde_json::to_value(value).unwrap()
}

/// Rocket.Chat documents a `group` object in these answers but sends `{"success": true}` alone;
/// a client reading the documented body still sees a success.
#[test]
fn documented_answers_that_are_not_sent_still_read_as_success() {
    let kick = json_files("groups.kick/not-sent");
    let leave = json_files("groups.leave/not-sent");
    assert_eq!((kick.len(), leave.len()), (1, 1));
    for path in &kick {
        let answer: groups::kick::Response = serde_json::from_value(read_json(path)).unwrap();
        assert_eq!(answer, Success::new(), "{}", path.display());
    }
    for path in &leave {
        let answer: groups::leave::Response = serde_json::from_value(read_json(path)).unwrap();
        assert_eq!(answer, Success::new(), "{}", path.display());
    }
}

#[test]
fn member_request_fixtures_name_the_group_and_the_user() {
    for (route, user_id) in [
        ("groups.kick", "nSYqWzZ4GsKTX4dyK"),
        ("groups.removeModerator", "oCHkav5Zf6vmpu2W2"),
        ("groups.addOwner", "nSYqWzZ4GsKTX4dyK"),
        ("groups.removeOwner", "oCHkav5Zf6vmpu2W2"),
    ] {
        let body = fixture(&format!("{route}/request.json")).to_string();
        let raw = MemberRawRequest::from_json(body.as_bytes()).unwrap();
        assert_eq!(
            raw.room().unwrap(),
            RoomSelector::id("ByehQjC44FwMeiLbX"),
            "{route}"
        );
        assert_eq!(raw.user().unwrap(), UserSelector::id(user_id), "{route}");
    }
    for route in ["groups.leave", "groups.delete"] {
        let body = fixture(&format!("{route}/request.json")).to_string();
        let raw = RoomRawRequest::from_json(body.as_bytes()).unwrap();
        assert_eq!(
            raw.room().unwrap(),
            RoomSelector::id("ByehQjC44FwMeiLbX"),
            "{route}"
        );
    }
}

#[test]
fn the_constructors_build_the_error_fixtures() {
    let cases = [
        (
            "groups.kick/error-400-not-allowed.json",
            json(ApiError::not_allowed("removeUserFromRoom")),
        ),
        (
            "groups.kick/error-400-you-are-last-owner.json",
            json(ApiError::you_are_last_owner("removeUserFromRoom")),
        ),
        (
            "groups.leave/error-400-you-are-last-owner.json",
            json(ApiError::you_are_last_owner("leaveRoom")),
        ),
        (
            "groups.leave/error-400-room-param-not-provided.json",
            json(ApiError::room_param_not_provided()),
        ),
        (
            "groups.removeModerator/error-400-user-param-not-provided.json",
            json(ApiError::user_param_not_provided()),
        ),
        (
            "groups.addOwner/error-400-room-not-found.json",
            json(ApiError::room_not_found()),
        ),
        (
            "groups.delete/error-400-not-allowed.json",
            json(ApiError::not_allowed("eraseRoom")),
        ),
        (
            "groups.list/error-400-invalid-sort.json",
            json(Sort::parse(r#"{"name":"asc"}"#).unwrap_err()),
        ),
        (
            "groups.listAll/error-403.json",
            json(PlainError::permission_required()),
        ),
        (
            "users.info/error-400-user-not-found.json",
            json(PlainError::user_not_found()),
        ),
    ];
    for (path, built) in cases {
        assert_eq!(built, fixture(path), "{path}");
    }
}

#[test]
fn users_info_query_errors_are_the_fixtures() {
    let no_key = Query::from_pairs([("includeUserRooms", "true")]).unwrap_err();
    let InfoQueryError::Invalid(error) = &no_key else {
        panic!("{no_key:?}")
    };
    assert_eq!(
        json(error),
        fixture("users.info/error-400-invalid-params.json")
    );
    let empty = Query::from_pairs([("username", "")]).unwrap_err();
    assert_eq!(
        json(empty.into_body()),
        fixture("users.info/error-400-invalid-search-query.json")
    );
}

#[test]
fn users_info_answers_say_whether_every_field_is_there() {
    let read = |path: &str| -> rocketchat_protocol::users::info::Response {
        serde_json::from_value(fixture(path)).unwrap()
    };
    let own = read("users.info/response-200-self.json");
    assert_eq!(own.user.can_view_all_info, Some(true));
    assert!(own.user.emails.is_some() && own.user.roles.is_some());
    let other = read("users.info/response-200-other.json");
    assert_eq!(other.user.can_view_all_info, Some(false));
    assert!(other.user.emails.is_none() && other.user.roles.is_none());
    let documented = read("users.info/response-200-documented.json");
    assert_eq!(documented.user.can_view_all_info, Some(true));
}

#[test]
fn a_constructed_list_counts_its_page() {
    let page: groups::list::Response =
        serde_json::from_value(fixture("groups.list/response-200.json")).unwrap();
    let rebuilt = groups::list::Response::new(page.groups.clone(), page.offset, page.total);
    assert_eq!(rebuilt, page);
}
