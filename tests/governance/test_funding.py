"""Funded projects (governance.funding): the rules on plain values, then the services on
PostgreSQL — a decision becomes a project, the agreement is drawn up, signed and
amended, payments draw on the envelope and the database refuses paid above committed —
then the pages with their query guards."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from calls.enums import LedgerEntryKind
from calls.models import Envelope, LedgerEntry
from governance.decisions import services as decisions
from governance.funding import domain, selectors, services
from governance.funding.enums import (
    ChangeKind,
    ChangeState,
    CollaborationState,
    PaymentKind,
    PaymentState,
    ProjectState,
)
from governance.funding.models import FundedProject, Payment, SupportAgreement
from programme.states import Refused
from tests import factories
from tests.builders import PDF_BYTES, funded_project, running_project
from tests.pdf import pdf_info, pdf_text

D = Decimal

# --- Rules ----------------------------------------------------------------------------------


def test_add_months_clamps_to_the_last_day():
    assert domain.add_months(date(2020, 1, 31), 1) == date(2020, 2, 29)
    assert domain.add_months(date(2019, 11, 15), 48) == date(2023, 11, 15)


def test_split_aid_adds_up_to_the_cent():
    parts = domain.split_aid(D("100000.00"), {(1, 1): D("1"), (1, 2): D("1"), (2, 1): D("1")})
    assert sum(parts.values()) == D("100000.00")
    assert sorted(parts.values()) == [D("33333.33"), D("33333.33"), D("33333.34")]


def test_schedule_advances_follow_the_years_up_to_eighty_percent():
    schedule = domain.payment_schedule(
        aid_by_year={1: D("100000"), 2: D("300000")},
        start=date(2020, 1, 1),
        end=date(2021, 12, 31),
        advance_share=D("80"),
    )
    assert [(p.kind, p.year, p.due_on, p.amount) for p in schedule] == [
        (PaymentKind.ADVANCE, 1, date(2020, 1, 1), D("80000.00")),
        (PaymentKind.ADVANCE, 2, date(2021, 1, 1), D("240000.00")),
        (PaymentKind.BALANCE, 2, date(2022, 3, 31), D("80000.00")),
    ]


def test_dates_beyond_four_years_are_refused_with_the_limit():
    ok, reason = domain.can_set_dates(start=date(2020, 1, 1), end=date(2024, 1, 2), max_months=48)
    assert not ok
    assert reason == (
        "A project lasts at most 48 months: from 2020-01-01 it ends on 2024-01-01 at the latest."
    )
    assert domain.can_set_dates(start=date(2020, 1, 1), end=date(2024, 1, 1), max_months=48)[0]


def test_payment_waits_for_each_condition_in_turn():
    facts = dict(
        project_state=ProjectState.RUNNING,
        agreement_signed=True,
        collaboration_state=CollaborationState.ACCEPTED,
        kind=PaymentKind.ADVANCE,
        due_on=date(2020, 1, 1),
        today=date(2020, 1, 2),
        earlier_unpaid=0,
    )
    assert domain.can_pay(**facts) == (True, "")
    assert domain.can_pay(**{**facts, "collaboration_state": CollaborationState.UPLOADED}) == (
        False,
        "The collaboration agreement has not been accepted yet; nothing is paid before.",
    )
    assert domain.can_pay(**{**facts, "today": date(2019, 12, 31)}) == (
        False,
        "This payment is due on 2020-01-01, not before.",
    )
    assert domain.can_pay(**{**facts, "earlier_unpaid": 1})[0] is False
    assert domain.can_pay(**{**facts, "kind": PaymentKind.BALANCE})[0] is False


# --- A decision becomes a project ----------------------------------------------------------


def test_decision_becomes_a_project_only_after_the_month(db):
    with pytest.raises(Refused) as refused:
        funded_project(decided_days_ago=5)
    assert str(refused.value).startswith("The consortium may still decline the aid until")
    project = funded_project(aid="250000")
    assert (project.state, project.committed, project.paid) == (
        ProjectState.AGREEMENT_PENDING,
        D("250000.00"),
        D("0"),
    )
    assert project.history.first().history_change_reason == "funded project opened"


def test_open_due_skips_declined_and_recent_decisions(db):
    project = funded_project()
    recent = FundedProject.objects.get(pk=project.pk).decision
    FundedProject.objects.filter(pk=project.pk).delete()
    assert services.projects_open_due(now=recent.decided_at + timedelta(days=10)) == 0
    assert services.projects_open_due() == 1
    assert services.projects_open_due() == 0
    assert FundedProject.objects.get(decision=recent).state == ProjectState.AGREEMENT_PENDING


def test_declined_decision_never_becomes_a_project(db):
    project = funded_project()
    decision = project.decision
    FundedProject.objects.filter(pk=project.pk).delete()
    decision.decided_at = timezone.now() - timedelta(days=3)
    decision.save()
    decisions.decision_decline(
        actor=decision.application.created_by, decision=decision, reason="no longer needed"
    )
    with pytest.raises(Refused, match="declined"):
        services.project_open(actor=None, decision=decision, now=timezone.now() + timedelta(60))


# --- Support agreement -------------------------------------------------------------------------


def test_agreement_spreads_the_granted_aid_and_starts_the_project_when_signed(db):
    project = funded_project(aid="300000")
    staff = factories.StaffFactory()
    agreement = services.agreement_draw_up(
        actor=staff,
        project=project,
        start_date=date(2020, 1, 1),
        end_date=date(2021, 12, 31),
        deliverables=[{"description": "Panel", "target": "1"}],
    )
    lines = list(agreement.aid.all())
    assert sum(a.amount for a in lines) == D("300000.00")
    assert {a.year for a in lines} == {1, 2}
    assert len({a.partner_id for a in lines}) == 3
    services.agreement_sign(actor=staff, agreement=agreement, signed_on=date(2019, 12, 20))
    project.refresh_from_db()
    assert project.state == ProjectState.RUNNING
    assert (project.start_date, project.end_date) == (date(2020, 1, 1), date(2021, 12, 31))
    schedule = list(project.payments.values_list("kind", "year", "amount"))
    assert schedule == [
        (PaymentKind.ADVANCE, 1, D("120000.00")),
        (PaymentKind.ADVANCE, 2, D("120000.00")),
        (PaymentKind.BALANCE, 2, D("60000.00")),
    ]
    with pytest.raises(Refused, match="already signed"):
        services.agreement_sign(actor=staff, agreement=agreement, signed_on=date(2019, 12, 21))


def test_agreement_beyond_four_years_is_refused_on_the_end_date(db):
    project = funded_project()
    with pytest.raises(Refused) as refused:
        services.agreement_draw_up(
            actor=factories.StaffFactory(),
            project=project,
            start_date=date(2020, 1, 1),
            end_date=date(2024, 6, 1),
            deliverables=[],
        )
    assert list(refused.value.message_dict) == ["end_date"]
    assert not SupportAgreement.objects.filter(project=project).exists()


def test_agreement_pdf_is_tagged_and_in_the_consortiums_language(db):
    project = funded_project()
    agreement = services.agreement_draw_up(
        actor=factories.StaffFactory(),
        project=project,
        start_date=date(2020, 1, 1),
        end_date=date(2021, 12, 31),
        deliverables=[{"description": "Validated assay", "target": "2"}],
    )
    services.agreement_generate(agreement_id=agreement.pk)
    agreement.refresh_from_db()
    data = agreement.file.read()
    text = pdf_text(data)
    assert project.application.acronym in text
    assert "Steunovereenkomst" in text
    assert "Validated assay" in text
    assert pdf_info(data)["Tagged"] == "yes"
    first = agreement.sha256
    services.agreement_generate(agreement_id=agreement.pk)  # a redelivery changes nothing
    agreement.refresh_from_db()
    assert agreement.sha256 == first


# --- Payments ---------------------------------------------------------------------------------


def test_first_advance_is_paid_from_the_envelope_and_the_second_waits(db):
    project = running_project()
    staff = factories.StaffFactory()
    first, second, balance = project.payments.order_by("due_on")
    paid = services.payment_approve(actor=staff, payment=first)
    project.refresh_from_db()
    envelope = Envelope.objects.get(pk=project.envelope_id)
    assert paid.state == PaymentState.PAID
    assert paid.ledger_entry.kind == LedgerEntryKind.PAYMENT
    assert (project.paid, envelope.paid) == (first.amount, first.amount)
    with pytest.raises(Refused) as refused:
        services.payment_approve(actor=staff, payment=second)
    assert str(refused.value) == f"This payment is due on {second.due_on.isoformat()}, not before."
    with pytest.raises(Refused, match="balance is paid after"):
        services.payment_approve(actor=staff, payment=balance)
    with pytest.raises(Refused, match="Only|cannot become"):
        services.payment_approve(actor=staff, payment=first)


def test_no_payment_before_the_collaboration_agreement_is_accepted(db):
    project = running_project(collaboration=False)
    first = project.payments.order_by("due_on").first()
    with pytest.raises(Refused) as refused:
        services.payment_approve(actor=factories.StaffFactory(), payment=first)
    assert str(refused.value) == (
        "The collaboration agreement has not been accepted yet; nothing is paid before."
    )
    assert not LedgerEntry.objects.filter(kind=LedgerEntryKind.PAYMENT).exists()


def test_collaboration_upload_must_be_a_pdf(db):
    project = running_project(collaboration=False)
    coordinator = project.application.partners.get(is_coordinator=True).contact
    with pytest.raises(Refused) as refused:
        services.collaboration_upload(
            actor=coordinator, project=project, file=ContentFile(b"hello", name="x.pdf")
        )
    assert list(refused.value.message_dict) == ["file"]


def test_database_refuses_paid_above_committed(db):
    project = running_project()
    with pytest.raises(IntegrityError), transaction.atomic():
        FundedProject.objects.filter(pk=project.pk).update(paid=project.committed + 1)
    envelope = project.envelope
    with pytest.raises(IntegrityError), transaction.atomic():
        Envelope.objects.filter(pk=envelope.pk).update(paid=envelope.committed + 1)


# --- Changes and closing -----------------------------------------------------------------------


def _coordinator(project):
    return project.application.partners.get(is_coordinator=True).contact


def test_approved_extension_amends_the_agreement(db):
    project = running_project(months=24)
    current = services.agreement_in_force(project)
    change = services.change_request(
        actor=_coordinator(project),
        project=project,
        kind=ChangeKind.EXTENSION,
        description="Recruitment of patients is slower.",
        new_end_date=current.end_date + timedelta(days=180),
    )
    project.refresh_from_db()
    assert project.pending_changes == 1
    services.change_decide(
        actor=factories.StaffFactory(), change=change, approve=True, reason="Justified."
    )
    project.refresh_from_db()
    amended = services.agreement_in_force(project)
    assert (amended.version, amended.end_date) == (2, current.end_date + timedelta(days=180))
    assert "Recruitment of patients is slower." in amended.change_summary
    assert (project.end_date, project.pending_changes) == (amended.end_date, 0)


def test_extension_beyond_four_years_is_refused(db):
    project = running_project(months=40)
    change = services.change_request(
        actor=_coordinator(project),
        project=project,
        kind=ChangeKind.EXTENSION,
        description="More time.",
        new_end_date=project.start_date + timedelta(days=5 * 365),
    )
    with pytest.raises(Refused, match="at most 48 months"):
        services.change_decide(
            actor=factories.StaffFactory(), change=change, approve=True, reason="ok"
        )
    change.refresh_from_db()
    assert change.state == ChangeState.PENDING


def _aid(project):
    return services.aid_parts(services.agreement_in_force(project))


def test_budget_increase_that_does_not_fit_the_envelope_is_refused_with_figures(db):
    project = running_project(aid="300000", envelope="310000")
    (partner, year), amount = sorted(_aid(project).items())[0]
    change = services.change_request(
        actor=_coordinator(project),
        project=project,
        kind=ChangeKind.BUDGET_SHIFT,
        description="More work.",
        new_aid={partner: {year: str(amount + D("20000"))}},
    )
    with pytest.raises(Refused) as refused:
        services.change_decide(
            actor=factories.StaffFactory(), change=change, approve=True, reason="ok"
        )
    assert str(refused.value) == (
        "The change adds €\xa020,000.00 of aid, but the envelope has only €\xa010,000.00 available."
    )


def test_budget_decrease_releases_the_difference(db):
    project = running_project(aid="300000")
    (partner, year), amount = sorted(_aid(project).items())[0]
    change = services.change_request(
        actor=_coordinator(project),
        project=project,
        kind=ChangeKind.PARTNER_LEAVES,
        description="Partner leaves after year 1.",
        new_aid={partner: {year: str(amount - D("10000"))}},
    )
    services.change_decide(actor=factories.StaffFactory(), change=change, approve=True, reason="ok")
    project.refresh_from_db()
    assert (project.committed, project.released) == (D("290000.00"), D("10000.00"))
    assert sum(p.amount for p in project.payments.filter(state=PaymentState.SCHEDULED)) == D(
        "290000.00"
    )


def test_refused_change_keeps_the_agreement(db):
    project = running_project()
    change = services.change_request(
        actor=_coordinator(project),
        project=project,
        kind=ChangeKind.EXTENSION,
        description="More time.",
        new_end_date=project.end_date + timedelta(days=30),
    )
    with pytest.raises(Refused):
        services.change_decide(
            actor=factories.StaffFactory(), change=change, approve=False, reason=""
        )
    services.change_decide(
        actor=factories.StaffFactory(), change=change, approve=False, reason="Not justified."
    )
    assert services.agreement_in_force(project).version == 1
    assert ChangeRequest_state(change) == ChangeState.REFUSED


def ChangeRequest_state(change):  # noqa: N802 - reads as a phrase in the assertion
    change.refresh_from_db()
    return change.state


def test_closing_releases_what_was_not_paid(db):
    project = running_project(started_days_ago=800, months=24)
    staff = factories.StaffFactory()
    first = project.payments.order_by("due_on").first()
    services.payment_approve(actor=staff, payment=first)
    envelope_before = Envelope.objects.get(pk=project.envelope_id)
    services.project_transition(actor=staff, project=project, to_state=ProjectState.REPORTING)
    services.project_transition(actor=staff, project=project, to_state=ProjectState.CLOSING)
    services.project_close(actor=staff, project=project)
    project.refresh_from_db()
    envelope = Envelope.objects.get(pk=project.envelope_id)
    unpaid = D("300000.00") - first.amount
    assert (project.state, project.committed, project.paid, project.released) == (
        ProjectState.CLOSED,
        first.amount,
        first.amount,
        unpaid,
    )
    assert envelope.committed == envelope_before.committed - unpaid
    assert not project.payments.filter(state=PaymentState.SCHEDULED).exists()


def test_final_reporting_waits_for_the_end_date(db):
    project = running_project()
    with pytest.raises(Refused, match="final reporting starts after that"):
        services.project_transition(
            actor=factories.StaffFactory(), project=project, to_state=ProjectState.REPORTING
        )


# --- Pages ----------------------------------------------------------------------------------------


def test_dashboard_queries_stay_constant(db, client, query_count):
    staff = factories.StaffFactory()
    client.force_login(staff)
    running_project()
    url = reverse("funding_dashboard")
    one = query_count(client.get, url)
    running_project()
    funded_project()
    assert query_count(client.get, url) == one
    response = client.get(url)
    assert response.context["board"].unsigned == 1
    assert len(response.context["projects"]) == 3


def test_payment_run_queries_stay_constant_and_export(db, client, query_count):
    staff = factories.StaffFactory()
    client.force_login(staff)
    running_project()
    url = reverse("payment_run")
    one = query_count(client.get, url)
    running_project()
    running_project(collaboration=False)
    assert query_count(client.get, url) == one
    response = client.get(url)
    assert [p.ok for p in response.context["payments"]] == [True, True, False]
    csv = client.get(reverse("payment_run_export", args=["csv"]), HTTP_ACCEPT_LANGUAGE="en")
    assert csv.status_code == 200
    assert csv.content.decode("utf-8-sig").count("\n") >= 4


def test_project_page_for_the_consortium_only(db, client):
    project = running_project()
    client.force_login(_coordinator(project))
    response = client.get(reverse("funded_project", args=[project.pk]))
    assert response.status_code == 200
    assert response.context["in_force"].version == 1
    client.force_login(factories.ApplicantFactory())
    assert client.get(reverse("funded_project", args=[project.pk])).status_code == 404


def test_collaboration_upload_page_keeps_the_error_on_the_field(db, client):
    project = running_project(collaboration=False)
    client.force_login(_coordinator(project))
    response = client.post(
        reverse("collaboration_upload", args=[project.pk]),
        {"file": ContentFile(b"not a pdf", name="x.pdf")},
    )
    assert response.status_code == 400
    assert response.context["upload_form"].errors["file"]
    response = client.post(
        reverse("collaboration_upload", args=[project.pk]),
        {"file": ContentFile(PDF_BYTES, name="collab.pdf")},
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.collaboration_state == CollaborationState.UPLOADED


def test_dashboard_lists_payments_due_with_totals(db):
    running_project()
    board = selectors.dashboard(timezone.localdate(), timezone.now())
    assert board.payments_due == 1
    assert board.payments_due_total == Payment.objects.order_by("due_on").first().amount


def test_budget_page_shows_committed_paid_and_released(db, client):
    project = running_project(started_days_ago=800, months=24)
    staff = factories.StaffFactory()
    first = project.payments.order_by("due_on").first()
    services.payment_approve(actor=staff, payment=first)
    services.project_stop(actor=staff, project=project, reason="Consortium fell apart.")
    client.force_login(staff)
    year = project.envelope.call.programme_year
    response = client.get(reverse("budget_year", args=[year.pk]), HTTP_ACCEPT_LANGUAGE="en")
    overview = response.context["overview"]
    unpaid = D("300000.00") - first.amount
    assert (overview["committed"], overview["paid"], overview["released"]) == (
        first.amount,
        first.amount,
        unpaid,
    )
    (envelope,) = response.context["envelopes"]
    assert (envelope.paid, envelope.released) == (first.amount, unpaid)
    assert 'id="sum-paid"' in response.content.decode()
