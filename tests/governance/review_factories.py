"""Builders of the review-side tests: a call in evaluation with three criteria, admissible
applications (3 companies and a research organisation each), reviewers, assignments
cleared of conflicts. Kept apart from factories.py (the decision side edits that)."""

from decimal import Decimal

import factory
from django.utils import timezone

from calls.enums import CallState
from governance.models import ConflictDeclaration, ReviewAssignment, ReviewScore
from governance.review.enums import AssignmentState, ConflictSource
from projects.enums import ApplicationState
from projects.models import Application

from ..calls.factories import CallFactory, CriterionFactory
from ..factories import CouncilFactory, ExpertFactory, OrganisationFactory
from ..projects.factories import ready_application


def evaluation_call(criteria: int = 3, **kwargs):
    """A call in evaluation with `criteria` criteria (0–5 in half points, 3 reviewers)."""
    call = CallFactory(state=CallState.IN_EVALUATION, **kwargs)
    for _ in range(criteria - 1):
        CriterionFactory(call=call)
    return call


def admissible_application(call, **kwargs) -> Application:
    """A ready application of `call`, handed in and found admissible (set directly)."""
    application = ready_application(call=call, **kwargs)
    Application.objects.filter(pk=application.pk).update(
        state=ApplicationState.ADMISSIBLE, submitted_at=timezone.now(), snapshot={}
    )
    application.refresh_from_db()
    return application


class CouncilReviewerFactory(CouncilFactory):
    organisation = factory.SubFactory(OrganisationFactory)


class ExpertReviewerFactory(ExpertFactory):
    organisation = None


def cleared_assignment(application, reviewer=None, **kwargs) -> ReviewAssignment:
    """An assignment whose reviewer declared no conflict."""
    reviewer = reviewer or CouncilReviewerFactory()
    assignment = ReviewAssignment.objects.create(
        application=application, reviewer=reviewer, **kwargs
    )
    ConflictDeclaration.objects.create(
        application=application, reviewer=reviewer, has_conflict=False,
        source=ConflictSource.DECLARED,
    )
    return assignment


def submitted_assignment(application, scores, reviewer=None) -> ReviewAssignment:
    """A cleared assignment with one submitted score per criterion (in position order)."""
    assignment = cleared_assignment(application, reviewer)
    for criterion, score in zip(application.call.criteria.all(), scores, strict=True):
        ReviewScore.objects.create(
            assignment=assignment, criterion=criterion, score=Decimal(score),
            comment=f"Comment on {criterion.name}",
        )
    assignment.state = AssignmentState.SUBMITTED
    assignment.submitted_at = timezone.now()
    assignment.save()
    return assignment


def entries_for(call, values) -> dict[int, tuple[str, str]]:
    """criterion id -> (score text, comment) from a list of (score, comment)."""
    return {c.pk: v for c, v in zip(call.criteria.all(), values, strict=True)}
