"""The preview page in a real headless Chromium: what a reviewer sees, and what it must not do.

Screenshots land in ``artifacts/screenshots/`` (git-ignored) for people to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from msgspec_dd.config import default_config
from msgspec_dd.preview import PreviewItem, render_page
from msgspec_dd.preview.build import build_items
from tests.browser import ImageServer, PageOpener, browser, image_server, open_html, screenshot
from tests.preview.test_message import XSS, samples

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

__all__ = ["browser", "image_server", "open_html"]  # fixtures, used by name

pytestmark = pytest.mark.browser


@pytest.fixture
def preview_file(tmp_path: Path, image_server: ImageServer) -> Iterator[Path]:
    path = tmp_path / "preview.html"
    path.write_text(render_page(samples(image_server.base)), encoding="utf-8")
    yield path


def _item(page: Page, label: str) -> Locator:
    return page.locator(f'[data-testid="item"][data-label="{label}"]')


def _box(locator: Locator) -> dict[str, float]:
    box = locator.bounding_box()
    assert box is not None, "element is not visible"
    return {"x": box["x"], "y": box["y"], "width": box["width"], "height": box["height"]}


def test_page_renders_every_message_type(
    open_html: PageOpener, preview_file: Path, image_server: ImageServer
) -> None:
    opened = open_html(preview_file, allowed_prefixes=(image_server.base + "/",))
    page = opened.page
    path = screenshot(opened, "preview-page")
    assert path.stat().st_size > 10_000

    assert page.locator("h1").first.inner_text() == (
        "Preview — an approximation of the DingTalk client"
    )
    assert page.get_by_text("预览 — 近似钉钉客户端显示").is_visible()
    assert page.locator('[data-testid="item"]').count() == len(samples())
    assert page.locator('[data-testid="bubble"]').count() == len(samples())

    weather = _item(page, "messages/weather.yaml")
    assert weather.locator('[data-testid="bubble"] h4').inner_text().startswith("杭州天气")
    assert weather.locator('[data-testid="bubble"] h6').count() == 1
    assert weather.locator("blockquote").count() == 3
    assert weather.locator('[data-testid="sender"]').inner_text() == "ops"
    assert weather.locator('[data-testid="chatlist-title"]').inner_text() == "[杭州天气]"

    report = _item(page, "messages/weekly.yaml")
    assert report.locator('[data-testid="bubble"] h2').inner_text() == "周报 · 第 48 周"
    assert report.locator('[data-testid="bubble"] ul > li').count() == 2
    assert report.locator('[data-testid="bubble"] ol > li').count() == 2
    red = report.locator("font").evaluate("element => getComputedStyle(element).color")
    assert red == "rgb(255, 0, 0)"
    assert report.locator('[data-testid="mention"]').inner_text() == "@13800000000"
    assert report.locator('[data-testid="problems"] li').count() == 1

    standup = _item(page, "messages/standup.yaml")
    mentions = standup.locator('[data-testid="mention"]').all_inner_texts()
    assert mentions == ["@13800000000", "@所有人"]
    bubble_text = standup.locator('[data-testid="bubble"]').inner_text()
    assert "开始 @13800000000\n议程见" in bubble_text  # the text message keeps its line break


def test_images_load_from_the_messages_own_urls(
    open_html: PageOpener, preview_file: Path, image_server: ImageServer
) -> None:
    opened = open_html(preview_file, allowed_prefixes=(image_server.base + "/",))
    images = opened.page.locator("img")
    assert images.count() == 6  # weather, card, link, feed hero, 2 feed thumbs; not the XSS img
    for index in range(images.count()):
        loaded = images.nth(index).evaluate("image => image.complete && image.naturalWidth > 0")
        assert loaded, images.nth(index).get_attribute("src")
    assert set(image_server.requests) == {
        "/weather.png",
        "/link.png",
        "/card.png",
        "/feed1.png",
        "/feed2.png",
        "/feed3.png",
    }


def test_buttons_follow_btn_orientation(
    open_html: PageOpener, preview_file: Path, image_server: ImageServer
) -> None:
    opened = open_html(preview_file, allowed_prefixes=(image_server.base + "/",))
    page = opened.page

    vertical = _item(page, "messages/vote.yaml").locator('[data-testid="btn"]')
    assert vertical.all_inner_texts() == ["爬山", "桌游", "都行"]
    boxes = [_box(vertical.nth(i)) for i in range(3)]
    assert boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"]
    assert boxes[0]["x"] == boxes[1]["x"] == boxes[2]["x"]
    assert vertical.first.evaluate("b => getComputedStyle(b).color") == "rgb(50, 150, 250)"

    approve = _item(page, "messages/approve.yaml")
    horizontal = approve.locator('[data-testid="btn"]')
    left, right = _box(horizontal.nth(0)), _box(horizontal.nth(1))
    assert left["y"] == right["y"]
    assert left["x"] + left["width"] <= right["x"] + 1
    assert approve.locator('[data-testid="avatar"]').count() == 0  # hideAvatar "1"
    screenshot_element(approve, "preview-actioncard-horizontal")

    single = _item(page, "messages/single.yaml")
    assert single.locator('[data-testid="btn"]').count() == 1
    assert single.locator('[data-testid="avatar"]').is_visible()
    screenshot_element(single, "preview-actioncard-single")


def test_link_and_feed_cards(
    open_html: PageOpener, preview_file: Path, image_server: ImageServer
) -> None:
    opened = open_html(preview_file, allowed_prefixes=(image_server.base + "/",))
    page = opened.page

    link = _item(page, "messages/release.yaml")
    card = link.locator('[data-testid="link-card"]')
    assert card.get_attribute("href") == "https://www.dingtalk.com/s?__biz=MzA4NjMwMTA2Ng=="
    assert link.locator('[data-testid="link-title"]').inner_text() == "时代的火车向前开"
    title, pic = (
        _box(link.locator('[data-testid="link-title"]')),
        _box(link.locator('[data-testid="link-pic"]')),
    )
    assert pic["y"] > title["y"]  # the picture sits beside the text, under the title
    screenshot_element(link, "preview-link")

    feed = _item(page, "messages/digest.yaml")
    hero = _box(feed.locator('[data-testid="feed-hero-pic"]'))
    rows = feed.locator('[data-testid="feed-row"]')
    assert rows.count() == 2
    thumb = _box(rows.nth(0).locator('[data-testid="feed-thumb"]'))
    assert hero["width"] > 3 * thumb["width"]
    assert _box(rows.nth(0))["y"] >= hero["y"] + hero["height"] - 1
    screenshot_element(feed, "preview-feedcard")


def test_unsupported_markdown_stays_plain_text(
    open_html: PageOpener, preview_file: Path, image_server: ImageServer
) -> None:
    opened = open_html(preview_file, allowed_prefixes=(image_server.base + "/",))
    report = _item(opened.page, "messages/weekly.yaml")
    assert opened.page.locator("table").count() == 0
    assert "| 项目 | 状态 |" in report.locator('[data-testid="bubble"]').inner_text()
    screenshot_element(report, "preview-markdown")


def test_no_request_but_the_messages_images(open_html: PageOpener, tmp_path: Path) -> None:
    path = tmp_path / "external.html"
    path.write_text(render_page(samples("https://img.example.com")), encoding="utf-8")
    opened = open_html(path)  # nothing allowed: every request is recorded and blocked
    opened.page.wait_for_load_state("networkidle")
    others = [url for url in opened.requests if url != path.resolve().as_uri()]
    assert others, "the messages' images should have been requested"
    assert all(url.startswith("https://img.example.com/") for url in others), others
    assert sorted(set(opened.blocked)) == sorted(set(others))


def test_script_in_a_message_never_runs(open_html: PageOpener, tmp_path: Path) -> None:
    items = [
        PreviewItem(XSS, {"msgtype": "text", "text": {"content": XSS}}, robot=XSS),
        PreviewItem(
            "markdown",
            {
                "msgtype": "markdown",
                "markdown": {
                    "title": XSS,
                    "text": f"{XSS}\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))",
                },
            },
        ),
        *samples("https://img.example.com")[-2:],
    ]
    path = tmp_path / "xss.html"
    path.write_text(render_page(items), encoding="utf-8")
    opened = open_html(path)
    page = opened.page
    page.locator("a.dd-link-blocked").first.click()
    page.wait_for_timeout(200)
    assert opened.dialogs == []
    assert page.evaluate("document.scripts.length") == 0
    assert page.locator("img").count() == 0
    assert XSS in page.locator('[data-testid="bubble"]').first.inner_text()
    assert page.url == path.resolve().as_uri()  # the javascript: link went nowhere


def test_the_repositorys_own_messages(open_html: PageOpener, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # From the repository root, as users run it: the labels (and docs/preview.png, taken from
    # this screenshot) show paths relative to the repository.
    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    items = build_items([Path("messages")], config=default_config())
    assert items, "messages/ should hold example messages"
    path = tmp_path / "messages.html"
    path.write_text(render_page(items), encoding="utf-8")
    opened = open_html(path, fake_images=True)
    page = opened.page
    page.wait_for_load_state("networkidle")
    screenshot(opened, "messages")
    assert page.locator('[data-testid="bubble"]').count() == len(items)
    assert opened.dialogs == []
    image_urls = set(page.locator("img").evaluate_all("images => images.map(i => i.src)"))
    assert set(opened.blocked) <= image_urls  # nothing left the page but picture requests
    assert {url for url in opened.requests if not url.startswith("file:")} <= image_urls


def screenshot_element(locator: Locator, name: str) -> None:
    from tests.browser import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    locator.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
