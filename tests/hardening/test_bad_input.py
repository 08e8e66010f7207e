"""The four causes of the 35 HTTP 500s of the probe, one regression test each: a NUL in
typed text, non-ASCII digits in query parameters, the admissibility checklist without an
outcome, a public-body share out of range. Each answers with a page that keeps what was
typed (or uses a sensible default) and never a 5xx."""

import pytest
from django.urls import reverse

from programme.formats import parse_ids, parse_int
from programme.middleware import strip_control_characters
from programme.models import Organisation
from projects import services as project_services
from projects.enums import ApplicationState
from projects.models import FormDraft
from tests import factories
from tests.builders import evaluation_call, ready_application
from tests.programme.test_organisations import form_data
from tests.projects.test_views import general_data

pytestmark = pytest.mark.hardening


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        (" 7 ", 7),
        ("²", None),
        ("٣", None),
        ("１２", None),
        ("-1", None),
        ("9" * 40, None),
        ("2147483648", None),
        ("", None),
        (None, None),
        ("1e3", None),
    ],
)
def test_parse_int_takes_ascii_digits_in_range_only(text, expected):
    assert parse_int(text) == expected


def test_parse_ids_skips_what_is_not_an_id():
    assert parse_ids(["1,2", "²,3", "0", "-4", "٣", "5"]) == [1, 2, 3, 5]


def test_control_characters_are_stripped_but_lines_and_tabs_stay():
    assert strip_control_characters("a\x00b\x01c\x1b[0m\x7fd\te\r\nf") == "abc[0md\te\r\nf"


@pytest.mark.django_db
def test_nul_in_a_typed_title_is_stored_without_it_and_nothing_is_lost(client):
    application = factories.ApplicationFactory()
    client.force_login(application.created_by)
    response = client.post(
        reverse("application_edit", args=[application.pk]),
        general_data(application, title="Draft\x00 title", acronym=""),  # invalid: kept
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    draft = FormDraft.objects.get()
    assert draft.data["title"] == "Draft title"


@pytest.mark.django_db
def test_nul_in_a_budget_cell_and_a_review_comment_never_5xx(client):
    application = ready_application()
    partner = application.partners.first()
    client.force_login(application.created_by)
    url = reverse("partner_budget", args=[application.pk, partner.pk])
    response = client.post(url, {"y1-personnel": "1000\x00", "reason": "\x00"})
    assert response.status_code < 500


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"cut": "²"},
        {"cut": "9" * 40},
        {"include": "²,٣", "exclude": "\x00"},
        {"include": "99999999999999999999"},
    ],
)
def test_ranking_with_hostile_query_answers_200(client, query):
    call = evaluation_call()
    client.force_login(factories.StaffFactory())
    response = client.get(reverse("ranking", args=[call.pk]), query)
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["²", "٣", "9" * 40, "\x00", "-1"])
def test_kpi_and_reports_pages_with_hostile_numbers_answer_200(client, value):
    programme = factories.ProgrammeFactory()
    client.force_login(factories.ProgrammeManagerFactory())
    kpis = client.get(reverse("kpi_overview", args=[programme.pk]), {"year": value})
    page = client.get(reverse("report_list"), {"programme": value, "year": value, "call": value})
    assert (kpis.status_code, page.status_code) == (200, 200)


@pytest.mark.django_db
def test_admissibility_checklist_saved_without_an_outcome(client, staff_user):
    application = ready_application()
    project_services.application_submit(actor=application.created_by, application=application)
    client.force_login(staff_user)
    response = client.post(
        reverse("admissibility_check", args=[application.pk]),
        {"complementary": "yes", "broad_application": "no", "outcome": "", "reason": "to do"},
    )
    application.refresh_from_db()
    assert response.status_code in (200, 302)
    assert application.state == ApplicationState.SUBMITTED
    check = application.admissibility
    assert (check.complementary, check.broad_application, check.checked_by) == (True, False, None)


@pytest.mark.django_db
@pytest.mark.parametrize("share", ["-1", "150", "1e309", "²"])
def test_public_body_share_out_of_range_is_a_message_on_the_field(client, share):
    client.force_login(factories.StaffFactory())
    response = client.post(
        reverse("organisation_create"), form_data(public_body_share=share, name="Kept BV")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["public_body_share"]
    assert "Kept BV" in response.content.decode()
    assert not Organisation.objects.filter(name="Kept BV").exists()
