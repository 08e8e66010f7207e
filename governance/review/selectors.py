"""Reads of the review side of the governance app: who the reviewers are, which of them
are conflicted for which application (declared or detected), and whether a reviewer may
see an application. The projects app asks `reviewer_may_see` before showing an
application, its files and its PDF to anyone but its consortium and staff.

Known limits: a detected conflict is computed from the organisation on the reviewer's
profile (not the organisation of their council seat) and the OrganisationLink rows.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from programme.enums import Role
from programme.models import OrganisationLink, User
from projects.models import Partner

from . import domain
from .enums import ACTIVE_ASSIGNMENT_STATES, AssignmentState
from .models import ConductDeclaration, ConflictDeclaration, DiscussionPost, ReviewAssignment

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


def conflict_of(application, user: User) -> tuple[bool, str]:
    """Is `user` conflicted for `application` (a recorded declaration or detected now)?"""
    declared = declared_conflicts([application.pk]).get((application.pk, user.pk))
    if declared is not None:
        return True, declared
    reason = detected_conflicts([application.pk], [user]).get((application.pk, user.pk))
    return (True, reason) if reason else (False, "")


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
