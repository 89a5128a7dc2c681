"""ListPosts pages newest first and stays stable while posts arrive (1,000 posts, no
duplicates, no gaps). That its reads stay flat beside unrelated documents is a speed claim:
`make bench` measures it (P5)."""

from __future__ import annotations

import asyncio
import os

import pytest
from community.feed.v1 import feed_service_pb2 as api

from .conftest import Community, Feed

TOTAL = int(os.environ.get("FEED_PAGING_TOTAL", "1000"))


async def create_posts(
    feed: Feed, community: Community, author: str, bodies: list[str]
) -> list[str]:
    ids: list[str] = []
    for start in range(0, len(bodies), 4):
        batch = bodies[start : start + 4]  # a few at a time: they all claim the next slot
        responses = await asyncio.gather(
            *(
                feed.call(
                    "CreatePost",
                    api.CreatePostRequest(
                        community_id=community.id, body=b, consistency_token=community.token
                    ),
                    author,
                )
                for b in batch
            )
        )
        ids += [r.post.post_id for r in responses]
    return ids


@pytest.mark.timeout(900)  # 1,000 real CreatePosts; minutes on a busy shared FerretDB
async def test_paging_through_1000_posts_while_posts_arrive(feed: Feed) -> None:
    community = feed.community()
    author = community.owner
    created = await create_posts(feed, community, author, [f"post {n}" for n in range(TOTAL)])
    latest = []
    for n in range(3):  # one at a time, so their order is known
        latest += await create_posts(feed, community, author, [f"latest {n}"])

    seen: list[str] = []
    token = ""
    arrived: list[str] = []
    while True:
        request = api.ListPostsRequest(community_id=community.id, page_size=100, page_token=token)
        page = await feed.call("ListPosts", request, author)
        seen += [p.post_id for p in page.posts]
        arrived += await create_posts(
            feed, community, author, [f"arrived {len(seen)}.{k}" for k in range(5)]
        )
        if not page.next_page_token:
            break
        token = page.next_page_token

    assert len(seen) == len(set(seen)) == TOTAL + 3
    assert set(seen) == set(created) | set(latest)
    assert seen[:3] == latest[::-1]  # newest first
    assert not set(arrived) & set(seen)  # what arrived after the first page is not mixed in
    fresh = await feed.call(
        "ListPosts", api.ListPostsRequest(community_id=community.id, page_size=5), author
    )
    assert [p.post_id for p in fresh.posts] == arrived[::-1][: len(fresh.posts)] or set(
        p.post_id for p in fresh.posts
    ) <= set(arrived)
