"""Drives our server with the Python `rocketchat-API` package, the most used Rocket.Chat client.

Usage: python rocketchat_api_interop.py URL ADMIN_USERNAME ADMIN_PASSWORD

Every step goes through the package's own methods, exactly as its users call them; a step that
raises or finds an unexpected value fails the run. Ends with a line "N passed, 0 failed".
"""

import sys
import uuid

from rocketchat_API.APIExceptions.RocketExceptions import RocketApiException
from rocketchat_API.rocketchat import RocketChat

url, admin_username, admin_password = sys.argv[1:4]
suffix = uuid.uuid4().hex[:8]
passed = 0


def check(label, condition, detail=""):
    global passed
    if not condition:
        print(f"FAIL {label}: {detail}")
        print(f"{passed} passed, 1 failed")
        sys.exit(1)
    passed += 1
    print(f"ok   {label}")


admin = RocketChat(admin_username, admin_password, server_url=url)
check("login sets the auth headers", admin.headers.get("X-Auth-Token") and admin.headers.get("X-User-Id"))

info = admin.info()
check("info answers a version", info.get("success") is True and info.get("version"), info)

me = admin.me()
check("me is the admin", me.get("username") == admin_username, me)

users = []
for index in range(4):
    username = f"py.user{index}.{suffix}"
    created = admin.users_create(
        email=f"{username}@example.com", name=f"Py User {index}", password="py-password", username=username
    )
    check(f"users.create {username}", created.get("success") is True and created["user"]["username"] == username, created)
    users.append(created["user"])

group = admin.groups_create(f"py-group-{suffix}")
check("groups.create", group.get("success") is True and group["group"]["t"] == "p", group)
room_id = group["group"]["_id"]
check("a new group has no messages", group["group"].get("msgs") == 0, group)

invited = admin.groups_invite(room_id, users[0]["_id"])
check("groups.invite by id", invited.get("success") is True and invited["group"]["_id"] == room_id, invited)
check("the invite wrote one system message", invited["group"]["msgs"] == 1, invited["group"])
check("the invite counted the member", invited["group"]["usersCount"] == 2, invited["group"])

bulk = admin.groups_invite(room_id, None, userIds=[users[1]["_id"], users[2]["_id"]])
check("groups.invite in bulk with userId None", bulk.get("success") is True, bulk)
check("bulk invite counted both members", bulk["group"]["usersCount"] == 4 and bulk["group"]["msgs"] == 3, bulk["group"])

again = admin.groups_invite(room_id, users[0]["_id"])
check("re-inviting a member is a no-op", again["group"]["usersCount"] == 4 and again["group"]["msgs"] == 3, again["group"])

by_name = admin.groups_invite(room_id, None, usernames=[users[3]["username"].upper()])
check("groups.invite by username ignores case", by_name["group"]["usersCount"] == 5, by_name["group"])

info = admin.groups_info(room_id=room_id)
check("groups.info by id", info["group"]["usersCount"] == 5 and info["group"]["msgs"] == 4, info["group"])
info = admin.groups_info(room_name=f"py-group-{suffix}")
check("groups.info by name", info["group"]["_id"] == room_id, info["group"])

members = sorted(member["username"] for member in admin.groups_members(room_id=room_id))
expected = sorted([admin_username] + [user["username"] for user in users])
check("groups.members pages through every member", members == expected, members)

history = list(admin.groups_history(room_id))
added = [message["msg"] for message in history if message.get("t") == "au"]
check("groups.history shows one au message per added user", sorted(added) == sorted(u["username"] for u in users), history)

moderator = admin.groups_add_moderator(room_id, users[0]["_id"])
check("groups.addModerator", moderator.get("success") is True, moderator)

try:
    admin.groups_invite("NoSuchGroupXXXXXX", users[0]["_id"])
    check("an unknown group is refused", False, "no exception")
except RocketApiException as error:
    check("an unknown group is refused with 400", error.status_code == 400, error.response)
    check("an unknown group is error-room-not-found", error.error_type == "error-room-not-found", error.response)

member = RocketChat(users[1]["username"], "py-password", server_url=url)
try:
    member.groups_invite(room_id, users[0]["_id"])
    check("a plain member may not invite", False, "no exception")
except RocketApiException as error:
    check("a plain member gets error-not-allowed", error.error_type == "error-not-allowed", error.response)
    check("the refusal names the method", error.response_json.get("details") == {"method": "addUsersToRoom"}, error.response)

admin.logout()
try:
    admin.me()
    check("a logged-out token is refused", False, "no exception")
except RocketApiException as error:
    check("a logged-out token gets 401", error.status_code == 401, error.response)
    check(
        "the 401 body is the modern four-key one",
        error.response_json == {
            "success": False,
            "error": "You must be logged in to do this.",
            "status": "error",
            "message": "You must be logged in to do this.",
        },
        error.response,
    )

print(f"{passed} passed, 0 failed")
