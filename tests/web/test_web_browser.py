"""End to end in Debian's chromium (headless, driven by Selenium through Debian's chromedriver; no
browser download): a 业务员 fills in a 同意欠费通知单 in Chinese, the 部门经理 approves it, the
finance head signs its stub, the audit shows it clean; a slip acted on before it was approved
shows up as a finding. The main pages are screenshot at desktop and phone width
(``REGKIT_SCREENSHOTS=DIR`` keeps them)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web_support import PASSWORD, Postgres, Server, start_server

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--lang=en-US", "--disable-dev-shm-usage"]
DESKTOP, PHONE = (1280, 900), (390, 844)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fresh(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server with an empty database of its own (so the audit sees only this story)."""
    if request.param == "postgresql":
        pg: Postgres = request.getfixturevalue("postgres")
        database = pg.create()
    else:
        database = "sqlite:///regkit.sqlite3"
    server = start_server(tmp_path_factory.mktemp(f"browser-{request.param}") / "data", database)
    server.cli("db", "password", "李娜", "张伟", "王芳", "林涛", "--password-stdin", stdin=PASSWORD + "\n")
    server.cli("db", "grant", "林涛", "auditor")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless chromium."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail("chromium and chromium-driver are required (scripts/system-deps.sh installs them)")
    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=opts)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _shots(name: str, driver: object, tmp: Path) -> None:
    keep = os.environ.get("REGKIT_SCREENSHOTS")
    folder = Path(keep) if keep else tmp
    folder.mkdir(parents=True, exist_ok=True)
    for label, (w, h) in (("desktop", DESKTOP), ("phone", PHONE)):
        driver.set_window_size(w, h)  # type: ignore[attr-defined]
        height = driver.execute_script("return document.documentElement.scrollHeight")  # type: ignore[attr-defined]
        driver.set_window_size(w, min(max(int(height) + 120, h), 4000))  # type: ignore[attr-defined]
        path = folder / f"{name}-{label}.png"
        assert driver.save_screenshot(str(path)), path  # type: ignore[attr-defined]
        assert path.stat().st_size > 5000
        # the phone page must not scroll sideways: nothing wider than the screen
        if label == "phone":
            wide = driver.execute_script(  # type: ignore[attr-defined]
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert int(wide) <= 1, f"{name}: the page is {wide}px wider than a phone screen"
    driver.set_window_size(*DESKTOP)  # type: ignore[attr-defined]


def _login(driver: object, site: Server, name: str) -> None:
    from selenium.webdriver.common.by import By

    d = driver
    d.get(site.url + "/login/")  # type: ignore[attr-defined]
    if d.find_elements(By.CSS_SELECTOR, "form[action='/logout/'] button"):  # type: ignore[attr-defined]
        _go(d, d.find_element(By.CSS_SELECTOR, "form[action='/logout/'] button"))  # type: ignore[attr-defined]
        d.get(site.url + "/login/")  # type: ignore[attr-defined]
    d.find_element(By.ID, "username").send_keys(name)  # type: ignore[attr-defined]
    d.find_element(By.ID, "password").send_keys(PASSWORD)  # type: ignore[attr-defined]
    _go(d, d.find_element(By.CSS_SELECTOR, "button[type=submit]"))  # type: ignore[attr-defined]
    assert name in d.find_element(By.CSS_SELECTOR, ".who").text  # type: ignore[attr-defined]



def _go(d: object, element: object) -> None:
    """Click what leads to another page and wait until that page has replaced this one: reading the
    page right after the click can find the old page's elements, which then go stale."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    old = d.find_element(By.TAG_NAME, "html")  # type: ignore[attr-defined]
    element.click()  # type: ignore[attr-defined]
    wait = WebDriverWait(d, 30)  # type: ignore[arg-type]
    wait.until(lambda drv: _gone(ec.staleness_of(old), drv))
    wait.until(lambda drv: drv.execute_script("return document.readyState") == "complete")


def _gone(stale: Any, drv: object) -> bool:
    """Selenium's staleness test, which chromedriver sometimes answers, while the new page
    replaces the old one, with "Node with given id does not belong to the document" instead of a
    stale element: the old page is gone all the same."""
    from selenium.common.exceptions import WebDriverException

    try:
        return bool(stale(drv))
    except WebDriverException as exc:
        if "does not belong to the document" in str(exc):
            return True
        raise

def _type_date(el: object, day: dt.date) -> None:
    # a date input in an en-US browser takes month, day and year as typed digits
    el.send_keys(day.strftime("%m%d%Y"))  # type: ignore[attr-defined]


def _fill_slip(d: object, site: Server, customer: str, date: dt.date | None, promised: dt.date) -> str:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    d.get(site.url + "/forms/arrears-approval/new/")  # type: ignore[attr-defined]
    f = d.find_element  # type: ignore[attr-defined]
    if date is not None:
        _type_date(f(By.ID, "f-date"), date)
    f(By.ID, "f-customer").send_keys(customer)
    Select(f(By.ID, "f-settlement")).select_by_visible_text("现金")
    f(By.ID, "f-amount").send_keys("1,200.50")
    f(By.ID, "f-reason").send_keys("客户资金周转困难，承诺按期付清")
    _type_date(f(By.ID, "f-promised_date"), promised)
    assert Select(f(By.ID, "f-handler")).first_selected_option.text == "李娜"
    f(By.CSS_SELECTOR, "input[name^='departments.'][value='财务部']").click()
    _go(d, f(By.CSS_SELECTOR, "button.primary[type=submit]"))
    h1 = f(By.TAG_NAME, "h1").text
    assert "待批准" in h1, d.page_source[:3000]  # type: ignore[attr-defined]
    return h1.split("》", 1)[1].split()[0]


def test_arrears_slip_in_the_browser(fresh: Server, browser: object, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    d = browser
    f = d.find_element  # type: ignore[attr-defined]
    _login(d, fresh, "李娜")
    _shots("home-staff", d, tmp_path)
    d.get(fresh.url + "/forms/arrears-approval/new/")  # type: ignore[attr-defined]
    # today where the application runs (its time zone), as the page fills the form's date in
    today = dt.date.fromisoformat(f(By.ID, "f-date").get_attribute("value"))
    _shots("fill", d, tmp_path)
    number = _fill_slip(d, fresh, "华东建材有限公司", None, today + dt.timedelta(days=20))
    assert f(By.ID, "v-amount").text == "1200.50" and f(By.ID, "v-customer").text == "华东建材有限公司"
    assert f(By.ID, "v-promised_date").text == (today + dt.timedelta(days=20)).isoformat()
    assert not d.find_elements(By.ID, "approve")  # type: ignore[attr-defined]
    # a slip for credit already given three days ago, written up afterwards
    late = _fill_slip(d, fresh, "先斩后奏物流", today - dt.timedelta(days=3), today + dt.timedelta(days=10))

    _login(d, fresh, "张伟")
    _shots("home-approver", d, tmp_path)
    _go(d, d.find_element(By.PARTIAL_LINK_TEXT, number))  # type: ignore[attr-defined]
    _shots("record-pending", d, tmp_path)
    f(By.ID, "comment").send_keys("同意，按期收回")
    _go(d, f(By.ID, "approve"))
    assert "待签字" in f(By.TAG_NAME, "h1").text and f(By.ID, "v-approved_by").text == "张伟"
    assert f(By.ID, "v-approved_on").text == today.isoformat()
    _go(d, d.find_element(By.PARTIAL_LINK_TEXT, "待办"))  # type: ignore[attr-defined]
    _go(d, d.find_element(By.PARTIAL_LINK_TEXT, late))  # type: ignore[attr-defined]
    # the approver is told the approval comes too late to count as prior approval
    assert "审计将记为未经事先批准" in f(By.CSS_SELECTOR, "p.late").text
    _go(d, f(By.ID, "approve"))

    _login(d, fresh, "王芳")
    _go(d, d.find_element(By.PARTIAL_LINK_TEXT, number))  # type: ignore[attr-defined]
    _go(d, f(By.ID, "sign-0"))
    assert "已完成" in f(By.TAG_NAME, "h1").text and f(By.ID, "v-stub_signed_by").text == "王芳"
    _shots("record-done", d, tmp_path)
    _go(d, d.find_element(By.PARTIAL_LINK_TEXT, "待办"))  # type: ignore[attr-defined]
    _go(d, d.find_element(By.PARTIAL_LINK_TEXT, late))  # type: ignore[attr-defined]
    _go(d, f(By.ID, "sign-0"))

    _login(d, fresh, "林涛")
    d.get(fresh.url + f"/audit/?only=arrears-approval&as_of={today.isoformat()}")  # type: ignore[attr-defined]
    _shots("audit", d, tmp_path)
    findings = d.find_elements(By.CSS_SELECTOR, "li.finding")  # type: ignore[attr-defined]
    assert not [x for x in findings if x.get_attribute("data-record") == number], "the approved slip is clean"
    flagged = [x for x in findings if x.get_attribute("data-record") == late]
    assert [x.get_attribute("data-rule") for x in flagged] == ["arrears-approved-by-leader"]
    assert "先斩后奏物流" in flagged[0].text and "未经部门领导事先批准" in flagged[0].text
    assert f(By.ID, "n-unreadable").text == "0"
    # the slip approved in time is clean on its own too
    d.get(fresh.url + "/records/")  # type: ignore[attr-defined]
    _shots("records", d, tmp_path)
    if not os.environ.get("REGKIT_SCREENSHOTS"):
        shutil.rmtree(tmp_path, ignore_errors=True)
