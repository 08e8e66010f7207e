"""Benchmarks of the governance app.

Pure timings (no `ctx` needed):

- automatic assignment of 300 applications to 30 reviewers, 5 per application, with
  ~5% conflicts of interest and theme expertise;
- the optimal selection (HiGHS 0-1 programme) of 300 proposals within a 9.5 M envelope
  with the 30% SME targets, and the plain rank-order funding cut for comparison.

Each timing is the median of REPEAT runs on the same seeded data. With the harness's
`ctx` (make bench), also the governance pages under load with the demo data: the list of
bodies and the advisory council's page, as VLAIO staff.
"""

import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

REPEAT = 3
THEMES = ["data", "analysis", "technology", "training"]


def _timed(function) -> tuple[float, object]:
    times, result = [], None
    for _ in range(REPEAT):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _assignment_input(rng):
    from governance.review.assignment import ApplicationToReview

    apps = [ApplicationToReview(i, frozenset(rng.sample(THEMES, 1))) for i in range(300)]
    reviewers = list(range(1000, 1030))
    conflicts = {(a.id, r) for a in apps for r in reviewers if rng.random() < 0.05}
    expertise = {r: set(rng.sample(THEMES, 2)) for r in reviewers}
    return apps, reviewers, conflicts, expertise


def _proposals(rng):
    from governance.decisions.ranking import PartnerFigures, ProposalFigures

    proposals = []
    start = datetime(2019, 9, 30, 8, 0, tzinfo=UTC)
    for i in range(300):
        partners = tuple(
            PartnerFigures(
                organisation_id=rng.randrange(80),
                is_company=True,
                is_sme=rng.random() < 0.3,
                cost=Decimal(rng.randrange(100_000, 900_000)),
                aid=Decimal(rng.randrange(50_000, 400_000)),
            )
            for _ in range(rng.randrange(3, 7))
        )
        scores = tuple(Decimal(rng.randrange(6, 11)) / 2 for _ in range(3))
        proposals.append(
            ProposalFigures(
                id=i,
                weighted_total=sum(scores),
                requested_aid=sum(p.aid for p in partners),
                scores=scores,
                sme_share=Decimal(rng.randrange(0, 100)),
                submitted_at=start + timedelta(minutes=i),
                partners=partners,
            )
        )
    return proposals


def run(ctx=None) -> dict:
    from governance.decisions.ranking import funding_cut, optimal_selection, rank_proposals
    from governance.review.assignment import assign_reviewers, reviewer_loads

    rng = random.Random(2019)
    apps, reviewers, conflicts, expertise = _assignment_input(rng)
    assign_seconds, assignment = _timed(
        lambda: assign_reviewers(
            apps, reviewers, per_application=5, conflicts=conflicts, expertise=expertise
        )
    )
    loads = reviewer_loads(assignment, reviewers).values()
    matches = sum(1 for a in apps for r in assignment[a.id] if a.themes & expertise.get(r, set()))

    proposals = _proposals(rng)
    envelope = Decimal("9500000")
    optimal_seconds, selection = _timed(lambda: optimal_selection(proposals, envelope))
    cut_seconds, cut = _timed(lambda: funding_cut(rank_proposals(proposals), envelope))
    figures = {
        "assign_300_apps_30_reviewers_5_each_s": round(assign_seconds, 4),
        "assign_load_spread": max(loads) - min(loads),
        "assign_expertise_match_share_pct": round(100 * matches / (5 * len(apps)), 1),
        "optimal_selection_300_proposals_s": round(optimal_seconds, 4),
        "optimal_selection_count": len(selection.selected),
        "optimal_selection_meets_sme_targets": int(selection.meets_sme_targets),
        "optimal_total_score": float(selection.total_score),
        "rank_and_cut_300_proposals_s": round(cut_seconds, 4),
        "rank_cut_total_score": float(sum(p.weighted_total for p in cut.funded)),
    }
    if ctx is not None:
        figures.update(_page_figures(ctx))
    return figures


def _page_figures(ctx) -> dict:
    from governance.bodies.enums import BodyKind
    from governance.models import Body

    council = Body.objects.filter(kind=BodyKind.ADVISORY_COUNCIL).first()
    pages = {"body_list_staff": "/governance/"}
    if council is not None:
        pages["council_page_staff"] = f"/governance/{council.pk}/"
    figures = {}
    for name, path in pages.items():
        load = ctx.load(path, requests=200, concurrency=8, email="medewerker@vlaio.demo")
        figures[f"{name}.median_ms"] = load["median_ms"]
        figures[f"{name}.p95_ms"] = load["p95_ms"]
        figures[f"{name}.rps"] = load["rps"]
        figures[f"{name}.errors"] = load["errors"]
        figures[f"{name}.queries"] = ctx.queries(path, email="medewerker@vlaio.demo")
    return figures


if __name__ == "__main__":  # python tests/bench/bench_governance.py
    import os
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    for name, value in run().items():
        print(f"{name:45} {value}")
