from decimal import Decimal

import pytest
from django.urls import reverse

from programme import services
from programme.enums import SmeClass
from programme.models import Organisation

from .. import factories


def form_data(**overrides):
    data = {
        "name": "Nieuwe Biotech BV",
        "enterprise_number": "BE0403.170.701",
        "kind": "company",
        "is_flemish": "on",
        "reference_year": "2018",
        "headcount": "12",
        "turnover": "1500000",
        "balance_sheet_total": "900000",
        "public_body_share": "0",
    }
    data.update(overrides)
    return data


def test_applicant_registers_own_organisation_and_becomes_member(
    client, db, mailoutbox, django_capture_on_commit_callbacks
):
    staff = factories.StaffFactory()
    applicant = factories.UserFactory(roles=["applicant"])
    client.force_login(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("organisation_create"), form_data())
    organisation = Organisation.objects.get()
    assert response.status_code == 302
    assert organisation.enterprise_number == "0403170701"
    assert organisation.sme_class == SmeClass.SMALL  # 12 staff: not micro
    applicant.refresh_from_db()
    assert applicant.organisation == organisation
    assert [m.to for m in mailoutbox] == [[staff.email]]
    assert organisation.history.first().history_user == applicant


@pytest.mark.parametrize(
    ("language", "number", "message"),
    [
        ("nl", "BE0403.170.702", "De controlecijfers van dit ondernemingsnummer kloppen niet"),
        ("en", "BE0403.170.702", "The check digits of this enterprise number are wrong"),
        ("nl", "12345", "Een ondernemingsnummer heeft 10 cijfers"),
        ("en", "12345", "An enterprise number has 10 digits"),
    ],
)
def test_enterprise_number_error_is_shown_in_the_users_language(
    client, applicant, language, number, message
):
    client.cookies["django_language"] = language
    client.force_login(applicant)
    response = client.post(
        reverse("organisation_create"), form_data(enterprise_number=number, name="Typed Name BV")
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert 'value="Typed Name BV"' in body  # nothing typed is lost
    assert Organisation.objects.filter(name="Typed Name BV").count() == 0


def test_duplicate_enterprise_number_names_the_existing_organisation(client, applicant):
    existing = factories.OrganisationFactory(name="Al Bestaande NV")
    client.cookies["django_language"] = "en"
    client.force_login(applicant)
    response = client.post(
        reverse("organisation_create"),
        form_data(enterprise_number=existing.enterprise_number_display),
    )
    assert response.status_code == 200
    assert "is already registered as “Al Bestaande NV”" in response.content.decode()


def test_sme_class_is_recomputed_when_figures_change(staff_user):
    organisation = services.organisation_save(
        actor=staff_user,
        enterprise_number="0403170701",
        name="Groeier BV",
        kind="company",
        is_flemish=True,
        reference_year=2018,
        headcount=8,
        turnover=Decimal("1000000"),
        balance_sheet_total=Decimal("1000000"),
        public_body_share=Decimal("0"),
    )
    assert organisation.sme_class == SmeClass.MICRO
    services.organisation_save(
        actor=staff_user,
        organisation=organisation,
        enterprise_number="0403170701",
        headcount=260,
        reason="annual accounts 2019",
    )
    organisation.refresh_from_db()
    assert organisation.sme_class == SmeClass.LARGE
    assert organisation.history.first().history_change_reason == "annual accounts 2019"


def test_staff_sees_audit_trail_applicant_does_not(client, applicant, staff_user):
    organisation = applicant.organisation
    url = reverse("organisation_detail", args=[organisation.pk])
    client.force_login(staff_user)
    assert "Audit trail" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.force_login(applicant)
    assert "Audit trail" not in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_applicant_cannot_edit_another_organisation(client, applicant):
    other = factories.OrganisationFactory()
    client.force_login(applicant)
    response = client.post(reverse("organisation_edit", args=[other.pk]), form_data())
    assert response.status_code == 404


def test_organisation_list_query_count_is_constant(client, staff_user, query_count):
    client.force_login(staff_user)
    factories.ApplicantFactory()
    one = query_count(client.get, reverse("organisation_list"))
    for _ in range(20):
        factories.ApplicantFactory()
    assert query_count(client.get, reverse("organisation_list")) == one


def test_organisation_list_search_by_number_and_name(client, staff_user):
    wanted = factories.OrganisationFactory(name="Zoekbaar NV")
    factories.OrganisationFactory(name="Ander NV")
    client.force_login(staff_user)
    by_name = client.get(reverse("organisation_list"), {"q": "zoekbaar"})
    by_number = client.get(reverse("organisation_list"), {"q": wanted.enterprise_number_display})
    assert list(by_name.context["organisations"]) == [wanted]
    assert list(by_number.context["organisations"]) == [wanted]
