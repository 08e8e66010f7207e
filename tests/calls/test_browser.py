"""A staff member opens a draft call in the browser (parameters shown) and closes it,
with the state read from the page after each step."""

from decimal import Decimal

import pytest
from django.urls import reverse

from calls.enums import CallState
from tests import factories
from tests.conftest import browser_login
from tests.factories import CallFactory, EnvelopeFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_opens_and_closes_a_call_in_the_browser(live_server, browser):
    from playwright.sync_api import expect

    staff = factories.StaffFactory(email="sofie@vlaio.test")
    call = CallFactory(state=CallState.DRAFT, title_en="Browser call", title_nl="Browseroproep")
    EnvelopeFactory(call=call, initial_amount=Decimal("4500000"))

    context = browser.new_context(locale="en-GB")
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    try:
        browser_login(page, live_server, staff.email)  # password and TOTP code
        page.goto(live_server.url + reverse("call_manage", args=[call.pk]))
        expect(page.locator("#call-state")).to_have_text("Draft")
        expect(page.locator("#param-heading")).to_have_text("Parameters")
        expect(page.get_by_text("There is no collaboration bonus in this call.")).to_be_visible()

        page.click("#to-open")
        expect(page.locator("#call-state")).to_have_text("Open")
        expect(page.get_by_role("alert")).to_contain_text("The call is now “Open”.")

        # Before the deadline the page asks for a reason to close.
        page.fill("#reason-closed", "Withdrawn by the steering group")
        page.click("#to-closed")
        expect(page.locator("#call-state")).to_have_text("Closed")

        page.goto(live_server.url + reverse("call_detail", args=[call.pk]))
        expect(page.locator("#call-state")).to_have_text("Closed")
    finally:
        context.close()
