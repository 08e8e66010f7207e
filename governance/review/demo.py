"""Demo data of the review side, for the 2019 call: reviewers' expertise, conflict
declarations (one declared by a reviewer, the detected ones recorded as such), three
reviewers per admissible application chosen by governance.review.assignment.assign_reviewers,
submitted individual reports with plausible comments, and the moderator's consensus.

The 2019 call was closed by calls.demo; here its handed-in demo applications that were
left "submitted" are found admissible (the call was evaluated), the call gets a review
deadline and moves to `in_evaluation`, where it stays: the decision side
(decisions/demo.py, run next) advises and decides on the consensus. States and rows
are written directly, not through services, so seeding sends no e-mails; the audit trail
records them as demo data. Idempotent: what exists is left alone. Without the 2019
call (calls.demo or projects.demo not run) it does nothing.
"""

import random
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from calls.enums import CallState
from calls.models import Call
from programme.demo import PROGRAMME_CODE
from programme.formats import BRUSSELS
from programme.models import Theme, User
from programme.services import audited_save
from projects.enums import AdmissibilityOutcome, ApplicationState
from projects.models import AdmissibilityCheck, Application

from . import selectors, services
from .assignment import ApplicationToReview, assign_reviewers
from .enums import ACTIVE_ASSIGNMENT_STATES, AssignmentState, ConflictSource
from .models import (
    ConflictDeclaration,
    ConsensusScore,
    ReviewAssignment,
    ReviewerExpertise,
    ReviewScore,
)

REVIEW_DEADLINE = datetime(2019, 10, 8, 17, 0, tzinfo=BRUSSELS)
SUBMITTED_FROM = datetime(2019, 10, 1, 10, 0, tzinfo=BRUSSELS)
MODERATOR = "medewerker@vlaio.demo"

# Reviewer e-mail -> theme codes of their expertise.
EXPERTISE = {
    "adviesraad@demo.icon": ["data", "analyse"],
    "expert@demo.icon": ["analyse", "tech"],
    "raad.celltherapeutics@demo.icon": ["tech"],
    "raad.pharmaco@demo.icon": ["analyse"],
    "raad.oncostrat@demo.icon": ["data", "tech"],
    "raad.immunologic@demo.icon": ["analyse"],
    "raad.theranostics@demo.icon": ["tech"],
    "raad.precisiondx@demo.icon": ["tech", "data"],
    "raad.sensorium@demo.icon": ["tech", "training"],
    "raad.vib@demo.icon": ["data", "analyse"],
    "raad.vito@demo.icon": ["data"],
    "raad.kuleuven@demo.icon": ["analyse", "training"],
    "raad.uzleuven@demo.icon": ["training", "data"],
    "raad.overheid1@demo.icon": ["training"],
    "raad.overheid2@demo.icon": ["training"],
}

# The one conflict a reviewer declares (assignment withdrawn, staff replaced them).
DECLARED = (
    "PGX-FLANDERS",
    "raad.overheid1@demo.icon",
    "Mijn partner is zaakvoerder van Pharmacogenomics Solutions BV, de coördinator.",
)

# Per-application quality (the reviewers' mean score, ±0.6 per score) chosen so that the
# decision side's demo shows every outcome: the three best ask 4.09 M€ together and fit
# the 4.5 M€ envelope, the next ones pass the thresholds but no longer fit (reserve
# list), ETHIREG falls below the thresholds (rejected). Others 3.4.
QUALITY = {
    "RAREGEN": 4.7,
    "PGX-FLANDERS": 4.6,
    "DATACARE": 4.5,
    "ONCOMAP": 3.5,
    "LIQBIOP": 3.5,
    "PROTEOSCREEN": 3.5,
    "NEUROTRACK": 3.5,
    "DEMENTIA-AI": 3.4,
    "IMMUNOPRED": 3.4,
    "MICROFLOW": 3.4,
    "EDUPM": 3.4,
    "ETHIREG": 2.0,
}

COMMENTS = {
    "high": [
        "Sterk en vernieuwend voorstel; de aanpak is goed onderbouwd met eigen voorwerk.",
        "Clear ambition beyond the state of the art, with convincing preliminary data.",
        "Overtuigend valorisatiepad met concrete investeringen en jobs in Vlaanderen.",
        "Well-balanced consortium; every partner has a clear and necessary role.",
    ],
    "mid": [
        "Degelijk voorstel, maar de meerwaarde tegenover bestaande oplossingen is beperkt "
        "uitgewerkt.",
        "The work plan is credible; the risk analysis could be more specific.",
        "Valorisatie is plausibel, al blijft het businessplan van de kmo's eerder vaag.",
        "Reasonable fit with the roadmap; the link to the data platform should be explicit.",
    ],
    "low": [
        "De innovatie is beperkt; het project ligt dicht bij de huidige praktijk.",
        "The budget looks high for the planned activities and milestones are missing.",
        "Onvoldoende uitgewerkt hoe de resultaten breed toegepast zullen worden.",
        "Weak link with the cluster roadmap; the consortium misses clinical partners.",
    ],
}


def _half(value: float) -> Decimal:
    """Round to the nearest half point, within 0–5."""
    halves = (Decimal(str(value)) * 2).quantize(Decimal(1), rounding=ROUND_HALF_UP) / 2
    return min(Decimal(5), max(Decimal(0), halves))


def _comment(score: Decimal, rng: random.Random) -> str:
    band = "high" if score >= 4 else "mid" if score >= 3 else "low"
    return rng.choice(COMMENTS[band])


def demo_2019_call() -> Call | None:
    return (
        Call.objects.filter(programme__code=PROGRAMME_CODE, programme_year__year=2019)
        .select_related("parameters")
        .order_by("deadline")
        .first()
    )


def _make_admissible(call: Call, staff: User | None) -> None:
    """The 2019 call was evaluated: its demo applications still `submitted` were found
    admissible (the inadmissible and completion ones stay as they are)."""
    for application in Application.objects.filter(call=call, state=ApplicationState.SUBMITTED):
        check = AdmissibilityCheck.objects.filter(application=application).first() or (
            AdmissibilityCheck(application=application)
        )
        check.complementary = check.broad_application = True
        check.consortium_rules = check.complete = True
        check.outcome = AdmissibilityOutcome.ADMISSIBLE
        check.checked_by = staff
        check.checked_at = call.deadline + timedelta(days=1)
        audited_save(check, actor=staff, reason="demo data")
        application.state = ApplicationState.ADMISSIBLE
        audited_save(application, actor=staff, reason="admissibility: admissible (demo data)")


def _seed_expertise() -> None:
    themes = {t.code: t for t in Theme.objects.filter(programme__code=PROGRAMME_CODE)}
    for email, codes in EXPERTISE.items():
        user = User.objects.filter(email=email).first()
        if user is None:
            continue
        for code in codes:
            if (
                code in themes
                and not ReviewerExpertise.objects.filter(user=user, theme=themes[code]).exists()
            ):
                audited_save(
                    ReviewerExpertise(user=user, theme=themes[code]),
                    actor=None,
                    reason="demo data",
                )


def _declare(application, reviewer, has_conflict, reason="", source=ConflictSource.DECLARED):
    if ConflictDeclaration.objects.filter(application=application, reviewer=reviewer).exists():
        return
    if source == ConflictSource.DECLARED:
        # A reviewer accepts the code of conduct before opening the first proposal.
        services.conduct_accept(actor=reviewer, language=reviewer.language or "nl")
    audited_save(
        ConflictDeclaration(
            application=application,
            reviewer=reviewer,
            has_conflict=has_conflict,
            reason=reason,
            source=source,
        ),
        actor=reviewer if source == ConflictSource.DECLARED else None,
        reason="demo data",
    )


def _seed_declared_conflict(applications, staff) -> None:
    acronym, email, reason = DECLARED
    application = next((a for a in applications if a.acronym == acronym), None)
    reviewer = User.objects.filter(email=email).first()
    if application is None or reviewer is None:
        return
    if not ReviewAssignment.objects.filter(application=application, reviewer=reviewer).exists():
        audited_save(
            ReviewAssignment(
                application=application,
                reviewer=reviewer,
                assigned_by=staff,
                state=AssignmentState.WITHDRAWN,
            ),
            actor=staff,
            reason="demo data: withdrawn after a declared conflict",
        )
    _declare(application, reviewer, True, reason)


def _seed_assignments(call, applications, pool, staff) -> None:
    app_ids = [a.pk for a in applications]
    detected = selectors.detected_conflicts(app_ids, pool)
    for (application_id, reviewer_id), reason in detected.items():
        _declare(
            next(a for a in applications if a.pk == application_id),
            next(r for r in pool if r.pk == reviewer_id),
            True,
            reason,
            ConflictSource.DETECTED,
        )
    conflicts = set(detected) | set(selectors.declared_conflicts(app_ids))
    existing: dict[int, list[int]] = {a.pk: [] for a in applications}
    for a, r in ReviewAssignment.objects.filter(
        application_id__in=app_ids, state__in=ACTIVE_ASSIGNMENT_STATES
    ).values_list("application_id", "reviewer_id"):
        existing[a].append(r)
    expertise: dict[int, set[str]] = {}
    for user_id, theme_id in ReviewerExpertise.objects.values_list("user_id", "theme_id"):
        expertise.setdefault(user_id, set()).add(str(theme_id))
    result = assign_reviewers(
        [
            ApplicationToReview(a.pk, frozenset({str(a.theme_id)} if a.theme_id else ()))
            for a in applications
        ],
        [r.pk for r in pool],
        per_application=call.parameters.reviewers_per_application,
        conflicts=conflicts,
        existing=existing,
        expertise=expertise,
    )
    for application_id, reviewer_ids in result.items():
        for reviewer_id in reviewer_ids:
            if reviewer_id not in existing[application_id]:
                audited_save(
                    ReviewAssignment(
                        application_id=application_id,
                        reviewer_id=reviewer_id,
                        assigned_by=staff,
                    ),
                    actor=staff,
                    reason="demo data: automatic assignment",
                )


def _seed_scores(call, applications) -> None:
    criteria = list(call.criteria.all())
    for application in applications:
        quality = QUALITY.get(application.acronym, 3.4)
        assignments = (
            application.review_assignments.filter(state__in=ACTIVE_ASSIGNMENT_STATES)
            .select_related("reviewer")
            .order_by("pk")
        )
        for number, assignment in enumerate(assignments):
            _declare(application, assignment.reviewer, False)
            if assignment.state == AssignmentState.SUBMITTED:
                continue
            rng = random.Random(f"{application.acronym}/{assignment.reviewer.email}")
            for position, criterion in enumerate(criteria):
                # One large spread for the moderator to discuss: LIQBIOP, first criterion.
                if application.acronym == "LIQBIOP" and position == 0 and number == 0:
                    score = Decimal("2")
                else:
                    score = _half(quality + rng.uniform(-0.6, 0.6))
                if not ReviewScore.objects.filter(
                    assignment=assignment, criterion=criterion
                ).exists():
                    audited_save(
                        ReviewScore(
                            assignment=assignment,
                            criterion=criterion,
                            score=score,
                            comment=_comment(score, rng),
                        ),
                        actor=assignment.reviewer,
                        reason="demo data",
                    )
            assignment.state = AssignmentState.SUBMITTED
            assignment.submitted_at = SUBMITTED_FROM + timedelta(hours=7 * (number + 1))
            audited_save(assignment, actor=assignment.reviewer, reason="demo data: submitted")


def _seed_consensus(call, applications, moderator) -> None:
    criteria = list(call.criteria.all())
    for application in applications:
        scores = ReviewScore.objects.filter(
            assignment__application=application,
            assignment__state=AssignmentState.SUBMITTED,
        ).values_list("criterion_id", "score")
        by_criterion: dict[int, list[Decimal]] = {}
        for criterion_id, score in scores:
            by_criterion.setdefault(criterion_id, []).append(score)
        for criterion in criteria:
            values = sorted(by_criterion.get(criterion.pk, []))
            if (
                not values
                or ConsensusScore.objects.filter(
                    application=application, criterion=criterion
                ).exists()
            ):
                continue
            median = values[len(values) // 2]
            spread = values[-1] - values[0]
            comment = (
                "Na bespreking van de uiteenlopende scores volgt het panel de meerderheid."
                if spread >= 2
                else "Het panel sluit zich aan bij de individuele beoordelingen."
            )
            audited_save(
                ConsensusScore(
                    application=application,
                    criterion=criterion,
                    score=median,
                    comment=comment,
                    moderator=moderator,
                ),
                actor=moderator,
                reason="demo data: consensus",
            )


def seed_reviews() -> None:
    """Seed the review side of the 2019 call (see the module docstring)."""
    call = demo_2019_call()
    moderator = User.objects.filter(email=MODERATOR).first()
    if call is None or moderator is None or not call.criteria.exists():
        return
    if call.state in (CallState.CLOSED, CallState.IN_EVALUATION):
        _make_admissible(call, moderator)
        if call.state == CallState.CLOSED or call.review_deadline is None:
            # Only when something changes: a second seeding leaves no audit row.
            call.review_deadline = call.review_deadline or REVIEW_DEADLINE
            call.state = CallState.IN_EVALUATION
            audited_save(call, actor=None, reason="demo data: evaluation")
    applications = list(
        Application.objects.filter(call=call, state=ApplicationState.ADMISSIBLE).order_by(
            "submitted_at", "pk"
        )
    )
    if not applications:
        return
    _seed_expertise()
    pool = list(selectors.reviewer_pool())
    _seed_declared_conflict(applications, moderator)
    _seed_assignments(call, applications, pool, moderator)
    _seed_scores(call, applications)
    _seed_consensus(call, applications, moderator)
