"""Review-deadline reminders (3 days and 1 day before), each sent exactly once per
reviewer, call and kind. The beat task calls it through `governance.review.services`.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.enums import CallState
from calls.models import Call
from programme.formats import format_brussels
from programme.services import queue_email_to_users

from . import domain
from .enums import OPEN_ASSIGNMENT_STATES
from .models import ReviewAssignment, ReviewReminderSent


def review_reminders_send_due(*, now=None) -> int:
    """Queue the review-deadline reminders that are due (3 days and 1 day before) to
    reviewers with unsubmitted assignments; returns how many were queued.

    Side effects, per reviewer and call, in one transaction: inserts
    ReviewReminderSent(call, user, kind) (unique), then queues the e-mail on commit. A
    second run, even concurrent, hits the unique constraint and sends nothing again.
    """

    now = now or timezone.now()
    horizon = now + domain.REVIEW_REMINDER_OFFSETS["3d"]
    sent = 0
    calls = Call.objects.filter(
        state=CallState.IN_EVALUATION, review_deadline__gt=now, review_deadline__lte=horizon
    )
    for call in calls.order_by("review_deadline"):
        kind = domain.due_review_reminder(call.review_deadline, now)
        if kind is None:
            continue
        already = ReviewReminderSent.objects.filter(call=call, kind=kind).values("user_id")
        open_assignments = (
            ReviewAssignment.objects.filter(
                application__call=call,
                state__in=OPEN_ASSIGNMENT_STATES,
                reviewer__is_active=True,
            )
            .exclude(reviewer_id__in=already)
            .select_related("reviewer", "application")
            .order_by("reviewer_id", "application__acronym")
        )
        by_reviewer: dict[int, list[ReviewAssignment]] = {}
        for assignment in open_assignments:
            by_reviewer.setdefault(assignment.reviewer_id, []).append(assignment)
        for assignments in by_reviewer.values():
            reviewer = assignments[0].reviewer
            try:
                with transaction.atomic():
                    ReviewReminderSent.objects.create(call=call, user=reviewer, kind=kind)
                    queue_email_to_users(
                        users=[reviewer],
                        subject=_("Reminder: reviews for “%(title)s” are due %(when)s")
                        % {"title": call.title, "when": format_brussels(call.review_deadline)},
                        template="governance/email/review_reminder.txt",
                        context={"call": call, "assignments": assignments, "kind": kind},
                    )
            except IntegrityError:
                continue  # another run sent this one
            sent += 1
    return sent
