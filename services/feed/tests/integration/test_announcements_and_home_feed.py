"""Announcements reach the whole community or the chosen groups' members (decided when read);
the home feed merges the caller's communities, groups and announcements, newest first."""

from __future__ import annotations

import grpc
from community.feed.v1 import feed_service_pb2 as api
from community.membership.v1.types_pb2 import Role
from community_contracts import reasons

from .conftest import Community, Feed, refusal


async def announce(
    feed: Feed, community: Community, user: str, body: str, groups: tuple[str, ...] = ()
) -> api.Announcement:
    request = api.PublishAnnouncementRequest(
        community_id=community.id, group_ids=groups, body=body, consistency_token=community.token
    )
    return (await feed.call("PublishAnnouncement", request, user)).announcement


async def home(
    feed: Feed, user: str, page_size: int = 50, token: str = ""
) -> api.GetHomeFeedResponse:
    return await feed.call(
        "GetHomeFeed", api.GetHomeFeedRequest(page_size=page_size, page_token=token), user
    )


def bodies(response: api.GetHomeFeedResponse) -> list[str]:
    return [
        item.post.body if item.HasField("post") else "A:" + item.announcement.body
        for item in response.items
    ]


async def test_only_admins_and_above_announce(feed: Feed) -> None:
    community = feed.community()
    bob, mod = feed.ids("bob"), feed.ids("mod")
    community.join(bob)
    community.join(mod)
    community.set_role(mod, Role.ROLE_MODERATOR)
    for user in (bob, mod):
        assert await refusal(announce(feed, community, user, "no")) == (
            grpc.StatusCode.PERMISSION_DENIED,
            reasons.ROLE_REQUIRED,
        )
    assert await refusal(announce(feed, community, community.owner, "x", ("no-such-group",))) == (
        grpc.StatusCode.NOT_FOUND,
        reasons.GROUP_NOT_FOUND,
    )
    published = await announce(feed, community, community.owner, "welcome")
    assert (published.author_id, list(published.group_ids)) == (community.owner, [])
    platform_admin = feed.ids("platform")
    request = api.PublishAnnouncementRequest(community_id=community.id, body="from the platform")
    response = await feed.call("PublishAnnouncement", request, platform_admin, platform_admin=True)
    assert response.announcement.body == "from the platform"
    assert await refusal(
        feed.call(
            "PublishAnnouncement",
            api.PublishAnnouncementRequest(community_id=community.id, body=""),
            community.owner,
        )
    ) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        reasons.INVALID_ARGUMENT,
    )


async def test_targeted_announcements_reach_group_members_even_those_who_join_later(
    feed: Feed,
) -> None:
    community = feed.community()
    bus, grade = feed.ids("bus"), feed.ids("grade")
    rider, pupil, later = feed.ids("rider"), feed.ids("pupil"), feed.ids("later")
    for user in (rider, pupil, later):
        community.join(user)
    community.group(bus, community.owner)
    community.group(grade, community.owner)
    community.join_group(bus, rider)
    community.join_group(grade, pupil)
    await announce(feed, community, community.owner, "everyone")
    await announce(feed, community, community.owner, "bus leaves early", (bus,))
    assert bodies(await home(feed, rider)) == ["A:bus leaves early", "A:everyone"]
    assert bodies(await home(feed, pupil)) == ["A:everyone"]
    assert bodies(await home(feed, later)) == ["A:everyone"]
    community.join_group(bus, later)
    token = community.token
    response = await feed.call(
        "GetHomeFeed", api.GetHomeFeedRequest(consistency_token=token), later
    )
    assert bodies(response) == ["A:bus leaves early", "A:everyone"]


async def test_home_feed_merges_communities_groups_and_announcements_newest_first(
    feed: Feed,
) -> None:
    chess, school = feed.community(), feed.community()
    alice = feed.ids("alice")
    chess.join(alice)
    school.join(alice)
    group = feed.ids("g")
    school.group(group, school.owner)
    school.join_group(group, alice)
    other = feed.ids("other")  # a group alice is not in: its posts stay out of her feed
    school.group(other, school.owner)

    async def write(community: Community, user: str, body: str, group_id: str = "") -> None:
        request = api.CreatePostRequest(
            community_id=community.id,
            group_id=group_id,
            body=body,
            consistency_token=community.token,
        )
        await feed.call("CreatePost", request, user)

    await write(chess, chess.owner, "chess 1")
    await write(school, school.owner, "school 1")
    await write(school, alice, "group 1", group)
    await announce(feed, school, school.owner, "school news")
    await write(school, school.owner, "hidden group post", other)
    await write(chess, alice, "chess 2")
    expected = ["chess 2", "A:school news", "group 1", "school 1", "chess 1"]
    assert bodies(await home(feed, alice)) == expected

    # Paged two at a time, with posts arriving in between: the same items, once each.
    seen: list[str] = []
    token = ""
    while True:
        page = await home(feed, alice, page_size=2, token=token)
        seen += bodies(page)
        await write(chess, chess.owner, f"arrived after page {len(seen)}")
        if not page.next_page_token:
            break
        token = page.next_page_token
    assert seen == expected
    stranger = feed.ids("stranger")
    assert (await home(feed, stranger)).items == []
    assert await refusal(home(feed, stranger, token="bogus")) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        reasons.INVALID_PAGE_TOKEN,
    )
