"""Calls figures: the call lists with 200 calls (public and staff), and envelope
commitments per second with 8 concurrent writers on one envelope, with the count of
over-allocations (must be 0).

Rows are made with the ORM in a separate 'bench' programme so the demo stays as it is.
The 200 calls are topped up, not recreated; each run adds one new envelope (ledger rows
are append-only and cannot be deleted).
"""

import threading
import time
from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Sum
from django.utils import timezone

STAFF = "medewerker@vlaio.demo"
CALLS = 200
WRITERS = 8
COMMITS_PER_WRITER = 100
ENVELOPE_AMOUNT = Decimal("1000000")
COMMIT_AMOUNT = Decimal("1500")  # 800 × 1,500 = 1,200,000: about 1 in 6 must be refused


def _bench_programme_year():
    from programme.models import Programme, ProgrammeYear

    programme, _ = Programme.objects.get_or_create(
        code="bench", defaults={"name_nl": "Benchprogramma", "name_en": "Bench programme"}
    )
    year, _ = ProgrammeYear.objects.get_or_create(programme=programme, year=2099)
    return year


def _ensure_calls(year) -> None:
    from calls.enums import CallState
    from calls.models import Call, CallParameters, Criterion

    existing = Call.objects.filter(programme_year=year, title_en__startswith="Bench call").count()
    now = timezone.now()
    for i in range(existing, CALLS):
        call = Call.objects.create(
            programme=year.programme,
            programme_year=year,
            title_nl=f"Benchoproep {i}",
            title_en=f"Bench call {i}",
            opens_at=now - timedelta(days=1),
            deadline=now + timedelta(days=3650 + i),
            state=CallState.OPEN,
            parameters_frozen_at=now,
        )
        CallParameters.objects.create(call=call)
        Criterion.objects.create(call=call, position=1, name_nl="Kwaliteit", name_en="Quality")


def _commit_throughput(year) -> dict:
    from calls import services
    from calls.models import Call, Envelope, LedgerEntry
    from programme.states import Refused

    call = Call.objects.filter(programme_year=year).first()
    envelope = Envelope.objects.create(
        call=call,
        name_nl=f"Benchenvelop {timezone.now():%Y%m%d%H%M%S}",
        name_en="Bench envelope",
        initial_amount=ENVELOPE_AMOUNT,
        amount=ENVELOPE_AMOUNT,
    )
    barrier = threading.Barrier(WRITERS)
    counts = {"accepted": 0, "refused": 0, "refused_without_reason": 0, "errors": 0}
    lock = threading.Lock()

    def writer(n: int):
        try:
            barrier.wait()
            for i in range(COMMITS_PER_WRITER):
                try:
                    services.envelope_commit(
                        actor=None,
                        envelope=Envelope(pk=envelope.pk),
                        amount=COMMIT_AMOUNT,
                        reason="bench",
                        reference=f"W{n}-{i}",
                    )
                    key = "accepted"
                except Refused as exc:
                    key = "refused" if str(exc) else "refused_without_reason"
                except Exception:  # noqa: BLE001 - counted, the figure must stay 0
                    key = "errors"
                with lock:
                    counts[key] += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started

    envelope.refresh_from_db()
    ledger = LedgerEntry.objects.filter(envelope=envelope, kind="commit").aggregate(
        total=Sum("amount")
    )["total"] or Decimal("0")
    over = int(envelope.committed + envelope.reserved > envelope.amount) + int(
        ledger != envelope.committed
    )
    return {
        "commit.writers": WRITERS,
        "commit.attempts": WRITERS * COMMITS_PER_WRITER,
        "commit.accepted": counts["accepted"],
        "commit.refused": counts["refused"],
        "commit.refused_without_reason": counts["refused_without_reason"],
        "commit.errors": counts["errors"],
        "commit.attempts_per_second": round(WRITERS * COMMITS_PER_WRITER / elapsed, 1),
        "commit.accepted_per_second": round(counts["accepted"] / elapsed, 1),
        "commit.committed_eur": str(envelope.committed),
        "commit.over_allocations": over,
    }


def run(ctx) -> dict:
    from calls.models import Call

    year = _bench_programme_year()
    _ensure_calls(year)
    figures = {"calls_in_database": Call.objects.count()}
    some_call = Call.objects.filter(programme_year=year).order_by("pk").first()
    pages = {
        "call_list_public": ("/calls/", None),
        "call_manage_list_staff": ("/calls/manage/", STAFF),
        "call_detail_public": (f"/calls/{some_call.pk}/", None),
        "call_ics_public": ("/calls/deadlines.ics", None),
    }
    for name, (path, email) in pages.items():
        load = ctx.load(path, requests=200, concurrency=8, email=email)
        figures[f"{name}.median_ms"] = load["median_ms"]
        figures[f"{name}.p95_ms"] = load["p95_ms"]
        figures[f"{name}.rps"] = load["rps"]
        figures[f"{name}.errors"] = load["errors"]
        figures[f"{name}.queries"] = ctx.queries(path, email=email)
    figures.update(_commit_throughput(year))
    return figures
