"""A real headless Chromium (Debian's `chromium` and `chromedriver`, driven by Selenium) on the
dashboard served by werkzeug on a free loopback port in this process: for the browser test and
for scripts/screenshots.py. Waits are explicit and generous (a slow, busy machine); nothing
sleeps."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as shown
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = os.environ.get("HDC_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("HDC_CHROMEDRIVER", "/usr/bin/chromedriver")
PATIENCE = 90.0  # seconds a page may take to appear on a loaded 2-core machine


def browser_missing() -> str | None:
    """What is missing to drive a browser here, if anything."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)) and not shutil.which(path):
            return f"{path} is not installed (Debian: apt-get install chromium chromium-driver)"
    return None


@contextmanager
def chromium(width: int = 1400, height: int = 1000) -> Iterator[webdriver.Chrome]:
    """A headless Chromium of its own profile, closed afterwards."""
    options = Options()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--disable-gpu", "--disable-extensions", "--no-first-run",
                     f"--window-size={width},{height}", "--lang=ru-RU"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.set_page_load_timeout(PATIENCE * 2)
        yield driver
    finally:
        driver.quit()


def wait_for(driver: webdriver.Chrome, css: str) -> WebElement:
    """The element once it is on the page."""
    found: WebElement = WebDriverWait(driver, PATIENCE).until(
        shown.presence_of_element_located((By.CSS_SELECTOR, css)))
    return found


def log_in(driver: webdriver.Chrome, base: str, name: str, password: str,
           query: str = "") -> None:
    """The login form filled and sent, as a person would."""
    driver.get(f"{base}/dashboard{query}")
    wait_for(driver, "#login")
    driver.find_element(By.ID, "name").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(password)
    form = driver.find_element(By.ID, "login")
    driver.find_element(By.ID, "submit").click()
    WebDriverWait(driver, PATIENCE).until(shown.staleness_of(form))
