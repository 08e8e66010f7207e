"""Browser tests (system Chromium through Playwright, against the live server): an
applicant builds a 4-partner consortium with budgets and submits; the PDF of the
submitted version shows the title and the totals; nothing typed is lost after a
validation error, a reload or an expired session; staff record admissibility."""

import re

import pytest
from django.core import mail

from programme.enums import Role
from programme.models import ActionDomain, DiseaseDomain, Theme, User
from projects.enums import ApplicationState
from projects.models import Application
from tests.builders import PDF_BYTES
from tests.conftest import browser_login
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    CallFactory,
    CoordinatorFactory,
    LargeCompanyFactory,
    ResearchOrganisationFactory,
    SmallCompanyFactory,
    StaffFactory,
)
from tests.pdf import pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-123"


# `browser` is the session fixture of tests/conftest.py (system Chromium).
@pytest.fixture
def context(browser):
    context = browser.new_context(locale="en-GB", extra_http_headers={"Accept-Language": "en"})
    context.set_default_timeout(15_000)
    yield context
    context.close()


def log_in(page, live_server, user):
    """The real login form; staff also type a generated TOTP code (browser_login)."""
    browser_login(page, live_server, user.email, PASSWORD)


def _call_with_reference_lists():
    call = CallFactory()
    programme = call.programme
    ActionDomain.objects.create(
        programme=programme, code="1", name_nl="Data", name_en="Data and analysis"
    )
    Theme.objects.create(programme=programme, code="data", name_nl="Data", name_en="Data")
    DiseaseDomain.objects.create(
        programme=programme, code="kanker", name_nl="Kanker", name_en="Cancer"
    )
    SmallCompanyFactory(name="Beta Sensors BV")
    LargeCompanyFactory(name="Gamma Pharma NV")
    ResearchOrganisationFactory(name="Flemish University")
    return call


def _build_consortium_and_submit(page, live_server, start_url):
    """From the page that starts an application: project data, three partners invited,
    four budgets, the description, submission; checks the receipt and the PDF."""
    page.goto(start_url)
    page.fill("#id_title", "Shared tumour data platform")
    page.fill("#id_acronym", "TUMOURDATA")
    page.click("button:has-text('Start')")
    page.wait_for_selector("h1:has-text('TUMOURDATA')")
    application = Application.objects.get(acronym="TUMOURDATA")

    page.click("text=Edit project data")
    page.fill("#id_abstract", "A shared platform for tumour profiles across Flemish hospitals.")
    page.select_option("#id_abstract_language", "en")
    page.select_option("#id_action_domain", label="1. Data and analysis")
    page.select_option("#id_theme", label="data. Data")
    page.select_option("#id_disease_domain", label="kanker. Cancer")
    page.fill("#id_planned_start", "2020-01-01")
    page.fill("#id_duration_months", "24")
    page.click("button:has-text('Save and return')")
    page.wait_for_selector("text=Project data saved.")

    for name, email in [
        ("Beta Sensors BV", "beta@example.org"),
        ("Gamma Pharma NV", "gamma@example.org"),
        ("Flemish University", "prof@example.org"),
    ]:
        page.click("text=Add partner")
        page.select_option("#id_organisation", label=name)
        page.fill("#id_contact_email", email)
        page.fill("#id_contact_name", f"Contact of {name}")
        page.click("button:has-text('Add to the consortium')")
        page.wait_for_selector(f"text={name} joined the consortium")
    # The invitations are drafts until the coordinator sends them.
    page.click("button:has-text('Send the invitations')")
    page.wait_for_selector("text=Invitations sent to")

    budgets = {
        "Alpha Genomics BV": {
            "y1_personnel_industrial": "120000",
            "y2_personnel_experimental": "80000",
        },
        "Beta Sensors BV": {
            "y1_personnel_industrial": "90000",
            "y2_operating_experimental": "60000",
        },
        "Gamma Pharma NV": {
            "y1_personnel_industrial": "150000",
            "y2_personnel_industrial": "150000",
        },
        "Flemish University": {
            "y1_personnel_research": "250000",
            "y2_personnel_research": "250000",
        },
    }
    for name, cells in budgets.items():
        page.goto(f"{live_server.url}/applications/{application.pk}/")
        page.click(f"tr[data-partner='{name}'] >> text=Budget")
        for field, value in cells.items():
            page.fill(f"#id_{field}", value)
        page.click("button:has-text('Save budget')")
        page.wait_for_selector("text=Budget saved.")

    page.goto(f"{live_server.url}/applications/{application.pk}/attachments/new/")
    page.select_option("#id_kind", "description")
    page.set_input_files(
        "#id_file",
        files=[{"name": "description.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}],
    )
    page.click("button:has-text('Upload')")
    page.wait_for_selector("text=Attachment stored.")
    assert page.inner_text("[data-total=project-cost]").replace("\u00a0", " ") == "€ 1,150,000"
    assert page.locator("#checks-panel [data-ok=false]").count() == 0

    page.click("text=Submit…")
    page.click("button:has-text('Submit now')")
    page.wait_for_selector("text=Your application is submitted")
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    assert application.receipt_number in page.inner_text("main")

    response = page.request.get(f"{live_server.url}/applications/{application.pk}/pdf/")
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.body())
    assert "Shared tumour data platform" in text
    # Aid: research 500,000 (100%); Alpha small 60% × 120k + 45% × 80k = 108,000; Beta
    # small 60% × 90k + 45% × 60k = 81,000; Gamma large 50% × 300k = 150,000.
    assert re.search(r"Project\s+€ 1,150,000\s+€ 839,000", text.replace("\u00a0", " "))
    return application


def test_applicant_builds_consortium_and_submits(live_server, context, tmp_path):
    call = _call_with_reference_lists()
    coordinator = CoordinatorFactory(organisation=SmallCompanyFactory(name="Alpha Genomics BV"))
    page = context.new_page()
    log_in(page, live_server, coordinator)
    page.goto(f"{live_server.url}/applications/")
    page.click("text=Start an application")
    _build_consortium_and_submit(page, live_server, page.url)
    assert call.applications.count() == 1


def test_newcomer_signs_up_registers_organisation_and_submits(live_server, context):
    """Issue 11, end to end: a person with no account signs up from the public call
    page, verifies the address from the mail, registers the organisation and submits."""
    call = _call_with_reference_lists()
    page = context.new_page()
    page.goto(f"{live_server.url}/calls/{call.pk}/")
    page.click("main >> text=Create an account")
    page.fill("#id_email", "founder@alpha-genomics.example")
    page.fill("#id_first_name", "Ada")
    page.fill("#id_last_name", "Founder")
    page.fill("#id_password1", "a-long-passphrase-42")
    page.fill("#id_password2", "a-long-passphrase-42")
    page.click("main button[type=submit]")
    page.wait_for_selector("h1:has-text('Verify Your Email Address')")
    body = next(m.body for m in mail.outbox if m.to == ["founder@alpha-genomics.example"])
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", body).group(0)
    page.goto(link)
    page.click("main button[type=submit]")  # confirm: logs the person in
    page.wait_for_url(f"{live_server.url}/**")
    founder = User.objects.get(email="founder@alpha-genomics.example")
    assert founder.roles == {Role.APPLICANT}

    page.goto(f"{live_server.url}/")
    page.click("text=Register organisation")
    page.fill("#id_name", "Alpha Genomics BV")
    page.fill("#id_enterprise_number", "BE0403.170.701")
    page.select_option("#id_kind", "company")
    page.fill("#id_reference_year", "2018")
    page.fill("#id_headcount", "12")
    page.fill("#id_turnover", "1,500,000")
    page.fill("#id_balance_sheet_total", "900,000")
    page.fill("#id_public_body_share", "0")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Alpha Genomics BV is registered as Small enterprise")
    founder.refresh_from_db()
    assert founder.organisation.name == "Alpha Genomics BV"

    application = _build_consortium_and_submit(
        page, live_server, f"{live_server.url}/applications/new/{call.pk}/"
    )
    assert application.created_by == founder


def test_nothing_typed_is_lost(live_server, context):
    application = ApplicationFactory()
    page = context.new_page()
    log_in(page, live_server, application.created_by)
    url = f"{live_server.url}/applications/{application.pk}/edit/"
    page.goto(url)
    page.fill("#id_title", "A title I typed with care")
    page.fill("#id_abstract", "Three paragraphs of abstract I do not want to type again.")
    page.fill("#id_duration_months", "200")  # more than the 120 months the field allows
    page.click("button:has-text('Save and return')")
    page.wait_for_selector(".invalid-feedback, .is-invalid")
    assert page.input_value("#id_title") == "A title I typed with care"
    assert (
        page.input_value("#id_abstract")
        == "Three paragraphs of abstract I do not want to type again."
    )
    assert page.input_value("#id_duration_months") == "200"
    # Closing the tab and coming back: the typed text is there again (server draft).
    page.close()
    page = context.new_page()
    page.goto(url)
    assert (
        page.input_value("#id_abstract")
        == "Three paragraphs of abstract I do not want to type again."
    )
    assert page.input_value("#id_duration_months") == "200"
    page.close()


def test_expired_session_keeps_typing_in_the_browser(live_server, context):
    application = ApplicationFactory()
    page = context.new_page()
    log_in(page, live_server, application.created_by)
    url = f"{live_server.url}/applications/{application.pk}/edit/"
    page.goto(url)
    context.clear_cookies(name="sessionid")  # the session expires while the person types
    page.fill("#id_abstract", "Typed after the session expired.")
    page.wait_for_selector("[data-autosave-notice]:has-text('Your session has expired')")
    log_in(page, live_server, application.created_by)
    page.goto(url)
    assert page.input_value("#id_abstract") == "Typed after the session expired."
    page.wait_for_selector("[data-autosave-notice]:has-text('We restored what you typed')")
    # The restore is sent to the server as soon as it appears (a change event).
    page.wait_for_selector("#autosave-status:has-text('Saved at')")
    application.refresh_from_db()
    assert application.abstract == "Typed after the session expired."


def test_staff_checks_admissibility(live_server, context):
    from projects import services
    from tests.builders import ready_application

    application = ready_application()
    services.application_submit(actor=application.created_by, application=application)
    staff = StaffFactory()
    page = context.new_page()
    log_in(page, live_server, staff)
    page.click("text=All submitted applications")
    page.click(f"text={application.acronym}")
    for name in ["complementary", "broad_application", "consortium_rules", "complete"]:
        page.check(f"input[name={name}][value=yes]")
    page.check("input[name=outcome][value=admissible]")
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=Admissibility check saved.")
    application.refresh_from_db()
    assert application.state == ApplicationState.ADMISSIBLE


__all__ = ["ApplicantFactory"]
