"""The applicant's path through the demo of `make run`, in the browser: log in as the
demo applicant, open the open 2020 call from the public list, start an application from
the call's page, and open the demo draft WEARONCO, ready to submit."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from programme.demo import DEMO_PASSWORD

from ..conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_demo_applicant_reaches_a_draft_ready_to_submit(live_server, page):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    browser_login(page, live_server, "aanvrager@demo.icon", DEMO_PASSWORD)

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Oproepen").click()
    open_calls = page.get_by_role("region", name="Open oproepen")
    open_calls.get_by_role("link", name="ICON-oproep Gepersonaliseerde Geneeskunde 2020").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "ICON-oproep Gepersonaliseerde Geneeskunde 2020"
    )

    page.get_by_role("link", name="Een aanvraag starten").click()
    page.fill("#id_title", "Digitale tweeling van de tumor")
    page.fill("#id_acronym", "TWINONCO")
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("heading", name="Klaar om in te dienen?")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("TWINONCO")

    page.get_by_role("link", name="Mijn aanvragen").click()
    page.get_by_role("link", name="WEARONCO").click()
    expect(page.locator("#checks-panel").get_by_role("status")).to_have_text(
        "Alle regels zijn in orde: de aanvraag kan ingediend worden."
    )
    expect(page.get_by_role("link", name="Indienen…")).to_be_visible()
