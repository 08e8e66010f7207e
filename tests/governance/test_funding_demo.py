"""The demo's funded projects: the 2019 call's funded decisions are running projects with
signed agreements, accepted collaboration agreements and the first advance paid; one has
a pending change; the budget of 2019 shows committed beside paid. Seeding twice changes
nothing."""

from decimal import Decimal

from django.core.management import call_command
from django.db.models import Sum

from calls.models import Envelope
from governance.decisions.enums import DecisionOutcome
from governance.funding.enums import (
    ChangeState,
    CollaborationState,
    PaymentKind,
    PaymentState,
    ProjectState,
)
from governance.funding.models import ChangeRequest, FundedProject, Payment
from governance.models import FundingDecision


def test_demo_projects_run_with_paid_advances(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    funded = FundingDecision.objects.filter(
        application__call__programme_year__year=2019,
        outcome=DecisionOutcome.FUND,
        declined_at__isnull=True,
    )
    projects = list(FundedProject.objects.all())
    assert funded.count() > 0
    assert len(projects) == funded.count()
    assert {p.state for p in projects} == {ProjectState.RUNNING}
    assert {p.collaboration_state for p in projects} == {CollaborationState.ACCEPTED}
    paid = Payment.objects.filter(state=PaymentState.PAID)
    assert sorted(paid.values_list("kind", "year")) == [(PaymentKind.ADVANCE, 1)] * len(projects)
    assert all(Decimal("0") < p.paid < p.committed for p in projects)
    assert ChangeRequest.objects.filter(state=ChangeState.PENDING).count() == 1
    envelopes = Envelope.objects.filter(call__programme_year__year=2019).aggregate(
        paid=Sum("paid"), committed=Sum("committed")
    )
    assert envelopes["paid"] == sum(p.paid for p in projects)
    assert envelopes["paid"] < envelopes["committed"]

    counts = (FundedProject.objects.count(), Payment.objects.count(), ChangeRequest.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert (
        FundedProject.objects.count(),
        Payment.objects.count(),
        ChangeRequest.objects.count(),
    ) == counts
