"""The funding scenario in the browser: excluding a proposal updates the envelope balance
without a page reload, and the scenario is in the address bar (shareable)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests import factories
from tests.builders import admissible_application, consensus, evaluation_call
from tests.conftest import browser_login


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_scenario_toggle_updates_the_balance_without_reload(live_server, browser):
    from playwright.sync_api import expect

    staff = factories.StaffFactory(email="scenario@vlaio.test")
    call = evaluation_call(envelope=Decimal("1000000"))
    top = admissible_application(call, acronym="TOPPROJ", aid="400000")
    consensus(top, [5, 5, 5])
    context = browser.new_context(locale="en-GB")
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    try:
        browser_login(page, live_server, staff.email)  # password and TOTP code
        page.goto(live_server.url + reverse("ranking", args=[call.pk]))
        expect(page.locator("#scenario-balance")).to_contain_text("600,000.00")
        page.evaluate("window.notReloaded = true")
        page.get_by_role("button", name="Included TOPPROJ").click()
        expect(page.locator("#scenario-balance")).to_contain_text("1,000,000.00")
        assert page.evaluate("window.notReloaded") is True
        assert page.url.endswith(f"?exclude={top.pk}")
    finally:
        context.close()
