"""The dashboard's longer browser tour (`make test-dashboard`; `make test` runs the short
tests in test_dashboard_browser.py): the keyboard alone signs in and reaches every control,
the range, time-zone and group selectors change what is drawn, the as-of date, a reload keeps
the selection, sign-out forgets the token and an expired token leads back to sign-in."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from community_common.auth import mint_token
from playwright.sync_api import sync_playwright

from .dashboard_browser import CHROMIUM, DASHBOARD, chart_points, dashboard_tab, shown, sign_in

pytestmark = pytest.mark.skipif(not os.environ.get("DASHBOARD_TOUR"),
                                reason="the long browser tour runs in `make test-dashboard`")


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield browser
        finally:
            browser.close()


def test_the_keyboard_alone_signs_in_and_reaches_every_control(platform, browser,
                                                                big_community):
    world = big_community
    with dashboard_tab(browser) as (page, console):
        page.goto(f"{DASHBOARD}/?community={world.community_id}")
        # The community is filled in from the link: the token field has the focus.
        assert page.evaluate("document.activeElement.id") == "token"
        page.keyboard.type(mint_token(platform.secret, world.owner.user_id))
        page.keyboard.press("Enter")
        shown(page, "#member-count", "51", timeout_s=10)

        reached = []
        for _ in range(12):
            page.keyboard.press("Tab")
            reached.append(page.evaluate("document.activeElement.id || "
                                         "document.activeElement.textContent.trim()"))
        controls = ["Skip to the figures", "sign-out", "range", "time-zone", "group",
                    "as-of-date"]
        assert reached[:len(controls)] == controls
        assert "growth-table-summary" in reached  # a chart's table opens from the keyboard
        # A table of a chart opens from the keyboard.
        page.locator("#growth-table-summary").focus()
        page.keyboard.press("Enter")
        assert page.locator("#growth-table").is_visible()
        # The range changes from the keyboard too.
        page.locator("#range").focus()
        page.keyboard.press("ArrowUp")
        page.wait_for_function("document.querySelector('#range').value === '7'")
        page.wait_for_function("""() => echarts.getInstanceByDom(
            document.getElementById('growth-chart')).getOption().series[0].data.length === 7""")
        assert console.errors == []


def test_selectors_change_what_is_drawn_and_survive_a_reload(platform, browser, big_community):
    world = big_community
    with dashboard_tab(browser, time_zone="America/New_York") as (page, console):
        sign_in(page, mint_token(platform.secret, world.owner.user_id), world.community_id)
        shown(page, "#member-count", "51", timeout_s=10)
        assert page.locator("#time-zone").input_value() == "America/New_York"

        for days in ("7", "60", "28"):
            page.locator("#range").select_option(days)
            page.wait_for_function(f"""() => echarts.getInstanceByDom(
                document.getElementById('engagement-chart')).getOption().series
                .every((s) => s.data.length === {days})""")
        page.locator("#range").select_option("7")
        page.locator("#time-zone").select_option("Australia/Adelaide")
        shown(page, ".zone-name", "Australia/Adelaide", timeout_s=10)
        assert "time_zone=Australia%2FAdelaide" in page.url and "range_days=7" in page.url
        page.reload()
        shown(page, "#member-count", "51", timeout_s=10)
        assert chart_points(page)["growth-chart"] == [7, 7, 7]
        assert page.locator("#time-zone").input_value() == "Australia/Adelaide"

        # The group selector lists the community's groups; this one has one member.
        page.wait_for_function(
            "document.querySelector('#group').options.length > 1")
        page.locator("#group").select_option(world.group_id)
        shown(page, "#refusal",
              "Insights appear once this group has more than 50 members (now: 1)",
              timeout_s=10)
        page.locator("#group").select_option("")
        shown(page, "#member-count", "51", timeout_s=10)
        assert page.locator("#refusal").is_hidden()

        as_of = page.locator("#as-of-date")
        assert as_of.is_enabled() and as_of.get_attribute("max")
        # A week ago the community (made today) had no members yet.
        week_ago = (datetime.now(ZoneInfo("Australia/Adelaide")) - timedelta(days=7)).date()
        as_of.fill(week_ago.isoformat())
        shown(page, "#refusal", "Insights appear once this community has more than 50 "
              f"members (at the end of {week_ago.isoformat()}: 0)", timeout_s=10)
        assert f"as_of_date={week_ago.isoformat()}" in page.url
        as_of.fill("")
        shown(page, "#member-count", "51", timeout_s=10)
        assert console.unexpected(412) == []


def test_sign_out_forgets_the_token_and_an_expired_one_leads_to_sign_in(platform, browser,
                                                                         big_community):
    world = big_community
    with dashboard_tab(browser) as (page, console):
        sign_in(page, mint_token(platform.secret, world.owner.user_id), world.community_id)
        shown(page, "#member-count", "51", timeout_s=10)
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(f"{DASHBOARD}/?community={world.community_id}")
        assert page.evaluate("sessionStorage.getItem('insights.token')") is None
        assert page.get_by_label("Community id").input_value() == world.community_id
        page.goto(f"{DASHBOARD}/communities/{world.community_id}")
        page.wait_for_url(f"{DASHBOARD}/?community={world.community_id}")

        sign_in(page, mint_token(platform.secret, world.owner.user_id, ttl=-120),
                world.community_id)
        page.wait_for_url(f"{DASHBOARD}/?community={world.community_id}&expired=1")
        shown(page, "#sign-in-error", "Your sign-in has expired or is not valid. Sign in again.",
              timeout_s=10)
        assert console.unexpected(401) == []
