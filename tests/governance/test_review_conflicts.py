"""Conflicts of interest: a reviewer declares before seeing an application; declared and
detected conflicts make the application, its files and the scoring page 404 and block
assignment; a conflict after assignment withdraws it and tells staff."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from governance.models import ConflictDeclaration, ReviewAssignment
from governance.review import services as review_services
from governance.review.enums import AssignmentState, ConflictSource
from programme.enums import LinkKind
from programme.models import OrganisationLink
from tests.builders import admissible_application, cleared_assignment, evaluation_call
from tests.factories import ConductDeclarationFactory, CouncilFactory, StaffFactory

pytestmark = pytest.mark.django_db


def _urls(assignment):
    application = assignment.application
    attachment = application.attachments.first()
    return {
        "detail": reverse("application_detail", args=[application.pk]),
        "attachment": reverse("attachment_download", args=[application.pk, attachment.pk]),
        "budget": reverse("partner_budget", args=[application.pk, application.partners.first().pk]),
        "score": reverse("review_score", args=[assignment.pk]),
        "declare": reverse("review_declare", args=[assignment.pk]),
    }


def _statuses(client, user, urls):
    client.force_login(user)
    return {name: client.get(url).status_code for name, url in urls.items()}


@pytest.fixture
def application():
    return admissible_application(evaluation_call())


def test_cleared_reviewer_sees_application_and_files_read_only(client, application):
    assignment = cleared_assignment(application)
    assert _statuses(client, assignment.reviewer, _urls(assignment)) == {
        "detail": 200,
        "attachment": 200,
        "budget": 200,
        "score": 200,
        "declare": 200,
    }
    edit = reverse("application_edit", args=[application.pk])
    assert client.get(edit).status_code == 403


def test_reviewer_without_declaration_is_sent_to_declare_first(client, application):
    reviewer = CouncilFactory()
    ConductDeclarationFactory(reviewer=reviewer)  # the code of conduct: test_review_conduct
    assignment = ReviewAssignment.objects.create(application=application, reviewer=reviewer)
    urls = _urls(assignment)
    assert _statuses(client, reviewer, urls) == {
        "detail": 404,
        "attachment": 404,
        "budget": 404,
        "score": 302,
        "declare": 200,
    }
    assert client.get(urls["score"])["Location"] == urls["declare"]


def test_declared_conflict_withdraws_hides_and_tells_staff(
    client, application, mailoutbox, django_capture_on_commit_callbacks
):
    staff = StaffFactory()
    reviewer = CouncilFactory()
    ConductDeclarationFactory(reviewer=reviewer)  # the code of conduct: test_review_conduct
    assignment = ReviewAssignment.objects.create(application=application, reviewer=reviewer)
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("review_declare", args=[assignment.pk]),
            {"declaration": "conflict", "reason": "I advise the coordinator."},
        )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.WITHDRAWN
    declaration = ConflictDeclaration.objects.get(application=application, reviewer=reviewer)
    assert (declaration.has_conflict, declaration.reason, declaration.source) == (
        True,
        "I advise the coordinator.",
        ConflictSource.DECLARED,
    )
    assert [m.to for m in mailoutbox] == [[staff.email]]
    assert application.acronym in mailoutbox[0].subject
    assert _statuses(client, reviewer, _urls(assignment)) == {
        "detail": 404,
        "attachment": 404,
        "budget": 404,
        "score": 404,
        "declare": 404,
    }
    with pytest.raises(ValidationError):
        review_services.review_assign(actor=staff, application=application, reviewer=reviewer)


def test_conflict_without_reason_is_refused_and_form_kept(client, application):
    reviewer = CouncilFactory()
    ConductDeclarationFactory(reviewer=reviewer)  # the code of conduct: test_review_conduct
    assignment = ReviewAssignment.objects.create(application=application, reviewer=reviewer)
    client.force_login(reviewer)
    response = client.post(
        reverse("review_declare", args=[assignment.pk]), {"declaration": "conflict"}
    )
    assert response.status_code == 200
    assert "Say what the conflict of interest is." in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.ASSIGNED


def test_detected_conflict_through_link_hides_after_no_conflict_declaration(client, application):
    assignment = cleared_assignment(application)
    reviewer = assignment.reviewer
    partner_org = application.partners.filter(is_coordinator=False).first().organisation
    # The reviewer's company turns out to be the parent of a partner.
    OrganisationLink.objects.create(
        organisation=partner_org, other=reviewer.organisation, kind=LinkKind.values[0]
    )
    assert _statuses(client, reviewer, _urls(assignment)) == {
        "detail": 404,
        "attachment": 404,
        "budget": 404,
        "score": 404,
        "declare": 404,
    }


def test_detected_conflict_own_organisation_blocks_manual_assignment(application):
    staff = StaffFactory()
    reviewer = CouncilFactory(organisation=application.coordinator)
    with pytest.raises(ValidationError) as error:
        review_services.review_assign(actor=staff, application=application, reviewer=reviewer)
    assert error.value.messages == [
        f"{reviewer} has a conflict of interest: "
        "The reviewer's organisation is a partner of this application."
    ]
    assert ReviewAssignment.objects.count() == 0


def test_assign_page_flags_application_short_of_reviewers(client, application):
    cleared_assignment(application)
    client.force_login(StaffFactory())
    response = client.get(reverse("review_assign_page", args=[application.pk]))
    assert "This application is 2 reviewers short." in response.content.decode()


# --- A conflict found after the review: a new organisation link ---------------------------


def _link_staff_records(application, reviewer):
    """Staff record, through the service, that the reviewer's company is linked to a
    partner of the application (found out after the review was submitted)."""
    from governance.review import services as review_services

    partner_org = application.partners.filter(is_coordinator=False).first().organisation
    return review_services.organisation_link_record(
        actor=StaffFactory(),
        organisation=partner_org,
        other=reviewer.organisation,
        kind=LinkKind.LINKED,
        note="Parent company",
    )


def test_link_recorded_after_a_submitted_review_withdraws_it(
    application, mailoutbox, django_capture_on_commit_callbacks
):
    from governance.reports.evaluation import review_counts
    from tests.builders import submitted_assignment

    StaffFactory(email="staff-one@vlaio.test")
    assignment = submitted_assignment(application, ["4"] * application.call.criteria.count())
    other = submitted_assignment(application, ["3"] * application.call.criteria.count())

    with django_capture_on_commit_callbacks(execute=True):
        _link_staff_records(application, assignment.reviewer)

    assignment.refresh_from_db()
    other.refresh_from_db()
    assert (assignment.state, other.state) == (AssignmentState.WITHDRAWN, AssignmentState.SUBMITTED)
    declaration = ConflictDeclaration.objects.get(
        application=application, reviewer=assignment.reviewer
    )
    assert (declaration.has_conflict, declaration.source) == (True, ConflictSource.DETECTED)
    assert "linked to a partner" in declaration.reason
    counts = review_counts(application.call)
    assert (counts.submitted, counts.withdrawn, counts.conflicts_detected) == (1, 1, 1)
    assert assignment.history.first().history_change_reason == (
        "withdrawn: conflict detected (submitted review)"
    )
    mails = [m for m in mailoutbox if "staff-one@vlaio.test" in m.to]
    assert len(mails) == 1 and application.acronym in mails[0].body


def test_the_moderator_no_longer_sees_the_withdrawn_scores(client, application):
    from tests.builders import submitted_assignment

    count = application.call.criteria.count()
    assignment = submitted_assignment(application, ["5"] * count)
    other = submitted_assignment(application, ["2"] * count)
    client.force_login(StaffFactory())
    url = reverse("consensus_page", args=[application.pk])
    assert [a.pk for a in client.get(url).context["assignments"]] == [assignment.pk, other.pk]

    _link_staff_records(application, assignment.reviewer)

    response = client.get(url)
    assert [a.pk for a in response.context["assignments"]] == [other.pk]
    ranges = {row["range"] for row in response.context["table"]}
    assert ranges == {(2, 2)}  # the withdrawn 5s no longer widen the spread


def test_link_between_unrelated_organisations_changes_no_review(application):
    from programme import services as programme_services
    from tests.builders import submitted_assignment
    from tests.factories import OrganisationFactory

    assignment = submitted_assignment(application, ["4"] * application.call.criteria.count())
    programme_services.organisation_link_create(
        actor=StaffFactory(),
        organisation=OrganisationFactory(),
        other=OrganisationFactory(),
        kind=LinkKind.LINKED,
    )

    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.SUBMITTED
    assert not ConflictDeclaration.objects.filter(has_conflict=True).exists()
