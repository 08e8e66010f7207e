"""The envelope guarantee under real concurrency: threads with their own PostgreSQL
connections commit against one envelope at the same moment. The total committed never
exceeds the amount, and every refused commitment says why."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone, translation

from calls import services
from calls.enums import CallState, LedgerEntryKind
from calls.models import Envelope, LedgerEntry, ReminderSent
from programme.states import Refused
from tests import factories
from tests.factories import CallFactory, CallRegistrationFactory, EnvelopeFactory


def run_in_threads(count: int, work) -> list:
    """Run work(i) in `count` threads released together; returns their results in order."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def target(i):
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - reported to the test as the result
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.mark.django_db(transaction=True)
def test_fifty_parallel_commitments_never_over_allocate():
    staff = factories.StaffFactory()
    envelope = EnvelopeFactory(initial_amount=Decimal("1000000"))

    def commit(i):
        with translation.override("en"):
            return services.envelope_commit(
                actor=staff,
                envelope=Envelope.objects.get(pk=envelope.pk),
                amount=Decimal("30000"),
                reason=f"decision {i}",
                reference=f"APP-{i}",
            )

    results = run_in_threads(50, commit)

    accepted = [r for r in results if isinstance(r, LedgerEntry)]
    refused = [r for r in results if isinstance(r, Refused)]
    assert (len(accepted), len(refused)) == (33, 17)  # 33 × 30,000 = 990,000 ≤ 1,000,000
    assert [r for r in results if not isinstance(r, LedgerEntry | Refused)] == []
    assert all(str(r).startswith("Refused: committing") for r in refused)
    assert all("available" in str(r) for r in refused)
    envelope.refresh_from_db()
    ledger_total = LedgerEntry.objects.filter(
        envelope=envelope, kind=LedgerEntryKind.COMMIT
    ).aggregate(total=Sum("amount"))["total"]
    assert (envelope.committed, ledger_total) == (Decimal("990000"), Decimal("990000"))
    assert envelope.committed <= envelope.amount


@pytest.mark.django_db(transaction=True)
def test_parallel_envelope_creation_never_exceeds_the_year_budget():
    staff = factories.StaffFactory()
    call = CallFactory()  # project budget of its year: 4,500,000

    def create(i):
        return services.envelope_create(
            actor=staff, call=call, name_nl=f"E{i}", name_en=f"E{i}", amount=Decimal("1000000")
        )

    results = run_in_threads(8, create)

    assert sum(isinstance(r, Envelope) for r in results) == 4
    assert sum(isinstance(r, Refused) for r in results) == 4
    total = Envelope.objects.filter(call__programme_year=call.programme_year).aggregate(
        total=Sum("amount")
    )["total"]
    assert total == Decimal("4000000")


@pytest.mark.django_db(transaction=True)
def test_parallel_reminder_runs_send_each_reminder_once(mailoutbox):
    call = CallFactory(state=CallState.OPEN, deadline=timezone.now() + timedelta(hours=12))
    registrations = [CallRegistrationFactory(call=call) for _ in range(5)]

    results = run_in_threads(4, lambda i: services.reminders_send_due())

    assert sum(results) == 5
    assert ReminderSent.objects.filter(call=call).count() == 5
    assert sorted(m.to[0] for m in mailoutbox) == sorted(r.user.email for r in registrations)
