"""The steering group approves a decision proposal in the browser (issue 18, item 1):
staff build it from the ranking and put it on a meeting, two of the three voting members
present approve it, staff record the decisions signed by the administrator-general."""

from decimal import Decimal

import pytest
from django.urls import reverse

from calls.models import Envelope
from governance.models import FundingDecision
from tests import factories
from tests.builders import admissible_application, consensus, evaluation_call, steering_meeting
from tests.conftest import browser_login


def _tab(browser, live_server, user):
    context = browser.new_context(locale="en-GB")
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    browser_login(page, live_server, user.email)
    return context, page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_steering_group_approves_a_decision_proposal(live_server, browser):
    from playwright.sync_api import expect

    staff = factories.StaffFactory(email="proposal-staff@vlaio.test")
    call = evaluation_call(envelope=Decimal("1000000"))
    consensus(admissible_application(call, acronym="TOPPROJ", aid="400000"), [5, 5, 5])
    consensus(admissible_application(call, acronym="WAITPROJ", aid="700000"), [4, 4, 4])
    meeting, voters = steering_meeting(call.programme)

    context, page = _tab(browser, live_server, staff)
    try:
        page.goto(live_server.url + reverse("ranking", args=[call.pk]))
        page.get_by_role("link", name="Decision proposals").click()
        page.get_by_role("button", name="Build a decision proposal from the ranking").click()
        expect(page.get_by_role("heading", name="Funded set")).to_be_visible()
        expect(page.locator("#funded-title + .table-responsive")).to_contain_text("TOPPROJ")
        expect(page.locator("#reserve-title + .table-responsive")).to_contain_text("WAITPROJ")
        page.get_by_label("Meeting of the steering group").select_option(str(meeting.pk))
        page.get_by_role("button", name="Put on the agenda").click()
        expect(page.get_by_text("On the steering group's agenda").first).to_be_visible()
        proposal_url = page.url
    finally:
        context.close()

    for voter in voters[:2]:
        context, page = _tab(browser, live_server, voter)
        try:
            page.goto(proposal_url)
            page.get_by_label("Approve").check()
            page.get_by_role("button", name="Cast my vote").click()
            expect(page.get_by_text("Your vote is recorded.")).to_be_visible()
            expect(page.locator("#votes-title").locator("..")).to_contain_text(str(voter))
        finally:
            context.close()

    context, page = _tab(browser, live_server, staff)
    try:
        page.goto(proposal_url)
        expect(page.get_by_text("Approved by the steering group").first).to_be_visible()
        # WAITPROJ asked 700,000: its reserve decision is the decision committee's.
        expect(
            page.get_by_text("Levels needed: Administrator-general, Decision committee")
        ).to_be_visible()
        page.get_by_label("Signed by the administrator-general").fill("An Janssens, AG")
        page.get_by_label("Signed for the decision committee").fill("Beslissingscomité")
        page.get_by_role("button", name="Record the funding decisions").click()
        expect(page.get_by_text("The funding decisions are recorded")).to_be_visible()
        expect(page.get_by_text("Decisions recorded").first).to_be_visible()
    finally:
        context.close()

    funded = FundingDecision.objects.get(application__acronym="TOPPROJ")
    assert (funded.outcome, funded.amount, funded.decided_by) == (
        "fund",
        Decimal("400000.00"),
        "An Janssens, AG",
    )
    waiting = FundingDecision.objects.get(application__acronym="WAITPROJ")
    assert (waiting.outcome, waiting.decided_by) == ("reserve", "Beslissingscomité")
    assert Envelope.objects.get(call=call).committed == Decimal("400000.00")
