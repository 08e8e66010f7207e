from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from programme.enums import BudgetLineKind, KpiKind, Role, SmeClass
from programme.models import BudgetLine, MilestoneRecord, Organisation, Programme, User

from .. import factories
from ..builders import PDF_BYTES


def history_rows() -> int:
    from django.apps import apps

    return sum(
        model.objects.count()
        for model in apps.get_models()
        if model.__name__.startswith("Historical")
    )


@pytest.fixture
def seeded(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    return Programme.objects.get(code="gg-2019")


def test_seed_demo_reproduces_the_budget_table_of_seed_001(seeded):
    lines = BudgetLine.objects.filter(programme_year__programme=seeded)
    by_year = {}
    for line in lines.select_related("programme_year"):
        by_year[line.year] = by_year.get(line.year, Decimal("0")) + line.amount
    assert by_year == {2019: Decimal("5000000"), 2020: Decimal("5000000")}
    assert sum(by_year.values()) == Decimal("10000000")
    projects = {line.year: line.amount for line in lines.filter(kind=BudgetLineKind.PROJECT_BUDGET)}
    assert projects == {2019: Decimal("4500000"), 2020: Decimal("5000000")}
    management = lines.get(kind=BudgetLineKind.PROGRAMME_MANAGEMENT)
    assert (management.amount, management.total_cost) == (Decimal("300000"), Decimal("600000"))


def test_seed_demo_has_reference_lists_kpis_and_registry(seeded):
    assert list(seeded.action_domains.values_list("code", flat=True)) == [
        "1",
        "2",
        "2a",
        "2b",
        "3",
        "3a",
        "3b",
    ]
    assert seeded.themes.count() == 4
    assert seeded.disease_domains.count() == 3
    kpis = list(seeded.kpis.values_list("number", "kind"))
    assert kpis == [
        (1, KpiKind.COMPUTED),
        (2, KpiKind.MILESTONE),
        (3, KpiKind.COMPUTED),
        (4, KpiKind.COMPUTED),
        (5, KpiKind.COMPUTED),
        (6, KpiKind.MILESTONE),
        (7, KpiKind.MILESTONE),
    ]
    companies = Organisation.objects.filter(kind="company")
    assert companies.count() >= 25
    assert {c.sme_class for c in companies} == set(SmeClass)
    assert Organisation.objects.filter(kind="research").count() == 5
    assert Organisation.objects.filter(kind="hospital").count() == 2
    roles_held = set()
    for user in User.objects.all():
        roles_held |= user.roles
    assert roles_held == {role.value for role in Role}


def test_seed_demo_twice_changes_nothing(seeded):
    from django.apps import apps

    counts = {m._meta.label: m.objects.count() for m in apps.get_models()}
    history = history_rows()
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert {m._meta.label: m.objects.count() for m in apps.get_models()} == counts
    assert history_rows() == history


def test_programme_page_shows_budget_table_in_dutch(client, seeded):
    client.force_login(User.objects.get(email="medewerker@vlaio.demo"))
    body = client.get(reverse("programme_detail", args=[seeded.pk])).content.decode()
    assert "Totaal programmabudget" in body
    assert "€\xa010.000.000" in body
    assert "€\xa04.500.000" in body


def test_programme_page_query_count_does_not_grow_with_milestones(client, seeded, query_count):
    pm = User.objects.get(email="programmamanager@demo.icon")
    client.force_login(pm)
    url = reverse("programme_detail", args=[seeded.pk])
    kpi = seeded.kpis.get(number=2)

    factories.MilestoneRecordFactory(kpi=kpi, recorded_by=pm)
    one = query_count(client.get, url)
    for _ in range(5):
        factories.MilestoneRecordFactory(kpi=kpi, recorded_by=pm)
    assert query_count(client.get, url) == one


def test_programme_manager_records_milestone_with_evidence(client, seeded):
    pm = User.objects.get(email="programmamanager@demo.icon")
    kpi = seeded.kpis.get(number=2)
    client.force_login(pm)
    response = client.post(
        reverse("milestone_create", args=[kpi.pk]),
        {
            "date": "2020-06-30",
            "description": "Roadmap opgeleverd",
            "evidence_file": SimpleUploadedFile("roadmap.pdf", PDF_BYTES),
        },
    )
    assert response.status_code == 302
    record = MilestoneRecord.objects.get()
    assert (record.kpi, record.date, record.recorded_by) == (kpi, date(2020, 6, 30), pm)
    download = client.get(reverse("milestone_evidence", args=[record.pk]))
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert record.evidence_file.name.endswith(".pdf")
    assert "roadmap" not in record.evidence_file.name  # stored under our name


def test_milestone_without_evidence_is_refused_and_keeps_input(client, seeded):
    pm = User.objects.get(email="programmamanager@demo.icon")
    kpi = seeded.kpis.get(number=2)
    client.force_login(pm)
    response = client.post(
        reverse("milestone_create", args=[kpi.pk]),
        {"date": "2020-06-30", "description": "Mijn beschrijving"},
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Voeg het bewijs toe als bestand of als link." in body
    assert "Mijn beschrijving" in body


def test_computed_kpi_takes_no_milestone(client, seeded):
    client.force_login(User.objects.get(email="programmamanager@demo.icon"))
    kpi = seeded.kpis.get(number=3)
    assert client.get(reverse("milestone_create", args=[kpi.pk])).status_code == 404


def test_home_shows_each_role_its_own_panels(client, seeded):
    panels = {
        "aanvrager@demo.icon": "Uw organisatie",
        "medewerker@vlaio.demo": "Te verifiëren organisaties",
        "programmamanager@demo.icon": "Programma-KPI's",
        "adviesraad@demo.icon": "Uw evaluaties",
    }
    for email, heading in panels.items():
        client.force_login(User.objects.get(email=email))
        assert heading in client.get(reverse("home")).content.decode(), email


def test_language_switch_to_english(client, seeded):
    client.force_login(User.objects.get(email="medewerker@vlaio.demo"))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("programme_detail", args=[seeded.pk])).content.decode()
    assert "Total programme budget" in body
    assert "€\xa010,000,000" in body


def test_demo_logins_that_need_a_second_factor_have_the_published_one(seeded, client):
    """`make run` can be tried at once: every printed demo login of an evaluating or
    deciding role has an authenticator app with the secret seed_demo prints (manage.py
    demo_code gives its current code); the applicants have none (optional for them)."""
    from allauth.mfa.adapter import get_adapter
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import validate_totp_code

    from programme.demo import DEMO_TOTP_SECRET, USERS
    from programme.middleware import second_factor_required
    from tests.conftest import totp_now

    demo_users = User.objects.filter(email__in=[row[0] for row in USERS])
    needs = {u.email: second_factor_required(u) for u in demo_users}
    enrolled = {
        a.user.email: get_adapter().decrypt(a.data["secret"])
        for a in Authenticator.objects.filter(
            type=Authenticator.Type.TOTP, user__in=demo_users
        ).select_related("user")
    }
    assert {e for e, n in needs.items() if n} == set(enrolled)
    assert "aanvrager@demo.icon" in needs and not needs["aanvrager@demo.icon"]
    assert set(enrolled.values()) == {DEMO_TOTP_SECRET}
    assert validate_totp_code(DEMO_TOTP_SECRET, totp_now(DEMO_TOTP_SECRET))
