"""Automatic and manual assignment of reviewers on real data: the call's number of
reviewers per application, loads balanced, never a conflicted reviewer (declared or
detected), matching expertise preferred, infeasibility with its reason."""

from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from calls.enums import CallState
from governance.models import ConflictDeclaration, ReviewAssignment, ReviewerExpertise
from governance.review import services as review_services
from governance.review.enums import AssignmentState, ConflictSource
from programme.enums import LinkKind
from programme.models import OrganisationLink
from tests.builders import admissible_application, cleared_assignment, evaluation_call
from tests.factories import CouncilFactory, ExpertFactory, StaffFactory

pytestmark = pytest.mark.django_db


def _pairs():
    return set(
        ReviewAssignment.objects.exclude(state=AssignmentState.WITHDRAWN).values_list(
            "application_id", "reviewer_id"
        )
    )


def test_automatic_assignment_balances_and_avoids_conflicts(
    mailoutbox, django_capture_on_commit_callbacks
):
    call = evaluation_call()
    applications = [admissible_application(call) for _ in range(4)]
    reviewers = [CouncilFactory() for _ in range(3)] + [ExpertFactory()]
    # Detected: the partner organisation of applications[0] is this reviewer's own.
    own = CouncilFactory(organisation=applications[0].coordinator)
    # Detected through a link: the reviewer's company is linked to a partner of [1].
    linked = CouncilFactory()
    OrganisationLink.objects.create(
        organisation=linked.organisation,
        other=applications[1].partners.filter(is_coordinator=False).first().organisation,
        kind=LinkKind.LINKED,
    )
    # Declared earlier on [2] (withdrawn assignment).
    declared = CouncilFactory()
    ReviewAssignment.objects.create(
        application=applications[2], reviewer=declared, state=AssignmentState.WITHDRAWN
    )
    ConflictDeclaration.objects.create(
        application=applications[2], reviewer=declared, has_conflict=True, reason="Former employer"
    )
    staff = StaffFactory()

    with django_capture_on_commit_callbacks(execute=True):
        created = review_services.reviews_assign_automatically(actor=staff, call=call)

    pairs = _pairs()
    assert len(created) == 12
    assert Counter(a for a, _r in pairs) == {a.pk: 3 for a in applications}
    assert (applications[0].pk, own.pk) not in pairs
    assert (applications[1].pk, linked.pk) not in pairs
    assert (applications[2].pk, declared.pk) not in pairs
    loads = Counter(r for _a, r in pairs)
    pool = reviewers + [own, linked, declared]
    assert max(loads.get(r.pk, 0) for r in pool) - min(loads.get(r.pk, 0) for r in pool) <= 1
    detected = ConflictDeclaration.objects.filter(source=ConflictSource.DETECTED)
    assert set(detected.values_list("application_id", "reviewer_id")) == {
        (applications[0].pk, own.pk),
        (applications[1].pk, linked.pk),
    }
    assert len(mailoutbox) == len({r for _a, r in pairs})


def test_automatic_assignment_keeps_existing_and_is_idempotent():
    call = evaluation_call()
    application = admissible_application(call)
    kept = cleared_assignment(application)
    [CouncilFactory() for _ in range(3)]
    staff = StaffFactory()
    assert len(review_services.reviews_assign_automatically(actor=staff, call=call)) == 2
    assert review_services.reviews_assign_automatically(actor=staff, call=call) == []
    assert kept.reviewer_id in {r for _a, r in _pairs()}


def test_automatic_assignment_prefers_matching_expertise():
    call = evaluation_call()
    call.parameters.reviewers_per_application = 1
    call.parameters.save()
    application = admissible_application(call)
    plain = CouncilFactory(last_name="Aaa")
    expert = CouncilFactory(last_name="Zzz")
    ReviewerExpertise.objects.create(user=expert, theme=application.theme)
    review_services.reviews_assign_automatically(actor=StaffFactory(), call=call)
    assert _pairs() == {(application.pk, expert.pk)}
    assert plain.review_assignments.count() == 0


def test_automatic_assignment_infeasible_names_the_application():
    call = evaluation_call()
    application = admissible_application(call)
    CouncilFactory()
    CouncilFactory(organisation=application.coordinator)
    with pytest.raises(ValidationError) as error:
        review_services.reviews_assign_automatically(actor=StaffFactory(), call=call)
    assert error.value.messages == [
        f"Application {application.acronym} (#{application.pk}) has 1 reviewer(s) without a "
        "conflict of interest and needs 3."
    ]
    assert ReviewAssignment.objects.count() == 0


def test_automatic_assignment_refused_outside_evaluation():
    call = evaluation_call()
    call.state = CallState.CLOSED
    call.save()
    with pytest.raises(ValidationError) as error:
        review_services.reviews_assign_automatically(actor=StaffFactory(), call=call)
    assert error.value.messages == ["Reviewers are assigned while the call is in evaluation."]


def test_automatic_assignment_view_shows_infeasibility_reason(client):
    call = evaluation_call()
    admissible_application(call)
    client.force_login(StaffFactory())
    response = client.post(reverse("review_assign_auto", args=[call.pk]), follow=True)
    assert "has 0 reviewer(s) without a conflict of interest and needs 3." in (
        response.content.decode()
    )


def test_manual_assign_and_unassign(client):
    call = evaluation_call()
    application = admissible_application(call)
    reviewer = CouncilFactory()
    client.force_login(StaffFactory())
    url = reverse("review_assign_page", args=[application.pk])
    assert client.post(url, {"reviewer": reviewer.pk}).status_code == 302
    assignment = ReviewAssignment.objects.get()
    assert (assignment.application, assignment.reviewer) == (application, reviewer)
    client.post(reverse("review_unassign", args=[assignment.pk]))
    assert ReviewAssignment.objects.count() == 0


def test_manual_assign_refuses_non_reviewer():
    call = evaluation_call()
    application = admissible_application(call)
    staff = StaffFactory()
    with pytest.raises(ValidationError):
        review_services.review_assign(actor=staff, application=application, reviewer=staff)
