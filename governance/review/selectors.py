"""Reads of the review side of the governance app: who the reviewers are, which of them
are conflicted for which application (declared or detected), and whether a reviewer may
see an application. The projects app asks `reviewer_may_see` before showing an
application, its files and its PDF to anyone but its consortium and staff.

`hidden_proposals(user, application_ids)` is the one answer to "may this person see
this proposal?" on the review and decision side (ranking, decision page, evaluation
report and exports, report downloads): a proposal is hidden from a person who is not
staff when they declared a conflict of interest with it or one is detected now (their
organisation is a partner, or linked to a partner by an OrganisationLink), whether or
not the conflict was ever declared. `may_see_proposal` asks it for one proposal.

Known limits: a detected conflict is computed from the organisation on the reviewer's
profile (not the organisation of their council seat) and the OrganisationLink rows.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.enums import CallState
from programme.enums import Role
from programme.models import OrganisationLink, User
from programme.rules import is_staff
from projects.models import Partner

from . import domain
from .enums import ACTIVE_ASSIGNMENT_STATES, AssignmentState, LockPhase
from .models import (
    ConductDeclaration,
    ConflictDeclaration,
    DiscussionPost,
    PhaseLock,
    ReviewAssignment,
)

REVIEWER_ROLES = (Role.COUNCIL, Role.EXPERT)


def reviewer_pool() -> QuerySet[User]:
    """Active users with the council or expert role, in a stable order."""
    return (
        User.objects.filter(is_active=True, groups__name__in=REVIEWER_ROLES)
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


def partner_organisations(application_ids: Iterable[int]) -> dict[int, set[int]]:
    """application id -> the organisation ids of its partners."""

    result: dict[int, set[int]] = defaultdict(set)
    rows = Partner.objects.filter(application_id__in=list(application_ids)).values_list(
        "application_id", "organisation_id"
    )
    for application_id, organisation_id in rows:
        result[application_id].add(organisation_id)
    return result


def links_touching(organisation_ids: Iterable[int]) -> list[tuple[int, int]]:
    ids = list(set(organisation_ids))
    return list(
        OrganisationLink.objects.filter(
            Q(organisation_id__in=ids) | Q(other_id__in=ids)
        ).values_list("organisation_id", "other_id")
    )


def detected_conflicts(
    application_ids: Iterable[int], reviewers: Iterable[User]
) -> dict[tuple[int, int], str]:
    """(application id, reviewer id) -> reason, for every detected conflict. Two
    queries whatever the sizes."""
    partners = partner_organisations(application_ids)
    reviewers = [r for r in reviewers if r.organisation_id is not None]
    if not reviewers:
        return {}
    links = links_touching({r.organisation_id for r in reviewers})
    found = {}
    for application_id, org_ids in partners.items():
        for reviewer in reviewers:
            conflicted, reason = domain.detected_conflict(reviewer.organisation_id, org_ids, links)
            if conflicted:
                found[(application_id, reviewer.pk)] = reason
    return found


def declared_conflicts(application_ids: Iterable[int]) -> dict[tuple[int, int], str]:
    """(application id, reviewer id) -> reason of every recorded conflict."""
    rows = ConflictDeclaration.objects.filter(
        application_id__in=list(application_ids), has_conflict=True
    ).values_list("application_id", "reviewer_id", "reason")
    return {(a, r): reason for a, r, reason in rows}


def conflicts_of(user: User, application_ids: Iterable[int]) -> dict[int, str]:
    """application id -> reason, for each of `application_ids` that `user` declared a
    conflict with or is found conflicted with now (organisation link or partner). Three
    queries whatever the number of applications; staff are not exempt here."""
    if not user.is_authenticated:
        return {}
    ids = list(application_ids)
    found = {
        application_id: reason
        for (application_id, _reviewer), reason in detected_conflicts(ids, [user]).items()
    }
    declared = ConflictDeclaration.objects.filter(
        application_id__in=ids, reviewer=user, has_conflict=True
    ).values_list("application_id", "reason")
    found.update(dict(declared))  # a declaration's own words win over the detected reason
    return found


def hidden_proposals(user: User, application_ids: Iterable[int]) -> dict[int, str]:
    """Which of `application_ids` `user` may not see on the review and decision side,
    with the reason: every proposal with a declared or detected conflict of interest,
    unless the user is staff (VLAIO runs the procedure and sees every proposal)."""
    if is_staff(user):
        return {}
    return conflicts_of(user, application_ids)


def may_see_proposal(user: User, application) -> bool:
    """May `user` see `application` on the review and decision side? (hidden_proposals)"""
    return application.pk not in hidden_proposals(user, [application.pk])


def conflict_of(application, user: User) -> tuple[bool, str]:
    """Is `user` conflicted for `application` (a recorded declaration or detected now)?"""
    reason = conflicts_of(user, [application.pk]).get(application.pk)
    return (True, reason) if reason is not None else (False, "")


def reviewer_may_see(user: User, application) -> bool:
    """A reviewer sees an application (read-only) when they hold an active assignment on
    it, have declared no conflict, no conflict is detected now, and they accepted the
    code of conduct and confidentiality declaration in force."""
    if not user.is_authenticated:
        return False
    cache = application.__dict__.setdefault("_reviewer_cache", {})
    if user.pk not in cache:
        cleared = (
            ReviewAssignment.objects.filter(
                application=application, reviewer=user, state__in=ACTIVE_ASSIGNMENT_STATES
            ).exists()
            and ConflictDeclaration.objects.filter(
                application=application, reviewer=user, has_conflict=False
            ).exists()
            and not conflict_of(application, user)[0]
            and conduct_accepted(user)
        )
        cache[user.pk] = cleared
    return cache[user.pk]


def phase_status(application, phase: str, *, now=None) -> tuple[bool, str]:
    """Is `phase` (LockPhase) of `application` locked, and why (domain.phase_locked)?
    Reads the application's latest PhaseLock of that phase and its call's state and
    review deadline."""
    now = now or timezone.now()
    call = application.call
    latest = (
        PhaseLock.objects.filter(application=application, phase=phase)
        .order_by("-locked_at", "-pk")
        .values_list("cause", "reopened_at")
        .first()
    )
    deadline = call.review_deadline
    return domain.phase_locked(
        latest=(latest[0], latest[1] is not None) if latest else None,
        deadline_passed=phase == LockPhase.REVIEWS and deadline is not None and now >= deadline,
        call_decided=call.state in (CallState.DECIDED, CallState.ARCHIVED),
    )


def active_lock(application, phase: str) -> PhaseLock | None:
    """The phase's latest lock when staff have not reopened it."""
    latest = (
        PhaseLock.objects.filter(application=application, phase=phase)
        .order_by("-locked_at", "-pk")
        .first()
    )
    return latest if latest is not None and latest.reopened_at is None else None


def accepted_conduct_version(user: User) -> str | None:
    """The version of the code of conduct `user` accepted, when it is the one in force."""
    if not user.is_authenticated:
        return None
    cache = user.__dict__.setdefault("_conduct_cache", {})
    if "version" not in cache:
        cache["version"] = (
            domain.CONDUCT_VERSION
            if ConductDeclaration.objects.filter(
                reviewer=user, version=domain.CONDUCT_VERSION
            ).exists()
            else None
        )
    return cache["version"]


def conduct_accepted(user: User) -> bool:
    return domain.can_open_proposal(accepted_version=accepted_conduct_version(user))[0]


@dataclass(frozen=True)
class DiscussionAccess:
    """What `user` may do with the discussion of one application: `visible` False means
    they must not know it exists (404); `readable` False comes with the reason."""

    visible: bool
    readable: bool = False
    reason: str = ""
    assignment: ReviewAssignment | None = None


def discussion_access(user: User, application, *, is_moderator: bool) -> DiscussionAccess:
    """The moderator (staff) and the application's cleared reviewers see the discussion;
    a reviewer reads it once their own review is submitted. Anyone with a conflict of
    interest, declared or detected, and anyone else does not know it exists."""
    if not user.is_authenticated or conflict_of(application, user)[0]:
        return DiscussionAccess(visible=False)
    assignment = None
    if not is_moderator:
        assignment = ReviewAssignment.objects.filter(
            application=application, reviewer=user, state__in=ACTIVE_ASSIGNMENT_STATES
        ).first()
        if assignment is None or not reviewer_may_see(user, application):
            return DiscussionAccess(visible=False)
    ok, reason = domain.can_read_discussion(
        is_moderator=is_moderator,
        own_review_submitted=assignment is not None
        and assignment.state == AssignmentState.SUBMITTED,
    )
    return DiscussionAccess(visible=True, readable=ok, reason=reason, assignment=assignment)


def discussion_posts(application, viewer: User, *, is_moderator: bool) -> list[dict]:
    """The posts of an application's discussion, oldest first, each with the label its
    author shows under: "Moderator", "You", or "Reviewer n", numbered as on the review
    page's other scores (submitted reviews but the viewer's, by submission time), so the
    reviewers stay as anonymous to each other as their scores; the moderator sees names.
    Two queries."""
    order = (
        ReviewAssignment.objects.filter(application=application, state=AssignmentState.SUBMITTED)
        .exclude(reviewer=viewer)
        .order_by("submitted_at", "pk")
        .values_list("reviewer_id", flat=True)
    )
    number = {reviewer_id: n for n, reviewer_id in enumerate(order, start=1)}
    rows = []
    posts = DiscussionPost.objects.filter(application=application).select_related("author")
    for post in posts:
        if post.author_id == viewer.pk:
            label = _("You")
        elif post.is_moderator:
            label = _("Moderator")
        elif is_moderator:
            label = post.author.get_full_name() or post.author.email
        else:
            n = number.get(post.author_id)
            label = _("Reviewer %(n)s") % {"n": n} if n else _("A former reviewer")
        rows.append({"post": post, "label": label})
    return rows
