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


# Elements sticking out to the right of the viewport, outside the tables that scroll on
# their own (.table-responsive), and form fields without a label.
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 1 && !el.closest('.table-responsive')
        && !el.closest('.visually-hidden')) {
      out.push(el.tagName.toLowerCase() + '.' + el.className);
    }
  }
  return {scrolls: document.documentElement.scrollWidth > width, out: out.slice(0, 5)};
}"""
UNLABELLED_JS = """() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(el => !['hidden', 'submit', 'button'].includes(el.type))
  .filter(el => !((el.id && document.querySelector('label[for="' + el.id + '"]'))
                  || el.closest('label') || el.getAttribute('aria-label')
                  || el.getAttribute('aria-labelledby')))
  .map(el => el.name || el.id)"""


def test_calls_and_projects_pages_fit_a_phone_and_a_laptop(live_server, browser):
    from django.urls import reverse

    from calls.models import Call
    from projects.models import Application

    call_command("seed_demo", stdout=open("/dev/null", "w"))
    call = Call.objects.get(programme_year__year=2020)
    draft = Application.objects.get(acronym="WEARONCO")
    company = draft.partners.filter(part="company").first()
    submitted = Application.objects.get(acronym="ONCOMAP")
    pages = {
        "aanvrager@demo.icon": [
            reverse("call_list"),
            reverse("call_detail", args=[call.pk]),
            reverse("application_list"),
            reverse("application_create", args=[call.pk]),
            reverse("application_detail", args=[draft.pk]),
            reverse("application_edit", args=[draft.pk]),
            reverse("partner_budget", args=[draft.pk, company.pk]),
            reverse("partner_add", args=[draft.pk]),
            reverse("application_submit", args=[draft.pk]),
        ],
        "medewerker@vlaio.demo": [
            "/",
            reverse("call_manage", args=[call.pk]),
            reverse("call_parameters_edit", args=[call.pk]),
            reverse("admissibility_list"),
            reverse("admissibility_check", args=[submitted.pk]),
        ],
        "admin@demo.icon": ["/"],  # the longest menu
    }
    problems = {}
    for email, paths in pages.items():
        for width in (375, 1280):
            context = browser.new_context(locale="nl-BE", viewport={"width": width, "height": 800})
            context.set_default_timeout(15_000)
            page = context.new_page()
            browser_login(page, live_server, email, DEMO_PASSWORD)
            if width == 375 and email == "aanvrager@demo.icon":
                # The menu folds behind its toggler on a phone and still leads the way in.
                menu_link = page.get_by_role("link", name="Mijn aanvragen")
                expect(menu_link).to_be_hidden()
                page.locator(".navbar-toggler").click()
                menu_link.click()
                expect(page.get_by_role("heading", level=1)).to_have_text("Uw aanvragen")
            for path in paths:
                page.goto(live_server.url + path)
                overflow = page.evaluate(OVERFLOW_JS)
                unlabelled = page.evaluate(UNLABELLED_JS)
                if overflow["scrolls"] or overflow["out"] or unlabelled:
                    problems[f"{path} at {width}px"] = (overflow, unlabelled)
            context.close()
    assert problems == {}
