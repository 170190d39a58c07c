"""The dashboard in a real headless Chromium: a wrong password is refused, the right one shows
the page with the March history drawn, and choosing a service in the filters changes the
figures. Skipped only where no browser is installed and CI is not set (with CI it runs:
.ci/run installs chromium and chromium-driver)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from connector.clock import FakeClock
from tests.browser import PATIENCE, browser_missing, chromium, log_in, wait_for
from tests.dashboard import NAME, PASSWORD, START, add_user, connector_of, dashboard_app, history
from tests.serving import served

MISSING = browser_missing()
pytestmark = pytest.mark.skipif(MISSING is not None and not os.environ.get("CI"),
                                reason=MISSING or "")
MARCH = "?from=2026-03-01&to=2026-03-20"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with the March history and a user, served on a loopback port."""
    db = tmp_path_factory.mktemp("browser") / "hdc.db"
    clock = FakeClock(START)
    app = dashboard_app(f"sqlite:///{db}", clock)
    c = connector_of(app)
    history(c, clock)
    add_user(c)
    with served(app) as url:
        yield url
    c.engine.dispose()


@pytest.fixture
def browser() -> Iterator[webdriver.Chrome]:
    with chromium() as driver:
        yield driver


def session_cookies(driver: webdriver.Chrome) -> list[str]:
    return [cookie["name"] for cookie in driver.get_cookies()
            if cookie["name"] == "hdc_dashboard"]


def test_a_wrong_password_is_refused(base: str, browser: webdriver.Chrome) -> None:
    log_in(browser, base, NAME, "wrong password")
    assert wait_for(browser, "#problem").text == "Неверное имя или пароль."
    assert browser.find_element(By.ID, "login").is_displayed()
    assert session_cookies(browser) == []
    browser.get(f"{base}/dashboard")
    wait_for(browser, "#login")  # still the form, not the page


def test_the_page_renders_with_data_and_a_filter_changes_the_figures(
        base: str, browser: webdriver.Chrome) -> None:
    log_in(browser, base, NAME, PASSWORD, MARCH)
    headline = wait_for(browser, "#reliability")
    assert headline.text == "Надёжность 88,85 %"  # 3,210 of 28,800 minutes lost
    before = headline.get_attribute("data-minutes")
    tickets = [row.get_attribute("data-ticket")
               for row in browser.find_elements(By.CSS_SELECTOR, "tr.outage")]
    assert sorted(tickets) == ["gitlab:1#1", "gitlab:1#2", "gitlab:1#3", "gitlab:1#4"]
    bars = browser.find_elements(By.CSS_SELECTOR, "#services svg.strip")
    assert len(bars) >= 4 and bars[0].size["width"] > 0  # drawn, not just sent
    assert browser.find_element(By.CSS_SELECTOR, "#daily svg.chart").size["height"] > 0

    Select(browser.find_element(By.ID, "service")).select_by_value("erp-pharmacy")
    browser.find_element(By.ID, "apply").click()
    WebDriverWait(browser, PATIENCE).until(lambda d: "service=erp-pharmacy" in d.current_url)
    after = wait_for(browser, "#reliability")
    assert after.get_attribute("data-minutes") != before
    assert float(after.get_attribute("data-minutes") or "nan") == pytest.approx(120)
    assert [row.get_attribute("data-ticket")
            for row in browser.find_elements(By.CSS_SELECTOR, "tr.outage")] == ["gitlab:1#3"]
    assert Select(browser.find_element(By.ID, "service")).first_selected_option.text == (
        "Электронный рецепт — отпуск в аптеках")
