"""The payment guarantee under real concurrency: threads with their own PostgreSQL
connections approve payments of one project, and pay on one envelope, at the same
moment. Paid never exceeds committed, per project and per envelope, and every refused
payment says why."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone, translation

from calls import services as call_services
from calls.enums import LedgerEntryKind
from calls.models import Envelope, LedgerEntry
from governance.funding import services
from governance.funding.enums import PaymentKind, PaymentState
from governance.funding.models import FundedProject, Payment
from programme.states import Refused
from tests import factories
from tests.builders import running_project
from tests.calls.test_concurrency import run_in_threads


@pytest.mark.django_db(transaction=True)
def test_fifty_parallel_payments_never_pay_more_than_committed():
    project = running_project(aid="300000")
    staff = factories.StaffFactory()
    # Replace the schedule by 50 advances of 7,500 all due yesterday: 40 fit in 300,000.
    Payment.objects.filter(project=project).update(state=PaymentState.CANCELLED)
    yesterday = timezone.localdate() - timedelta(days=1)
    payments = [
        Payment.objects.create(
            project=project, kind=PaymentKind.ADVANCE, year=1, due_on=yesterday, amount="7500"
        )
        for _ in range(50)
    ]

    def pay(i):
        with translation.override("en"):
            return services.payment_approve(actor=staff, payment=payments[i])

    results = run_in_threads(50, pay)

    accepted = [r for r in results if isinstance(r, Payment)]
    refused = [r for r in results if isinstance(r, Refused)]
    assert [r for r in results if not isinstance(r, Payment | Refused)] == []
    assert (len(accepted), len(refused)) == (40, 10)
    assert {str(r) for r in refused} == {
        "Refused: this payment would bring the paid aid above the committed aid."
    }
    project = FundedProject.objects.get(pk=project.pk)
    envelope = Envelope.objects.get(pk=project.envelope_id)
    ledger = LedgerEntry.objects.filter(envelope=envelope, kind=LedgerEntryKind.PAYMENT)
    assert (project.paid, envelope.paid, ledger.aggregate(t=Sum("amount"))["t"]) == (
        Decimal("300000.00"),
        Decimal("300000.00"),
        Decimal("300000.00"),
    )
    assert project.paid <= project.committed and envelope.paid <= envelope.committed


@pytest.mark.django_db(transaction=True)
def test_fifty_parallel_envelope_payments_never_exceed_the_commitment():
    staff = factories.StaffFactory()
    envelope = factories.EnvelopeFactory(initial_amount=Decimal("1000000"))
    call_services.envelope_commit(
        actor=staff, envelope=envelope, amount=Decimal("100000"), reason="decision", reference="P1"
    )

    def pay(i):
        with translation.override("en"):
            return call_services.envelope_pay(
                actor=staff,
                envelope=Envelope.objects.get(pk=envelope.pk),
                amount=Decimal("3000"),
                reason=f"advance {i}",
                reference="P1",
            )

    results = run_in_threads(50, pay)

    accepted = [r for r in results if isinstance(r, LedgerEntry)]
    refused = [r for r in results if isinstance(r, Refused)]
    assert (len(accepted), len(refused)) == (33, 17)  # 33 × 3,000 = 99,000 ≤ 100,000
    assert all(str(r).startswith("Refused: paying") for r in refused)
    envelope.refresh_from_db()
    assert (envelope.paid, envelope.committed) == (Decimal("99000.00"), Decimal("100000.00"))
