"""Great Expectations Data Docs read offline: a static index of every validation, pages with
no remote resource, and no dead link (checked on the files and in headless chromium)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assets.gx_validation import GreatExpectationsResource
from tests.test_gx_validation import CLEAN, _facts
from tests.test_ui_browser import CHROMIUM, CHROMIUM_ARGS

DIRTY = [*CLEAN, ("A", 2300, "energy.coal", None, None, "t", "guessed", "a.txt", 10)]


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    gx = GreatExpectationsResource(root=str(tmp_path))
    gx.validate(_facts(CLEAN), "core_facts", "clean")
    gx.validate(_facts(DIRTY), "core_facts", "dirty")
    return gx.docs_index


def test_no_page_needs_the_network_and_every_link_resolves(docs):
    pages = sorted(docs.parent.rglob("*.html"))
    assert len(pages) == 3  # the index and two validations
    for page in pages:
        text = page.read_text()
        assert not re.search(r'(?:src|href)="https?://', text), page
        for target in re.findall(r'href="(?!#)([^"#]+)', text):
            assert (page.parent / target).resolve().exists(), f"{page}: dead link {target}"


def test_the_index_lists_each_validation_with_its_outcome(docs):
    index = docs.read_text()
    assert index.count("<tr><td>core_facts</td>") == 2
    assert 'class="passed">passed' in index and 'class="failed">failed' in index
    assert "<script" not in index


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_data_docs_in_a_browser_without_network(docs):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        remote: list[str] = []
        page.route(re.compile(r"^https?://"), lambda r: (remote.append(r.request.url), r.abort()))
        try:
            page.goto(docs.as_uri())
            rows = page.locator("tbody tr")
            assert rows.count() == 2
            assert {rows.nth(i).locator("td").nth(2).inner_text() for i in range(2)} == {
                "passed",
                "failed",
            }
            page.locator("tr", has_text="failed").get_by_role("link", name="open").click()
            page.wait_for_load_state()
            page.get_by_text("Unsuccessful Expectations").first.wait_for()
            page.get_by_text("values must belong to this set").first.wait_for()
            for link in page.locator("a[href]").all():
                href = link.get_attribute("href")
                if href and not href.startswith("#"):
                    target = Path(page.url[len("file://") :]).parent / href
                    assert target.resolve().exists(), f"dead link {href}"
        finally:
            browser.close()
    assert remote == []  # nothing was even asked of the network
