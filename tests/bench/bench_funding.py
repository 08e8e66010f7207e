"""Funded-project figures (`BENCH_ONLY=funding make bench`): the payment run (and its XLSX
for the finance department) and the staff dashboard with 1,000 running projects, each
with one advance due this month — HTTP on gunicorn (median, p95, errors) and the SQL
queries of one page.

Rows live in the separate 'bench' programme (year 2099) so the demo stays as it is;
they are bulk rows (application, commitment on the ledger, decision, project, payment),
topped up to 1,000, not recreated.
"""

from datetime import timedelta
from decimal import Decimal

STAFF = "medewerker@vlaio.demo"
PROJECTS = 1000
AID = Decimal("400000")
ADVANCE = Decimal("160000")


def _bench_world():
    from django.utils import timezone

    from calls.enums import CallState
    from calls.models import Call, CallParameters, Envelope
    from governance.bodies.enums import BodyKind
    from governance.bodies.models import Body, Meeting
    from programme.models import Programme, ProgrammeYear, User

    programme, _ = Programme.objects.get_or_create(
        code="bench", defaults={"name_nl": "Benchprogramma", "name_en": "Bench programme"}
    )
    year, _ = ProgrammeYear.objects.get_or_create(programme=programme, year=2099)
    title = "Bench funded projects"
    call = Call.objects.filter(programme_year=year, title_en=title).first()
    if call is None:
        now = timezone.now()
        call = Call.objects.create(
            programme=programme,
            programme_year=year,
            title_nl=title,
            title_en=title,
            opens_at=now - timedelta(days=400),
            deadline=now - timedelta(days=300),
            state=CallState.DECIDED,
        )
        CallParameters.objects.create(call=call)
    envelope, _ = Envelope.objects.get_or_create(
        call=call,
        name_nl="Benchenvelop",
        defaults={
            "name_en": "Bench envelope",
            "initial_amount": AID * PROJECTS,
            "amount": AID * PROJECTS,
        },
    )
    body, _ = Body.objects.get_or_create(
        programme=programme,
        kind=BodyKind.STEERING_GROUP,
        defaults={"name_nl": "Stuurgroep (bench)", "name_en": "Steering group (bench)"},
    )
    staff = User.objects.get(email=STAFF)
    meeting = Meeting.objects.filter(body=body).first() or Meeting.objects.create(
        body=body,
        date=timezone.localdate() - timedelta(days=200),
        subject="Bench",
        recorded_by=staff,
    )
    return call, envelope, meeting, staff


def _ensure_projects() -> None:
    """Top the bench call up to PROJECTS running projects (bulk rows)."""
    from django.db import transaction
    from django.db.models import F
    from django.utils import timezone

    from calls.enums import LedgerEntryKind
    from calls.models import Envelope, LedgerEntry
    from governance.funding.enums import CollaborationState, PaymentKind, ProjectState
    from governance.funding.models import FundedProject, Payment
    from governance.models import FundingDecision
    from programme.models import Organisation
    from projects.models import Application, Partner

    call, envelope, meeting, staff = _bench_world()
    existing = FundedProject.objects.filter(envelope=envelope).count()
    if existing >= PROJECTS:
        return
    organisations = list(Organisation.objects.order_by("pk")[:20])
    today = timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        apps = Application.objects.bulk_create(
            [
                Application(
                    call=call,
                    coordinator=organisations[i % len(organisations)],
                    created_by=staff,
                    title=f"Bench funded project {i}",
                    acronym=f"FUND{i}",
                    state="admissible",
                    submitted_at=now - timedelta(days=320),
                    receipt_number=f"BENCHF-{call.pk}-{i:05d}",
                    snapshot={"bench": True},
                    total_cost=AID * 2,
                    total_aid=AID,
                )
                for i in range(existing, PROJECTS)
            ]
        )
        Partner.objects.bulk_create(
            Partner(
                application=a,
                organisation=a.coordinator,
                part="company",
                is_coordinator=True,
                contact=staff,
                contact_email=staff.email,
            )
            for a in apps
        )
        Envelope.objects.filter(pk=envelope.pk).update(committed=F("committed") + AID * len(apps))
        entries = LedgerEntry.objects.bulk_create(
            LedgerEntry(
                envelope=envelope,
                kind=LedgerEntryKind.COMMIT,
                amount=AID,
                reason="bench commitment",
                reference=a.receipt_number,
            )
            for a in apps
        )
        decisions = FundingDecision.objects.bulk_create(
            FundingDecision(
                application=a,
                meeting=meeting,
                outcome="fund",
                amount=AID,
                envelope=envelope,
                ledger_entry=entry,
                decided_by="Bench",
                decided_at=now - timedelta(days=200),
                recorded_by=staff,
            )
            for a, entry in zip(apps, entries, strict=True)
        )
        projects = FundedProject.objects.bulk_create(
            FundedProject(
                decision=d,
                application_id=d.application_id,
                envelope=envelope,
                state=ProjectState.RUNNING,
                start_date=today - timedelta(days=150),
                end_date=today + timedelta(days=580),
                committed=AID,
                collaboration_state=CollaborationState.ACCEPTED,
                next_payment_due=today.replace(day=1),
            )
            for d in decisions
        )
        Payment.objects.bulk_create(
            Payment(
                project=p,
                kind=PaymentKind.ADVANCE,
                year=1,
                due_on=today.replace(day=1),
                amount=ADVANCE,
            )
            for p in projects
        )


def _page(ctx, path: str) -> dict:
    load = ctx.load(path, requests=20, concurrency=2, email=STAFF)
    return {
        "median_ms": load["median_ms"],
        "p95_ms": load["p95_ms"],
        "errors": load["errors"],
        "queries": ctx.queries(path, email=STAFF),
    }


def run(ctx) -> dict:
    _ensure_projects()
    figures = {}
    for key, path in (
        ("payment_run_1000", "/governance/funding/payments/"),
        ("payment_run_1000_xlsx", "/governance/funding/payments/export.xlsx"),
        ("dashboard_1000", "/governance/funding/"),
    ):
        figures.update({f"{key}.{name}": value for name, value in _page(ctx, path).items()})
    return figures
