"""Pages of the projects app: IDOR, live checks, autosave and drafts, uploads, submission
through the page, the staff list (N+1 guard, filters, export) and the admissibility form."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from programme.formats import parse_amount
from projects import services
from projects.enums import ApplicationState
from projects.models import Application, FormDraft
from tests.builders import PDF_BYTES, ready_application
from tests.factories import ApplicantFactory, ApplicationFactory, CallFactory, CoordinatorFactory

pytestmark = pytest.mark.django_db


def test_idor_other_consortium_gets_404_everywhere(client):
    application = ready_application()
    partner = application.partners.exclude(is_coordinator=True).first()
    attachment = application.attachments.get()
    client.force_login(ApplicantFactory())
    urls = [
        reverse("application_detail", args=[application.pk]),
        reverse("partner_budget", args=[application.pk, partner.pk]),
        reverse("attachment_download", args=[application.pk, attachment.pk]),
        reverse("application_checks", args=[application.pk]),
        reverse("application_edit", args=[application.pk]),
    ]
    assert [client.get(url).status_code for url in urls] == [404] * len(urls)
    response = client.post(reverse("partner_budget", args=[application.pk, partner.pk]), {})
    assert response.status_code == 404


def test_attachment_of_another_application_via_own_url_is_404(client):
    mine = ready_application()
    theirs = ready_application()
    client.force_login(mine.created_by)
    url = reverse("attachment_download", args=[mine.pk, theirs.attachments.get().pk])
    assert client.get(url).status_code == 404


def test_partner_contact_sees_application_and_edits_only_own_budget(client):
    application = ready_application()
    partners = list(application.partners.exclude(is_coordinator=True))
    me, other = partners[0], partners[1]
    client.force_login(me.contact)
    assert client.get(reverse("application_detail", args=[application.pk])).status_code == 200
    assert client.get(reverse("partner_budget", args=[application.pk, other.pk])).status_code == 200
    assert (
        client.post(reverse("partner_budget", args=[application.pk, other.pk]), {}).status_code
        == 403
    )
    response = client.post(
        reverse("partner_budget", args=[application.pk, me.pk]), {"y1_personnel_industrial": "1000"}
    )
    assert response.status_code == 302
    assert list(me.budget_entries.values_list("amount", flat=True)) == [Decimal("1000.00")]
    assert client.get(reverse("application_edit", args=[application.pk])).status_code == 403


def test_attachment_download_serves_pdf(client):
    application = ready_application()
    client.force_login(application.created_by)
    response = client.get(
        reverse("attachment_download", args=[application.pk, application.attachments.get().pk])
    )
    assert (response.status_code, b"".join(response.streaming_content)) == (200, PDF_BYTES)


def test_upload_renamed_non_pdf_rejected_with_message(client):
    application = ApplicationFactory()
    client.force_login(application.created_by)
    fake = SimpleUploadedFile(
        "description.pdf", b"\x89PNG\r\n\x1a\n not a pdf", content_type="application/pdf"
    )
    response = client.post(
        reverse("attachment_upload", args=[application.pk]), {"kind": "description", "file": fake}
    )
    assert response.status_code == 200
    assert (
        "This file is not a PDF (its content is checked, not its name)."
        in response.content.decode()
    )
    assert application.attachments.count() == 0


def test_upload_pdf_stored(client):
    application = ApplicationFactory()
    client.force_login(application.created_by)
    pdf = SimpleUploadedFile("plan.pdf", PDF_BYTES, content_type="application/pdf")
    response = client.post(
        reverse("attachment_upload", args=[application.pk]), {"kind": "description", "file": pdf}
    )
    assert response.status_code == 302
    assert application.attachments.get().original_name == "plan.pdf"


def general_data(application, **overrides):
    data = {
        "title": application.title,
        "acronym": application.acronym,
        "abstract": "A",
        "abstract_language": "en",
        "planned_start": "2020-01-01",
        "duration_months": "24",
        "action_domain": "",
        "theme": "",
        "disease_domain": "",
    }
    data.update(overrides)
    return data


def test_autosave_valid_input_saves(client):
    application = ApplicationFactory()
    client.force_login(application.created_by)
    response = client.post(
        reverse("application_edit", args=[application.pk]),
        general_data(application, title="Saved as I type"),
        headers={"HX-Request": "true"},
    )
    application.refresh_from_db()
    assert (response.status_code, application.title, response["HX-Trigger"]) == (
        200,
        "Saved as I type",
        "checksChanged",
    )
    assert 'data-saved="true"' in response.content.decode()


def test_autosave_invalid_input_kept_as_draft_and_restored(client):
    application = ApplicationFactory()
    client.force_login(application.created_by)
    url = reverse("application_edit", args=[application.pk])
    typed = general_data(application, title="My long typed title", duration_months="four years")
    response = client.post(url, typed, headers={"HX-Request": "true"})
    assert 'data-saved="false"' in response.content.decode()
    application.refresh_from_db()
    assert application.title != "My long typed title"
    page = client.get(url).content.decode()
    assert 'value="My long typed title"' in page
    assert 'value="four years"' in page


def test_full_post_with_error_rerenders_everything_typed(client):
    application = ApplicationFactory()
    client.force_login(application.created_by)
    response = client.post(
        reverse("application_edit", args=[application.pk]),
        general_data(
            application, title="Kept title", abstract="Kept abstract", duration_months="-3"
        ),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert ('value="Kept title"' in page, "Kept abstract" in page) == (True, True)


def test_autosave_with_expired_session_answers_401(client):
    application = ApplicationFactory()
    response = client.post(
        reverse("application_edit", args=[application.pk]),
        general_data(application),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 401


def test_valid_save_clears_draft(client):
    application = ApplicationFactory()
    client.force_login(application.created_by)
    url = reverse("application_edit", args=[application.pk])
    client.post(url, general_data(application, duration_months="x"), headers={"HX-Request": "true"})
    client.post(url, general_data(application), headers={"HX-Request": "true"})
    assert FormDraft.objects.count() == 0


def test_budget_autosave_invalid_cell_kept(client):
    application = ApplicationFactory()
    partner = application.partners.get()
    client.force_login(application.created_by)
    url = reverse("partner_budget", args=[application.pk, partner.pk])
    response = client.post(
        url,
        {"y1_personnel_industrial": "12x", "y2_overhead_experimental": "500"},
        headers={"HX-Request": "true"},
    )
    assert "Enter an amount in euro, for instance 1,250.50." in response.content.decode()
    page = client.get(url).content.decode()
    assert ('value="12x"' in page, 'value="500"' in page) == (True, True)


def test_checks_partial_lists_rules(client):
    application = ready_application()
    client.force_login(application.created_by)
    page = client.get(reverse("application_checks", args=[application.pk])).content.decode()
    assert page.count('data-ok="true"') == 11


def soon_call():
    return CallFactory(deadline=timezone.now() + timedelta(hours=1))


def test_edit_after_deadline_refused_with_reason(client):
    application = ApplicationFactory(call=soon_call())
    client.force_login(application.created_by)
    with time_machine.travel(application.call.deadline + timedelta(seconds=1)):
        response = client.post(
            reverse("application_edit", args=[application.pk]),
            general_data(application, title="late"),
        )
    application.refresh_from_db()
    assert application.title != "late"
    assert "has passed." in response.content.decode()


def test_submit_page_opened_before_deadline_post_after_refused(client):
    application = ready_application(call=soon_call())
    client.force_login(application.created_by)
    url = reverse("application_submit", args=[application.pk])
    with time_machine.travel(application.call.deadline - timedelta(minutes=5)):
        assert client.get(url).status_code == 200
    with time_machine.travel(application.call.deadline + timedelta(seconds=1)):
        response = client.post(url)
    application.refresh_from_db()
    assert (response.status_code, application.state) == (409, ApplicationState.DRAFT)


def test_submit_through_page(client):
    application = ready_application()
    client.force_login(application.created_by)
    response = client.post(reverse("application_submit", args=[application.pk]))
    application.refresh_from_db()
    assert (response.status_code, application.state) == (302, ApplicationState.SUBMITTED)


def test_application_create_page(client):
    user = CoordinatorFactory()
    call = CallFactory()
    client.force_login(user)
    response = client.post(
        reverse("application_create", args=[call.pk]),
        {"title": "New project", "acronym": "NEW", "abstract_language": "nl"},
    )
    application = Application.objects.get(acronym="NEW")
    assert response.status_code == 302
    assert application.partners.get().contact == user


def test_partner_add_registers_new_organisation(client):
    application = ApplicationFactory()
    client.force_login(application.created_by)
    response = client.post(
        reverse("partner_add", args=[application.pk]),
        {
            "organisation": "",
            "contact_email": "c@new.example",
            "contact_name": "C New",
            "org-name": "Brand New BV",
            "org-enterprise_number": "BE0403.170.701",
            "org-kind": "company",
            "org-is_flemish": "on",
            "org-reference_year": "2018",
            "org-headcount": "12",
            "org-turnover": "1000000",
            "org-balance_sheet_total": "900000",
            "org-public_body_share": "0",
        },
    )
    assert response.status_code == 302
    partner = application.partners.get(organisation__name="Brand New BV")
    # The contact is a draft invitation until the coordinator sends it.
    assert (partner.organisation.sme_class, partner.contact_email, partner.contact) == (
        "small",
        "c@new.example",
        None,
    )


def test_partner_add_bad_enterprise_number_keeps_input(client):
    application = ApplicationFactory()
    client.force_login(application.created_by)
    response = client.post(
        reverse("partner_add", args=[application.pk]),
        {
            "organisation": "",
            "contact_email": "c@new.example",
            "contact_name": "C New",
            "org-name": "Typo BV",
            "org-enterprise_number": "BE0403.170.702",
            "org-kind": "company",
            "org-reference_year": "2018",
            "org-headcount": "12",
            "org-turnover": "1",
            "org-balance_sheet_total": "1",
            "org-public_body_share": "0",
        },
    )
    page = response.content.decode()
    assert "The check digits of this enterprise number are wrong" in page
    assert ('value="Typo BV"' in page, 'value="c@new.example"' in page) == (True, True)


def submitted(n, call):
    apps = []
    for _ in range(n):
        application = ready_application(call=call)
        services.application_submit(actor=application.created_by, application=application)
        apps.append(application)
    return apps


def test_staff_list_constant_queries(client, staff_user, query_count):
    call = CallFactory()
    client.force_login(staff_user)
    url = reverse("admissibility_list")
    submitted(1, call)
    one = query_count(client.get, url)
    submitted(4, call)
    assert query_count(client.get, url) == one


def test_staff_list_filters_search_sort_and_exports(client, staff_user):
    call = CallFactory()
    apps = submitted(3, call)
    apps[1].refresh_from_db()
    client.force_login(staff_user)
    response = client.get(reverse("admissibility_list"), {"call": call.pk, "q": apps[1].acronym})
    assert [a.pk for a in response.context["applications"]] == [apps[1].pk]
    response = client.get(reverse("admissibility_list"), {"sort": "-submitted"})
    assert [a.pk for a in response.context["applications"]] == [a.pk for a in reversed(apps)]
    csv_text = b"".join(
        [client.get(reverse("admissibility_export", args=["csv"]), {"q": apps[1].acronym}).content]
    ).decode("utf-8-sig")
    lines = csv_text.strip().splitlines()
    assert (len(lines), lines[1].split(",")[0]) == (2, apps[1].receipt_number)
    xlsx = client.get(reverse("admissibility_export", args=["xlsx"]))
    sheet = load_workbook(BytesIO(xlsx.content)).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        a.acronym for a in apps
    ]


def test_exports_of_partners_and_budget_lines_add_up_to_the_applications(client, staff_user):
    call = CallFactory()
    apps = submitted(2, call)
    client.force_login(staff_user)

    workbook = load_workbook(
        BytesIO(client.get(reverse("admissibility_export", args=["xlsx"])).content)
    )
    partners_csv = client.get(reverse("admissibility_export", args=["csv"]), {"table": "partners"})
    budget_csv = client.get(reverse("admissibility_export", args=["csv"]), {"table": "budget"})

    assert workbook.sheetnames == ["Applications", "Partners", "Budget"]
    applications = list(workbook["Applications"].iter_rows(min_row=2, values_only=True))
    partners = list(workbook["Partners"].iter_rows(min_row=2, values_only=True))
    budget = list(workbook["Budget"].iter_rows(min_row=2, values_only=True))
    assert len(partners) == sum(a.partners.count() for a in apps)
    cost_by_partner = {}
    for receipt, _acronym, organisation, *_rest, amount in budget:
        key = (receipt, organisation)
        cost_by_partner[key] = cost_by_partner.get(key, 0) + amount
    assert {(p[0], p[2]): p[8] for p in partners} == pytest.approx(cost_by_partner)
    for application in applications:  # the partners' cost adds up to the application's
        receipt, total_cost = application[0], application[6]
        assert sum(p[8] for p in partners if p[0] == receipt) == pytest.approx(float(total_cost))
    partner_lines = partners_csv.content.decode("utf-8-sig").strip().splitlines()
    budget_lines = budget_csv.content.decode("utf-8-sig").strip().splitlines()
    assert (len(partner_lines), len(budget_lines)) == (len(partners) + 1, len(budget) + 1)
    assert (
        client.get(reverse("admissibility_export", args=["csv"]), {"table": "secrets"}).status_code
        == 404
    )


def test_export_query_count_does_not_grow_with_the_applications(client, staff_user, query_count):
    call = CallFactory()
    client.force_login(staff_user)
    submitted(1, call)
    url = reverse("admissibility_export", args=["xlsx"])
    one = query_count(client.get, url)
    submitted(3, call)
    assert query_count(client.get, url) == one


def test_admissibility_form_completion_requested(client, staff_user):
    application = submitted(1, CallFactory())[0]
    client.force_login(staff_user)
    deadline = timezone.localtime(timezone.now() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("admissibility_check", args=[application.pk]),
        {
            "complementary": "yes",
            "broad_application": "yes",
            "consortium_rules": "yes",
            "complete": "no",
            "outcome": "completion",
            "completion_items": ["attachments"],
            "completion_deadline": deadline,
            "reason": "The annex with the data management plan is missing.",
        },
    )
    application.refresh_from_db()
    assert (response.status_code, application.state) == (302, ApplicationState.COMPLETION_REQUESTED)
    assert application.admissibility.complete is False


def test_admissibility_form_inadmissible_without_reason_keeps_input(client, staff_user):
    application = submitted(1, CallFactory())[0]
    client.force_login(staff_user)
    response = client.post(
        reverse("admissibility_check", args=[application.pk]),
        {"outcome": "inadmissible", "complementary": "no"},
    )
    application.refresh_from_db()
    assert (response.status_code, application.state) == (200, ApplicationState.SUBMITTED)
    assert "Give the reason why the application is inadmissible." in response.content.decode()


def test_home_panels(client, staff_user):
    application = submitted(1, CallFactory())[0]
    client.force_login(application.created_by)
    assert application.acronym in client.get("/").content.decode()
    client.force_login(staff_user)
    assert (
        "Submitted applications"
        in client.get("/", headers={"Accept-Language": "en"}).content.decode()
    )


@pytest.mark.parametrize(
    ("language", "typed", "shown"),
    [
        ("nl", "1.000,50", "1.000,50"),
        ("nl", "12.000", "12.000"),
        ("en", "1,000.50", "1,000.50"),
        ("en", "1000.5", "1,000.50"),
        ("nl", "1 000,50", "1.000,50"),
    ],
)
def test_budget_grid_takes_and_shows_amounts_in_the_users_language(client, language, typed, shown):
    application = ApplicationFactory()
    partner = application.partners.get()
    client.force_login(application.created_by)
    url = reverse("partner_budget", args=[application.pk, partner.pk])
    response = client.post(url, {"y1_personnel_industrial": typed}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 302
    amount = partner.budget_entries.get(year=1, category="personnel", activity="industrial").amount
    assert amount == parse_amount(typed, language)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'name="y1_personnel_industrial" id="id_y1_personnel_industrial" value="{shown}"' in page


def test_withdrawal_reason_reaches_the_history_and_the_email(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    application = ready_application()
    services.application_submit(actor=application.created_by, application=application)
    client.force_login(application.created_by)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("application_withdraw", args=[application.pk]),
            {"reason": "Merged with the NEUROSTRAT consortium"},
        )
    application.refresh_from_db()
    assert (response.status_code, application.state) == (302, ApplicationState.WITHDRAWN)
    latest = application.history.first()
    assert latest.history_change_reason == "withdrawn: Merged with the NEUROSTRAT consortium"
    withdrawn_mails = [m for m in mailoutbox if "withdrawn" in m.subject]
    assert withdrawn_mails and all(
        "Merged with the NEUROSTRAT consortium" in m.body for m in withdrawn_mails
    )
