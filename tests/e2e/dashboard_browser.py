"""Driving the dashboard in a real headless Chromium (Debian's `chromium`, through Playwright):
signing in as a person would, reading what the page shows, and every console error the page
caused. Screenshots go to tests/e2e/artifacts/ (DASHBOARD_ARTIFACTS to put them elsewhere)."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Browser, ConsoleMessage, Page, Request

from .dashboard_world import DASHBOARD

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(os.environ.get("DASHBOARD_ARTIFACTS",
                                Path(__file__).resolve().parent / "artifacts"))
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
CHARTS = ("growth-chart", "engagement-chart", "popular-chart", "contributors-chart")


@dataclass
class Console:
    """What the browser reported as going wrong: console errors, uncaught exceptions
    (pageerror) and requests that never got an answer."""

    errors: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def on_request_failed(self, request: Request) -> None:
        # A page being left cancels its requests in flight (sign-out, a redirect): the
        # browser's own doing, not a failure anyone sees.
        if request.failure != "net::ERR_ABORTED":
            self.errors.append(f"request failed: {request.url} {request.failure}")

    def unexpected(self, *statuses: int) -> list[str]:
        """The errors beyond Chromium's note on each answer with one of `statuses` (a refusal
        the page asked for and showed as a sentence: SPEC's 403 and 412 are HTTP errors)."""
        allowed = re.compile(
            rf"Failed to load resource: the server responded with a status of "
            rf"({'|'.join(map(str, statuses)) or 'none'})\b")
        return [error for error in self.errors if not allowed.match(error)]


@contextmanager
def dashboard_tab(browser: Browser, viewport: dict[str, int] = DESKTOP,
                  time_zone: str = "Europe/Paris") -> Iterator[tuple[Page, Console]]:
    """A fresh browser context (own session storage) with one tab."""
    context = browser.new_context(viewport=viewport, timezone_id=time_zone,
                                  is_mobile=viewport == PHONE, has_touch=viewport == PHONE)
    page = context.new_page()
    console = Console()
    page.on("console", console.on_console)
    page.on("pageerror", lambda error: console.errors.append(f"uncaught: {error}"))
    page.on("requestfailed", console.on_request_failed)
    try:
        yield page, console
    finally:
        context.close()


def sign_in(page: Page, token: str, community_id: str, group_id: str = "") -> None:
    """The sign-in form, filled and sent with the keyboard."""
    page.goto(f"{DASHBOARD}/")
    page.get_by_label("Access token").fill(token)
    page.get_by_label("Community id").fill(community_id)
    if group_id:
        page.get_by_label("Group id").fill(group_id)
    page.get_by_label("Community id").press("Enter")
    page.wait_for_url(re.compile(rf"/communities/{re.escape(community_id)}"))


def shown(page: Page, selector: str, text: str, timeout_s: float) -> float:
    """Seconds until the element's text is `text` (a bounded poll of what the page shows)."""
    started = time.monotonic()
    page.locator(selector).filter(has_text=re.compile(rf"^{re.escape(text)}$")).wait_for(
        timeout=timeout_s * 1000)
    return time.monotonic() - started


def chart_points(page: Page) -> dict[str, list[int]]:
    """Per chart, the number of data points each of its series draws."""
    return page.evaluate("""(ids) => Object.fromEntries(ids.map((id) => [id,
        echarts.getInstanceByDom(document.getElementById(id)).getOption().series
          .map((series) => series.data.length)]))""", list(CHARTS))


def drawn_canvases(page: Page) -> dict[str, bool]:
    """Per chart, whether its canvas has a size and something painted on it."""
    return page.evaluate("""(ids) => Object.fromEntries(ids.map((id) => {
        const canvas = document.getElementById(id).querySelector("canvas");
        if (!canvas || !canvas.width || !canvas.height) return [id, false];
        const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i]) return [id, true];
        return [id, false];
      }))""", list(CHARTS))


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


def record(path: Path, line: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as out:
        out.write(line)
