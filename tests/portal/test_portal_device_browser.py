"""The sandbox verification page in a real headless browser (Debian's Chromium + ChromeDriver).

A person opens ``verification_uri_complete`` as the QR code gives it, picks
a sandbox person and approves (or refuses) by clicking; the terminal's poll
then gets its session (or ``access_denied``). A form posted to the page from
another site — the browser does not send the ``SameSite=Lax`` cookie with it —
is refused, and the login stays pending.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.portal.own_server import own_portal

OLIVIER = "87090118922"
GRANT = "urn:ietf:params:oauth:grant-type:device_code"
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def portal(pki_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with own_portal(pki_dir, tmp_path_factory.mktemp("device-browser")) as server:
        yield server


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Headless Chromium driven by ChromeDriver (both from Debian: scripts/setup.sh)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium')}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _start(portal: Any) -> dict[str, Any]:
    answer = httpx.post(f"{portal.url}/api/v1/auth/device")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _poll(portal: Any, device_code: str) -> httpx.Response:
    body = {"grant_type": GRANT, "device_code": device_code}
    return httpx.post(f"{portal.url}/api/v1/auth/device/token", json=body)


def _decide_in_browser(browser: Any, started: dict[str, Any], button: str) -> str:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(started["verification_uri_complete"])
    assert browser.find_element(By.ID, "user_code").get_attribute("value") == started["user_code"]
    Select(browser.find_element(By.ID, "person")).select_by_value(OLIVIER)
    browser.find_element(By.CSS_SELECTOR, f'button[value="{button}"]').click()
    return _outcome(browser)


def _outcome(browser: Any) -> str:
    """The text of the page the form led to, once the browser has loaded it (not the form's)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    status = (By.CSS_SELECTOR, '[role="status"]')
    WebDriverWait(browser, 30).until(expected_conditions.presence_of_element_located(status))
    return str(browser.find_element(By.TAG_NAME, "main").text)


def test_approve_in_the_browser_then_the_terminal_gets_its_session(portal, browser) -> None:
    started = _start(portal)
    shown = _decide_in_browser(browser, started, "approve")
    assert "Approved" in shown
    session = _poll(portal, started["device_code"])
    assert session.status_code == 200, session.text
    assert session.json()["person"]["nrn"] == OLIVIER and session.json()["method"] == "device"


def test_refuse_in_the_browser_is_access_denied(portal, browser) -> None:
    started = _start(portal)
    assert "Refused" in _decide_in_browser(browser, started, "refuse")
    assert _poll(portal, started["device_code"]).json()["error"] == "access_denied"


def test_a_form_from_another_site_is_refused(portal, browser, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    started = _start(portal)
    browser.get(f"{portal.url}/device")  # the browser holds a genuine token cookie for /device
    forged = tmp_path / "forged.html"
    forged.write_text(
        f'<form method="post" action="{portal.url}/device">'
        '<input name="csrf" value="guess">'
        f'<input name="user_code" value="{started["user_code"]}">'
        f'<input name="person" value="{OLIVIER}">'
        '<button id="go" name="decision" value="approve">go</button></form>',
        encoding="utf-8",
    )
    browser.get(forged.as_uri())
    browser.find_element(By.ID, "go").click()
    assert "another site" in _outcome(browser)
    assert _poll(portal, started["device_code"]).json()["error"] == "authorization_pending"
