"""All writes of the review side: conflict declarations, reviewer assignments (by hand
and automatic), individual reports, consensus scores, reviewers' expertise, reminders;
the code of conduct and the discussion before consensus in conduct.py; the phases that
lock (reviews, consensus) and their reopening in locks.py; the review reminders in reminders.py.

Every function is keyword-only, runs in a transaction, checks the rule of domain.py
(raising programme.states.Refused with the reason the user reads; a dict of reasons per
form field for scores and comments), validates with full_clean() and records who and why
in the audit trail.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.enums import CallState
from calls.models import Call
from programme import services as programme_services
from programme.enums import Role
from programme.models import Organisation, User
from programme.services import audited_save, queue_email_to_users
from programme.states import Refused
from projects.enums import ApplicationState
from projects.models import Application

from .. import domain, selectors
from ..assignment import ApplicationToReview, AssignmentInfeasible, assign_reviewers
from ..enums import (
    ACTIVE_ASSIGNMENT_STATES,
    ASSIGNMENT_TRANSITIONS,
    OPEN_ASSIGNMENT_STATES,
    AssignmentState,
    ConflictSource,
    LockCause,
    LockPhase,
)
from ..models import (
    ConflictDeclaration,
    ConsensusScore,
    PhaseLock,
    ReviewAssignment,
    ReviewerExpertise,
    ReviewScore,
)
from .conduct import conduct_accept as conduct_accept, discussion_post as discussion_post
from .locks import phase_lock as phase_lock, phase_reopen as phase_reopen
from .reminders import review_reminders_send_due as review_reminders_send_due


def _lock_assignment(assignment: ReviewAssignment) -> ReviewAssignment:
    return (
        ReviewAssignment.objects.select_for_update(of=("self",))
        .select_related(
            "application", "application__call", "application__call__parameters", "reviewer"
        )
        .get(pk=assignment.pk)
    )


def _move(assignment: ReviewAssignment, to: str, *, service: str, **facts) -> None:
    """Move `assignment` to `to` (not saved) if enums.ASSIGNMENT_TRANSITIONS lets
    `service` make the move and its guard passes with `facts`; else Refused."""
    ASSIGNMENT_TRANSITIONS.check(assignment.state, to, guards=domain, service=service, **facts)
    assignment.state = to


def _staff_users():
    return User.objects.filter(is_active=True, groups__name=Role.STAFF).distinct()


def _check_assignable(application, reviewer: User) -> None:
    """Raise Refused unless `reviewer` may be assigned to `application`."""

    if application.call.state != CallState.IN_EVALUATION:
        raise Refused(_("Reviewers are assigned while the call is in evaluation."))
    if application.state != ApplicationState.ADMISSIBLE:
        raise Refused(_("Only admissible applications are evaluated."))
    if not reviewer.is_active or not reviewer.has_role(*selectors.REVIEWER_ROLES):
        raise Refused(
            _("%(name)s is not an advisory council member or external expert.") % {"name": reviewer}
        )
    if selectors.active_lock(application, LockPhase.REVIEWS) is not None:
        raise Refused(
            _(
                "The individual reviews of this application are locked: the consensus has "
                "been recorded. Reopen them with a reason to add a reviewer."
            )
        )
    conflicted, reason = selectors.conflict_of(application, reviewer)
    if conflicted:
        raise Refused(
            _("%(name)s has a conflict of interest: %(reason)s")
            % {"name": reviewer, "reason": reason}
        )


@transaction.atomic
def review_assign(*, actor: User, application, reviewer: User) -> ReviewAssignment:
    """Assign `reviewer` to `application` by hand.

    Side effects, in order: locks the application; checks the call is in evaluation, the
    application admissible, the person a reviewer without a conflict (declared or
    detected) and not already assigned (raises Refused with the reason); saves
    the assignment (audited); on commit, e-mails the reviewer.
    """

    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("call")
        .get(pk=application.pk)
    )
    _check_assignable(application, reviewer)
    if ReviewAssignment.objects.filter(application=application, reviewer=reviewer).exists():
        raise Refused(_("%(name)s is already assigned to this application.") % {"name": reviewer})
    assignment = ReviewAssignment(application=application, reviewer=reviewer, assigned_by=actor)
    audited_save(assignment, actor=actor, reason="reviewer assigned by hand")
    _queue_assigned_email(reviewer, [application])
    return assignment


def _queue_assigned_email(reviewer: User, applications) -> None:
    queue_email_to_users(
        users=[reviewer],
        subject=_("New applications to evaluate"),
        template="governance/email/review_assigned.txt",
        context={"applications": list(applications)},
    )


@transaction.atomic
def review_unassign(*, actor: User, assignment: ReviewAssignment) -> None:
    """Remove an assignment that has not been submitted.

    Side effects, in order: locks the assignment; refuses a submitted one; deletes it
    with its draft scores (the audit trail keeps both).
    """
    assignment = _lock_assignment(assignment)
    if assignment.state == AssignmentState.SUBMITTED:
        raise Refused(_("A submitted review cannot be unassigned."))
    assignment._history_user = actor
    for score in assignment.scores.all():
        score._history_user = actor
        score.delete()
    assignment.delete()


@transaction.atomic
def reviews_assign_automatically(*, actor: User, call) -> list[ReviewAssignment]:
    """Give every admissible application of `call` its number of reviewers
    (parameters.reviewers_per_application) with governance.review.assignment.assign_reviewers:
    loads balanced, never a conflicted reviewer, matching themes preferred.

    Side effects, in order: locks the call; checks it is in evaluation; records every
    newly detected conflict of the pool as a declaration (source detected, audited);
    raises Refused naming each application that cannot get enough reviewers (the
    detected conflicts are then not kept either); saves the new assignments (audited);
    on commit, e-mails each reviewer their new applications. Existing assignments stay;
    applications whose reviews are locked (consensus recorded) are left alone.
    """

    call = Call.objects.select_for_update(of=("self",)).select_related("parameters").get(pk=call.pk)
    if call.state != CallState.IN_EVALUATION:
        raise Refused(_("Reviewers are assigned while the call is in evaluation."))
    # An application whose consensus is recorded (its reviews locked) gets no new reviewer.
    locked = set(
        PhaseLock.objects.filter(
            application__call=call, phase=LockPhase.REVIEWS, reopened_at__isnull=True
        ).values_list("application_id", flat=True)
    )
    applications = [
        a
        for a in Application.objects.filter(call=call, state=ApplicationState.ADMISSIBLE).order_by(
            "submitted_at", "pk"
        )
        if a.pk not in locked
    ]
    pool = list(selectors.reviewer_pool())
    app_ids = [a.pk for a in applications]
    detected = selectors.detected_conflicts(app_ids, pool)
    declared = selectors.declared_conflicts(app_ids)
    on_record = {
        (d.application_id, d.reviewer_id): d
        for d in ConflictDeclaration.objects.filter(application_id__in=app_ids)
    }
    for pair, reason in detected.items():
        if pair in declared:
            continue
        # A "no conflict" declaration made before the link was known is superseded.
        declaration = on_record.get(pair) or ConflictDeclaration(
            application_id=pair[0], reviewer_id=pair[1]
        )
        declaration.has_conflict = True
        declaration.reason = reason
        declaration.source = ConflictSource.DETECTED
        audited_save(declaration, actor=actor, reason="conflict detected at assignment")
    conflicted_pairs = set(detected) | set(declared)
    # Open reviews of a now-conflicted pair are withdrawn (assign_reviewers replaces them).
    for assignment in ReviewAssignment.objects.filter(
        application_id__in=app_ids, state__in=OPEN_ASSIGNMENT_STATES
    ):
        if (assignment.application_id, assignment.reviewer_id) in conflicted_pairs:
            _move(assignment, AssignmentState.WITHDRAWN, service="reviews_assign_automatically")
            audited_save(assignment, actor=actor, reason="withdrawn: conflict detected")
    label = {a.pk: f"{a.acronym} (#{a.pk})" for a in applications}
    by_label = {v: k for k, v in label.items()}
    conflicts = {(label[a], r) for a, r in conflicted_pairs if a in label}
    existing: dict[str, list[int]] = {label[a]: [] for a in app_ids}
    active = ReviewAssignment.objects.filter(
        application_id__in=app_ids, state__in=ACTIVE_ASSIGNMENT_STATES
    ).order_by("assigned_at", "pk")
    for application_id, reviewer_id in active.values_list("application_id", "reviewer_id"):
        existing[label[application_id]].append(reviewer_id)
    # Withdrawn assignments keep their row (unique per pair): never reuse the pair.
    for application_id, reviewer_id in ReviewAssignment.objects.filter(
        application_id__in=app_ids, state=AssignmentState.WITHDRAWN
    ).values_list("application_id", "reviewer_id"):
        conflicts.add((label[application_id], reviewer_id))
    expertise: dict[int, set[str]] = {}
    for user_id, theme_id in ReviewerExpertise.objects.filter(
        user__in=[r.pk for r in pool]
    ).values_list("user_id", "theme_id"):
        expertise.setdefault(user_id, set()).add(str(theme_id))
    try:
        result = assign_reviewers(
            [
                ApplicationToReview(
                    id=label[a.pk],
                    themes=frozenset({str(a.theme_id)}) if a.theme_id else frozenset(),
                )
                for a in applications
            ],
            [r.pk for r in pool],
            per_application=call.parameters.reviewers_per_application,
            conflicts=conflicts,
            existing=existing,
            expertise=expertise,
        )
    except AssignmentInfeasible as error:
        raise Refused(error.reasons) from error
    reviewers = {r.pk: r for r in pool}
    applications_by_id = {a.pk: a for a in applications}
    created = []
    per_reviewer: dict[int, list] = {}
    for app_label, reviewer_ids in result.items():
        application_id = by_label[app_label]
        for reviewer_id in reviewer_ids:
            if reviewer_id in existing[app_label]:
                continue
            assignment = ReviewAssignment(
                application_id=application_id, reviewer_id=reviewer_id, assigned_by=actor
            )
            audited_save(assignment, actor=actor, reason="automatic assignment")
            created.append(assignment)
            per_reviewer.setdefault(reviewer_id, []).append(applications_by_id[application_id])
    for reviewer_id, assigned in per_reviewer.items():
        _queue_assigned_email(reviewers[reviewer_id], assigned)
    return created


@transaction.atomic
def conflict_declare(
    *, actor: User, assignment: ReviewAssignment, has_conflict: bool, reason: str = ""
) -> ConflictDeclaration:
    """The reviewer of `assignment` declares no conflict, or a conflict with its reason.

    Side effects, in order: locks the assignment; refuses a declaration by anyone but
    the reviewer, a conflict without a reason, and "no conflict" once a conflict is on
    record; saves the declaration (audited). With a conflict: withdraws the assignment
    (audited) — refused once the review is submitted — and on commit e-mails the staff
    to assign a replacement.
    """
    assignment = _lock_assignment(assignment)
    if actor.pk != assignment.reviewer_id:
        raise Refused(_("Only the reviewer declares their conflicts of interest."))
    reason = (reason or "").strip()
    if has_conflict and not reason:
        raise Refused({"reason": [_("Say what the conflict of interest is.")]})
    declaration = ConflictDeclaration.objects.filter(
        application=assignment.application, reviewer=assignment.reviewer
    ).first()
    if declaration is not None and declaration.has_conflict and not has_conflict:
        raise Refused(_("A conflict of interest on record cannot be taken back."))
    if has_conflict:
        _move(assignment, AssignmentState.WITHDRAWN, service="conflict_declare")
    else:
        conflicted, detected_reason = selectors.conflict_of(
            assignment.application, assignment.reviewer
        )
        if conflicted:
            raise Refused(
                _("A conflict of interest is on record: %(reason)s") % {"reason": detected_reason}
            )
    if declaration is None:
        declaration = ConflictDeclaration(
            application=assignment.application, reviewer=assignment.reviewer
        )
    declaration.has_conflict = has_conflict
    declaration.reason = reason if has_conflict else ""
    declaration.source = ConflictSource.DECLARED
    audited_save(
        declaration, actor=actor, reason="conflict declared" if has_conflict else "no conflict"
    )
    if has_conflict:
        audited_save(assignment, actor=actor, reason="withdrawn: conflict of interest")
        queue_email_to_users(
            users=_staff_users(),
            subject=_("Conflict of interest on %(acronym)s: assign a replacement")
            % {"acronym": assignment.application.acronym},
            template="governance/email/conflict_declared.txt",
            context={"assignment": assignment, "declaration": declaration},
        )
    return declaration


@transaction.atomic
def conflicts_detect_for_link(*, actor: User | None, link) -> list[ReviewAssignment]:
    """After an organisation link is recorded: withdraw every active review assignment
    (assigned, being scored or submitted) of a call in evaluation whose reviewer is now
    found conflicted through the link (DOMAIN.md: a reviewer never reviews a proposal of
    their own or a linked organisation).

    Side effects, in order: locks the assignments concerned; per conflict found records
    (or turns) the ConflictDeclaration as detected with its reason, withdraws the
    assignment (audited, a submitted review's scores stop counting: the consensus page,
    the ranking's review figures and the report count submitted reviews only); on commit
    e-mails the staff once, listing the withdrawn assignments. Returns them.
    """

    organisation_ids = {link.organisation_id, link.other_id}
    concerned = ReviewAssignment.objects.filter(
        state__in=ACTIVE_ASSIGNMENT_STATES,
        application__call__state=CallState.IN_EVALUATION,
        reviewer__organisation_id__isnull=False,
    ).filter(
        Q(reviewer__organisation_id__in=organisation_ids)
        | Q(application__partners__organisation_id__in=organisation_ids)
    )
    candidates = list(
        ReviewAssignment.objects.select_for_update(of=("self",))
        .select_related("application", "reviewer")
        .filter(pk__in=concerned.values("pk"))
        .order_by("pk")
    )
    if not candidates:
        return []
    found = selectors.detected_conflicts(
        {a.application_id for a in candidates}, {a.reviewer for a in candidates}
    )
    withdrawn = []
    for assignment in candidates:
        reason = found.get((assignment.application_id, assignment.reviewer_id))
        if reason is None:
            continue
        declaration = ConflictDeclaration.objects.filter(
            application_id=assignment.application_id, reviewer_id=assignment.reviewer_id
        ).first() or ConflictDeclaration(
            application_id=assignment.application_id, reviewer_id=assignment.reviewer_id
        )
        if not declaration.has_conflict:  # new, or "no conflict" declared before the link
            declaration.has_conflict = True
            declaration.reason = reason
            declaration.source = ConflictSource.DETECTED
            audited_save(declaration, actor=actor, reason="conflict detected: organisation link")
        was_submitted = assignment.state == AssignmentState.SUBMITTED
        _move(assignment, AssignmentState.WITHDRAWN, service="conflicts_detect_for_link")
        audited_save(
            assignment,
            actor=actor,
            reason="withdrawn: conflict detected"
            + (" (submitted review)" if was_submitted else ""),
        )
        withdrawn.append(assignment)
    if withdrawn:
        queue_email_to_users(
            users=_staff_users(),
            subject=_("Conflicts of interest found: %(count)s review assignment(s) withdrawn")
            % {"count": len(withdrawn)},
            template="governance/email/conflicts_detected.txt",
            context={"assignments": withdrawn},
        )
    return withdrawn


def _plain(value: Decimal) -> Decimal:
    """5.0 -> 5, 0.50 -> 0.5 (for messages), never 1E+1."""
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


def scale_of(call) -> domain.ScaleSpec:
    """The call's score scale (0–5 in half points by default)."""
    parameters = call.parameters
    return domain.ScaleSpec(
        _plain(parameters.scale_min), _plain(parameters.scale_max), _plain(parameters.scale_step)
    )


def _review_errors(call, entries: dict[int, tuple[str, str]], *, complete: bool) -> dict:
    scale = scale_of(call)
    errors: dict[str, list[str]] = {}
    for criterion in call.criteria.all():
        score_text, comment = entries.get(criterion.pk, ("", ""))
        for field, reason in domain.review_entry_errors(
            score_text, comment, scale, complete=complete
        ).items():
            errors[f"{field}_{criterion.pk}"] = [reason]
    return errors


def _review_facts(assignment: ReviewAssignment, actor: User, now) -> dict:
    """What domain.can_write_review needs to know."""
    return {
        "is_reviewer": actor.pk == assignment.reviewer_id,
        "declared_no_conflict": ConflictDeclaration.objects.filter(
            application=assignment.application, reviewer=actor, has_conflict=False
        ).exists(),
        "locked": selectors.phase_status(assignment.application, LockPhase.REVIEWS, now=now),
    }


def _write_scores(assignment: ReviewAssignment, entries, actor: User, reason: str) -> None:
    existing = {s.criterion_id: s for s in assignment.scores.all()}
    for criterion in assignment.application.call.criteria.all():
        score_text, comment = entries.get(criterion.pk, ("", ""))
        text = (score_text or "").strip().replace(",", ".")
        row = existing.get(criterion.pk) or ReviewScore(assignment=assignment, criterion=criterion)
        row.score = Decimal(text) if text else None
        row.comment = (comment or "").strip()
        audited_save(row, actor=actor, reason=reason)


@transaction.atomic
def review_save_draft(
    *, actor: User, assignment: ReviewAssignment, entries: dict[int, tuple[str, str]], now=None
) -> ReviewAssignment:
    """Save the reviewer's scores and comments as typed so far (`entries`: criterion id
    -> (score text, comment)); empty fields are allowed, off-scale scores are not.

    Side effects, in order: locks the assignment; checks the reviewer, their "no
    conflict" declaration and the review deadline; refuses off-scale scores per field
    (Refused, nothing saved); saves the scores (audited) and moves the assignment
    to draft (audited).
    """
    now = now or timezone.now()
    assignment = _lock_assignment(assignment)
    _move(
        assignment,
        AssignmentState.DRAFT,
        service="review_save_draft",
        **_review_facts(assignment, actor, now),
    )
    errors = _review_errors(assignment.application.call, entries, complete=False)
    if errors:
        raise Refused(errors)
    _write_scores(assignment, entries, actor, "review draft saved")
    audited_save(assignment, actor=actor, reason="review draft saved")
    return assignment


@transaction.atomic
def review_submit(
    *, actor: User, assignment: ReviewAssignment, entries: dict[int, tuple[str, str]], now=None
) -> ReviewAssignment:
    """Submit the individual report: a score on the call's scale and a comment for every
    criterion.

    Side effects, in order: locks the assignment; checks the reviewer, their "no
    conflict" declaration and the review deadline; refuses a missing or off-scale score
    or a missing comment, per field (Refused, nothing saved); saves the scores
    (audited); marks the assignment submitted with the time (audited).
    """
    now = now or timezone.now()
    assignment = _lock_assignment(assignment)
    _move(
        assignment,
        AssignmentState.SUBMITTED,
        service="review_submit",
        **_review_facts(assignment, actor, now),
    )
    errors = _review_errors(assignment.application.call, entries, complete=True)
    if errors:
        raise Refused(errors)
    _write_scores(assignment, entries, actor, "review submitted")
    assignment.submitted_at = now
    audited_save(assignment, actor=actor, reason="review submitted")
    return assignment


@transaction.atomic
def consensus_record(
    *, actor: User, application, entries: dict[int, tuple[str, str]]
) -> list[ConsensusScore]:
    """The moderator records the consensus score and comment of every criterion.

    Side effects, in order: locks the application; refuses while the consensus is locked
    (a decision proposal exists, the call is decided) and while an active review is
    unsubmitted or none is submitted; refuses a missing or off-scale score or a missing
    comment, per field (Refused, nothing saved); creates or updates one
    ConsensusScore per criterion (audited).
    """

    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("call", "call__parameters")
        .get(pk=application.pk)
    )
    states = list(
        application.review_assignments.filter(state__in=ACTIVE_ASSIGNMENT_STATES).values_list(
            "state", flat=True
        )
    )
    locked, why = selectors.phase_status(application, LockPhase.CONSENSUS)
    if locked:
        raise Refused(why)
    if not states or any(s != AssignmentState.SUBMITTED for s in states):
        raise Refused(_("The consensus is recorded once every assigned reviewer has submitted."))
    errors = _review_errors(application.call, entries, complete=True)
    if errors:
        raise Refused(errors)
    existing = {c.criterion_id: c for c in application.consensus_scores.all()}
    saved = []
    for criterion in application.call.criteria.all():
        score_text, comment = entries[criterion.pk]
        row = existing.get(criterion.pk) or ConsensusScore(
            application=application, criterion=criterion
        )
        row.score = Decimal(score_text.strip().replace(",", "."))
        row.comment = comment.strip()
        row.moderator = actor
        audited_save(row, actor=actor, reason="consensus recorded")
        saved.append(row)
    phase_lock(
        actor=actor,
        application=application,
        phase=LockPhase.REVIEWS,
        cause=LockCause.CONSENSUS_RECORDED,
    )
    if PhaseLock.objects.filter(application=application, phase=LockPhase.CONSENSUS).exists():
        # Staff reopened the consensus of a proposal's application: recording it locks
        # it again.
        phase_lock(
            actor=actor,
            application=application,
            phase=LockPhase.CONSENSUS,
            cause=LockCause.DECISION_PROPOSAL,
        )
    return saved


@transaction.atomic
def reviewer_expertise_set(*, actor: User, user: User, themes: Iterable) -> None:
    """Set a reviewer's themes of expertise (audited: added rows saved, removed rows
    deleted with the actor in the audit trail)."""
    wanted = {t.pk for t in themes}
    current = {e.theme_id: e for e in ReviewerExpertise.objects.filter(user=user)}
    for theme_id, row in current.items():
        if theme_id not in wanted:
            row._history_user = actor
            row.delete()
    for theme_id in wanted - set(current):
        audited_save(
            ReviewerExpertise(user=user, theme_id=theme_id), actor=actor, reason="expertise"
        )


@transaction.atomic
def organisation_link_record(
    *,
    actor: User,
    organisation: Organisation,
    other: Organisation,
    kind: str,
    share=None,
    note: str = "",
):
    """Record a link between two enterprises (staff, on the organisation page).

    Side effects, in order: saves the link with an audit row
    (programme.services.organisation_link_create); withdraws the review assignments the
    link turns into a conflict of interest and tells staff (conflicts_detect_for_link).
    """
    link = programme_services.organisation_link_create(
        actor=actor, organisation=organisation, other=other, kind=kind, share=share, note=note
    )
    conflicts_detect_for_link(actor=actor, link=link)
    return link
