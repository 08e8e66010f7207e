"""The review side of seed_demo: the 2019 call evaluated with three reviewers per
admissible application, a declared and detected conflicts, consensus everywhere."""

from collections import Counter

import pytest

from calls import demo as calls_demo
from calls.enums import CallState
from governance import demo
from governance.models import ConflictDeclaration, ConsensusScore, ReviewAssignment, ReviewScore
from governance.review.demo import demo_2019_call
from governance.review.enums import AssignmentState, ConflictSource
from programme import demo as programme_demo
from projects import demo as projects_demo
from projects.enums import ApplicationState

pytestmark = pytest.mark.django_db


def _seed():
    programme_demo.seed()
    calls_demo.seed()
    projects_demo.seed()
    demo.seed()


def _counts():
    return [
        m.objects.count()
        for m in (ReviewAssignment, ReviewScore, ConflictDeclaration, ConsensusScore)
    ]


def test_seed_reviews_the_2019_call_and_is_idempotent():
    _seed()
    call = demo_2019_call()
    assert call.state == CallState.IN_EVALUATION  # the decision side decides
    applications = list(call.applications.filter(state=ApplicationState.ADMISSIBLE))
    assert len(applications) >= 10
    active = ReviewAssignment.objects.exclude(state=AssignmentState.WITHDRAWN)
    assert Counter(active.values_list("application_id", flat=True)) == {
        a.pk: 3 for a in applications
    }
    assert set(active.values_list("state", flat=True)) == {AssignmentState.SUBMITTED}
    conflicts = set(
        ConflictDeclaration.objects.filter(has_conflict=True).values_list(
            "application_id", "reviewer_id"
        )
    )
    assert conflicts.isdisjoint(set(active.values_list("application_id", "reviewer_id")))
    sources = Counter(
        ConflictDeclaration.objects.filter(has_conflict=True).values_list("source", flat=True)
    )
    assert sources[ConflictSource.DECLARED] == 1
    assert sources[ConflictSource.DETECTED] >= 1
    criteria = call.criteria.count()
    assert ReviewScore.objects.filter(score__isnull=True).count() == 0
    assert ConsensusScore.objects.count() == criteria * len(applications)
    before = _counts()
    _seed()
    assert _counts() == before
