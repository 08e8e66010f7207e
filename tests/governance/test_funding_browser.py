"""In the browser: a funding decision becomes a project, its agreement is drawn up and
signed, a payment is refused while the collaboration agreement is missing, the
coordinator uploads it, staff accept it, the first advance is paid and the second is
refused (not due yet), and an approved extension amends the agreement (version 2)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.funding.enums import PaymentState, ProjectState
from governance.funding.models import FundedProject
from tests import factories
from tests.builders import PDF_BYTES, funded_decision
from tests.conftest import browser_login


def _login(browser, live_server, user):
    context = browser.new_context(locale="en-GB")
    context.set_default_timeout(20_000)
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    browser_login(page, live_server, user.email)
    return context, page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_decision_becomes_a_running_project_in_the_browser(live_server, browser, tmp_path):
    from playwright.sync_api import expect

    staff = factories.StaffFactory()
    coordinator = factories.CoordinatorFactory()
    decision = funded_decision(created_by=coordinator)
    acronym = decision.application.acronym
    start = timezone.localdate() - timedelta(days=30)
    end = start + timedelta(days=2 * 365)

    staff_context, page = _login(browser, live_server, staff)
    try:
        page.goto(live_server.url + reverse("funding_dashboard"))
        page.get_by_role("button", name=f"Open the project {acronym}").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(acronym)
        project = FundedProject.objects.get(decision=decision)

        page.get_by_role("link", name="Draw up the agreement").click()
        page.get_by_label("Start date").fill(start.isoformat())
        page.get_by_label("End date").fill(end.isoformat())
        page.get_by_label("KPIs and deliverables").fill("Validated assay | 2")
        page.get_by_role("button", name="Draw up").click()
        expect(
            page.get_by_text("Version 1 is drawn up and waits for its signature.")
        ).to_be_visible()
        page.get_by_role("button", name="Record the signature").click()
        expect(page.get_by_text("State: Running")).to_be_visible()

        page.get_by_role("button", name="Approve payment Advance 1").click()
        expect(page.get_by_role("alert")).to_contain_text(
            "The collaboration agreement has not been accepted yet"
        )

        coordinator_context, coordinator_page = _login(browser, live_server, coordinator)
        try:
            pdf = tmp_path / "collaboration.pdf"
            pdf.write_bytes(PDF_BYTES)
            coordinator_page.goto(live_server.url + reverse("funded_project", args=[project.pk]))
            coordinator_page.get_by_label("Collaboration agreement (PDF)").set_input_files(pdf)
            coordinator_page.get_by_role("button", name="Upload").click()
            expect(coordinator_page.get_by_role("alert")).to_contain_text("is uploaded")

            page.reload()
            page.get_by_role("button", name="Accept the collaboration agreement").click()
            page.get_by_role("button", name="Approve payment Advance 1").click()
            expect(page.get_by_role("alert")).to_contain_text("approved and booked")
            page.get_by_role("button", name="Approve payment Advance 2").click()
            expect(page.get_by_role("alert")).to_contain_text("not before")
            paid = list(project.payments.filter(state=PaymentState.PAID))
            assert [(p.kind, p.year) for p in paid] == [("advance", 1)]

            coordinator_page.goto(live_server.url + reverse("funded_project", args=[project.pk]))
            coordinator_page.get_by_role("link", name="Request a change").click()
            coordinator_page.get_by_label("Kind of change").select_option("extension")
            coordinator_page.get_by_label("What should change and why").fill("Slower recruitment")
            coordinator_page.get_by_label("New end date (extension)").fill(
                (end + timedelta(days=90)).isoformat()
            )
            coordinator_page.get_by_role("button", name="Send the request").click()
            expect(coordinator_page.get_by_role("alert")).to_contain_text("sent to VLAIO")
        finally:
            coordinator_context.close()

        page.reload()
        page.get_by_role("link", name="Decide").click()
        page.get_by_label("Approve").check()
        page.get_by_label("Reason").fill("Justified by the recruitment figures.")
        page.get_by_role("button", name="Record the decision").click()
        expect(page.get_by_text("Version 2 is in force")).to_be_visible()
        project.refresh_from_db()
        assert (project.state, project.end_date) == (
            ProjectState.RUNNING,
            end + timedelta(days=90),
        )
    finally:
        staff_context.close()
