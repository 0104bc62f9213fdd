"""Steps shared by the browser journeys."""
from __future__ import annotations

import email
import itertools
import os
import re
import time
from pathlib import Path

PASSWORD = "Journey-pass-2026"
_n = itertools.count(1)
#: The live server's mail outbox (set by the live_app fixture; the server runs in this process).
OUTBOX: Path | None = None


def mail_link(address: str, path: str) -> str:
    """The first link to `path` in the newest mail sent to `address` (waits briefly for it)."""
    for _ in range(50):
        for f in sorted(OUTBOX.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns, reverse=True):
            msg = email.message_from_bytes(f.read_bytes())
            if msg["To"] == address:
                body = msg.get_payload(decode=True).decode("utf-8")
                return re.search(rf"https?://\S+?({re.escape(path)}\S+)", body).group(1)
        time.sleep(0.1)
    raise AssertionError(f"no mail to {address}")


def signup(page, live_url: str, lang: str = "kk", *, name: str = "Гүлнар Әбдірахманова") -> str:
    """Register a new trainee through the form and confirm the address from the mail; the page is left signed in.
    Returns the email."""
    address = f"journey{os.getpid()}-{next(_n)}@example.kz"
    page.goto(f"{live_url}/register")
    if lang != "kk":
        page.locator(f'.lang-switcher button[value="{lang}"]').click()
    page.fill("#full_name", name)
    page.fill("#email", address)
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.select_option("#region", "turkistan")
    page.check('input[name="working_languages"][value="kk"]')
    page.check('input[name="working_languages"][value="ru"]')
    page.select_option("#language", lang)
    page.locator("form:not(.lang-switcher) button[type=submit]").last.click()
    page.wait_for_load_state()
    page.goto(live_url + mail_link(address, "/confirm/"))
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    return address


def sign_in(page, live_url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{live_url}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def sign_out(page) -> None:
    """Sign out through the navigation (the phone menu opens first on narrow screens)."""
    menu = page.locator("details.menu")
    if menu.locator("summary").is_visible():
        menu.locator("summary").click()
    page.locator("form[action$='/logout'] button:visible").click()
    page.wait_for_load_state()


def switch_language(page, code: str) -> None:
    page.locator(f'.lang-switcher button[value="{code}"]').click()
    page.wait_for_load_state()
