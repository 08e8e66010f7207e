"""Benchmark of the decision side: the ranking page (consensus, thresholds, weighted
totals, tie-breaks, envelope cut, scenario figures and the optimal set) for a call with
300 admissible applications × 5 submitted reviews × 4 criteria, plus consensus.

The data is made with bulk_create in a call of its own ("BENCH ranking 300", in the demo
programme's 2020 year, with its own envelope of 30 M€) and deleted afterwards, so the
other benchmarks' pages do not see it. With the harness's `ctx` (make bench) the page
is loaded through gunicorn (median, p95, queries); without it (python
tests/bench/bench_decisions.py) through Django's test client.
"""

import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

APPLICATIONS = 300
REVIEWS = 5
CRITERIA = 4
STAFF = "medewerker@vlaio.demo"


def _make_call():
    from calls.enums import CallState
    from calls.models import Call, CallParameters, Criterion, Envelope
    from governance.models import ConsensusScore, ReviewAssignment, ReviewScore
    from governance.review.enums import AssignmentState
    from programme.models import Organisation, ProgrammeYear, User
    from projects.enums import Activity, ApplicationState, CostCategory, Part
    from projects.models import Application, BudgetEntry, Partner

    rng = random.Random(300)
    year = ProgrammeYear.objects.filter(year=2020).select_related("programme").first()
    now = datetime(2020, 10, 1, 12, tzinfo=UTC)
    call = Call.objects.create(
        programme=year.programme,
        programme_year=year,
        title_nl="BENCH ranking 300",
        title_en="BENCH ranking 300",
        opens_at=now - timedelta(days=90),
        deadline=now - timedelta(days=30),
        state=CallState.IN_EVALUATION,
    )
    CallParameters.objects.create(call=call)
    criteria = [
        Criterion.objects.create(
            call=call, position=i + 1, name_nl=f"C{i + 1}", name_en=f"C{i + 1}", weight=Decimal("1")
        )
        for i in range(CRITERIA)
    ]
    Envelope.objects.create(
        call=call,
        name_nl="Bench",
        name_en="Bench",
        initial_amount=Decimal("30000000"),
        amount=Decimal("30000000"),
    )
    companies = list(Organisation.objects.filter(kind="company"))
    research = list(Organisation.objects.filter(kind="research"))
    creator = User.objects.get(email=STAFF)
    reviewers = list(User.objects.filter(email__startswith="raad.")[:REVIEWS])
    applications = Application.objects.bulk_create(
        [
            Application(
                call=call,
                coordinator=companies[i % len(companies)],
                created_by=creator,
                title=f"Bench proposal {i}",
                acronym=f"B{i:03d}",
                state=ApplicationState.ADMISSIBLE,
                submitted_at=now - timedelta(days=30, minutes=i),
                snapshot={"bench": True},
                receipt_number=f"BENCH-{call.pk}-{i:04d}",
                total_aid=Decimal(rng.randrange(300_000, 1_500_000)),
                total_cost=Decimal(rng.randrange(1_000_000, 3_000_000)),
            )
            for i in range(APPLICATIONS)
        ]
    )
    partners = []
    for i, application in enumerate(applications):
        others = rng.sample([c for c in companies if c != application.coordinator], 2)
        for position, org in enumerate([application.coordinator, *others, rng.choice(research)]):
            partners.append(
                Partner(
                    application=application,
                    organisation=org,
                    part=Part.RESEARCH if org.kind == "research" else Part.COMPANY,
                    is_coordinator=position == 0,
                    contact_email=f"bench{i}-{position}@example.org",
                )
            )
    partners = Partner.objects.bulk_create(partners)
    entries = []
    for partner in partners:
        activities = (
            [Activity.RESEARCH]
            if partner.part == Part.RESEARCH
            else [Activity.INDUSTRIAL_RESEARCH, Activity.EXPERIMENTAL_DEVELOPMENT]
        )
        for year_no in (1, 2):
            for activity in activities:
                entries.append(
                    BudgetEntry(
                        partner=partner,
                        year=year_no,
                        category=CostCategory.PERSONNEL,
                        activity=activity,
                        amount=Decimal(rng.randrange(50_000, 250_000)),
                    )
                )
    BudgetEntry.objects.bulk_create(entries)
    assignments = ReviewAssignment.objects.bulk_create(
        [
            ReviewAssignment(
                application=a, reviewer=r, state=AssignmentState.SUBMITTED, submitted_at=now
            )
            for a in applications
            for r in reviewers
        ]
    )
    ReviewScore.objects.bulk_create(
        [
            ReviewScore(
                assignment=asg,
                criterion=c,
                score=Decimal(rng.randrange(4, 11)) / 2,
                comment="bench",
            )
            for asg in assignments
            for c in criteria
        ]
    )
    ConsensusScore.objects.bulk_create(
        [
            ConsensusScore(
                application=a,
                criterion=c,
                score=Decimal(rng.randrange(5, 11)) / 2,
                comment="bench consensus",
                moderator=creator,
            )
            for a in applications
            for c in criteria
        ]
    )
    return call


def _delete_call(call) -> None:
    from calls.models import Criterion, Envelope
    from governance.models import ConsensusScore, ReviewAssignment, ReviewScore
    from projects.models import Application, BudgetEntry, Partner

    ReviewScore.objects.filter(assignment__application__call=call).delete()
    ReviewAssignment.objects.filter(application__call=call).delete()
    ConsensusScore.objects.filter(application__call=call).delete()
    BudgetEntry.objects.filter(partner__application__call=call).delete()
    Partner.objects.filter(application__call=call).delete()
    Application.objects.filter(call=call).delete()
    Criterion.objects.filter(call=call).delete()
    Envelope.objects.filter(call=call).delete()
    call.delete()


def _with_client(path: str) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from programme.models import User

    client = Client(HTTP_ACCEPT_LANGUAGE="nl")
    client.force_login(User.objects.get(email=STAFF))
    timings = []
    for _ in range(7):
        start = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    timings.sort()
    return {
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[-1], 1),
        "queries": len(captured),
    }


def run(ctx=None) -> dict:
    call = _make_call()
    try:
        path = f"/governance/calls/{call.pk}/ranking/"
        if ctx is None:
            result = _with_client(path)
            scenario = _with_client(path + "?cut=40")
        else:
            load = ctx.load(path, requests=20, concurrency=2, email=STAFF)
            result = {
                "median_ms": load["median_ms"],
                "p95_ms": load["p95_ms"],
                "errors": load["errors"],
                "queries": ctx.queries(path, email=STAFF),
            }
            scenario = ctx.load(path + "?cut=40", requests=20, concurrency=2, email=STAFF)
        figures = {f"ranking_300_apps_5_reviews.{k}": v for k, v in result.items()}
        figures["ranking_300_scenario_cut.median_ms"] = scenario["median_ms"]
        figures["ranking_300_scenario_cut.p95_ms"] = scenario["p95_ms"]
        return figures
    finally:
        _delete_call(call)


if __name__ == "__main__":  # python tests/bench/bench_decisions.py
    import os
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    for name, value in run().items():
        print(f"{name:45} {value}")
