"""A real browser for the report tests: headless Chromium driven by Selenium.

The session fixture installs Debian's ``chromium`` and ``chromium-driver`` when they are
missing and the tests run as root (``apt-get install``, after ``apt-get update`` if the
first try fails); it skips, saying why, only where no browser can be installed.
"""

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]


def _install_chromium() -> str | None:
    """Install chromium + chromium-driver with apt; return why not, or None on success."""
    if os.geteuid() != 0:
        return "not root, so apt-get cannot install it"
    if shutil.which("apt-get") is None:
        return "apt-get is not available on this system"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "chromium", "chromium-driver"]
    t0 = time.perf_counter()
    done = subprocess.run(install, capture_output=True, text=True, env=env, timeout=900)
    if done.returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], capture_output=True, env=env, timeout=600)
        done = subprocess.run(install, capture_output=True, text=True, env=env, timeout=900)
    if done.returncode != 0:
        return f"apt-get install failed: {done.stderr.strip()[-300:]}"
    print(f"installed chromium and chromium-driver in {time.perf_counter() - t0:.0f} s")
    return None


@pytest.fixture(scope="session")
def chromium():
    """``(chromium, chromedriver)`` paths, installing them if needed."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        pytest.skip("the browser test needs selenium: pip install -e '.[dev]' (or selenium)")
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        why = _install_chromium()
        if why or not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
            pytest.skip(f"no headless Chromium for the browser test: {why or 'not found'} "
                        f"(install the Debian packages chromium and chromium-driver)")
    return CHROMIUM, CHROMEDRIVER


@pytest.fixture
def browser(chromium, tmp_path):
    """A headless Chromium (Selenium WebDriver) that keeps the browser console log."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(chromium[0])
    for flag in FLAGS + [f"--user-data-dir={tmp_path / 'chromium-profile'}",
                         "--window-size=1200,900"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(chromium[1])), options=options)
    yield driver
    driver.quit()


@pytest.fixture
def artefacts(tmp_path):
    """Where screenshots are kept: ``$LBPNET_TEST_ARTEFACTS`` or the test's tmp_path."""
    where = Path(os.environ.get("LBPNET_TEST_ARTEFACTS", tmp_path))
    where.mkdir(parents=True, exist_ok=True)
    return where
