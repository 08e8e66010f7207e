"""All writes of the governance bodies: bodies, memberships and meetings.

Every function is keyword-only, runs in a transaction, checks the rule of domain.py
(raising programme.states.Refused with the reason the user reads), validates with
full_clean() and records who and why in the audit trail.
"""

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from programme.enums import Role
from programme.models import Organisation, Programme, User
from programme.services import audited_save, user_set_roles
from programme.states import Refused

from . import domain
from .enums import VOTING_SEATS, BodyKind
from .models import Body, Meeting, Membership

# The role a voting member needs to reach the body's pages and, later, its work.
BODY_ROLE = {
    BodyKind.ADVISORY_COUNCIL: Role.COUNCIL,
    BodyKind.STEERING_GROUP: Role.STEERING,
}


@transaction.atomic
def body_create(
    *,
    actor: User | None,
    programme: Programme,
    kind: str,
    name_nl: str,
    name_en: str,
    description_nl: str = "",
    description_en: str = "",
) -> Body:
    """Create a governance body of the programme (audited)."""
    body = Body(
        programme=programme,
        kind=kind,
        name_nl=name_nl,
        name_en=name_en,
        description_nl=description_nl,
        description_en=description_en,
    )
    audited_save(body, actor=actor, reason="body created")
    return body


def _check_term(
    *, body: Body, user: User, seat: str, starts_on: date, ends_on: date | None, exclude=None
) -> None:
    others = Membership.objects.filter(body=body, user=user)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    ok, reason = domain.can_hold_membership(
        body_kind=body.kind,
        seat=seat,
        starts_on=starts_on,
        ends_on=ends_on,
        other_terms=others.values_list("starts_on", "ends_on"),
    )
    if not ok:
        raise Refused(reason)


@transaction.atomic
def membership_create(
    *,
    actor: User | None,
    body: Body,
    user: User,
    seat: str,
    starts_on: date,
    ends_on: date | None = None,
    organisation: Organisation | None = None,
    note: str = "",
) -> Membership:
    """Give `user` a seat in `body` for a term.

    Side effects, in order: locks the body (two staff adding the same person at once
    cannot both pass the overlap check); checks the seat belongs to the body, the term
    is well formed and does not overlap the person's other terms in this body (raises
    Refused with the reason); saves with an audit row, the organisation
    defaulting to the person's own; for a voting seat, adds the body's role (council or
    steering group) to the person if they lack it. Observers get no role: they do not
    vote, and roles are never removed here (ending a term leaves roles to the staff).
    """
    Body.objects.select_for_update().filter(pk=body.pk).first()
    _check_term(body=body, user=user, seat=seat, starts_on=starts_on, ends_on=ends_on)
    membership = Membership(
        body=body,
        user=user,
        seat=seat,
        starts_on=starts_on,
        ends_on=ends_on,
        organisation=organisation if organisation is not None else user.organisation,
        note=note,
    )
    audited_save(membership, actor=actor, reason=f"seat {seat} from {starts_on.isoformat()}")
    role = BODY_ROLE[BodyKind(body.kind)]
    if seat in VOTING_SEATS and not user.has_role(role):
        user_set_roles(
            actor=actor,
            user=user,
            roles=[*user.roles, role],
            reason=f"member of {body.kind}",
        )
    return membership


@transaction.atomic
def membership_update(
    *,
    actor: User | None,
    membership: Membership,
    seat: str,
    starts_on: date,
    ends_on: date | None,
    organisation: Organisation | None,
    note: str = "",
    reason: str = "",
) -> Membership:
    """Change a membership's seat, term, organisation or note (e.g. end the term).

    Side effects, in order: locks the body; checks the same rules as
    membership_create against the person's other terms; saves with an audit row.
    """
    Body.objects.select_for_update().filter(pk=membership.body_id).first()
    _check_term(
        body=membership.body,
        user=membership.user,
        seat=seat,
        starts_on=starts_on,
        ends_on=ends_on,
        exclude=membership,
    )
    membership.seat = seat
    membership.starts_on = starts_on
    membership.ends_on = ends_on
    membership.organisation = organisation
    membership.note = note
    audited_save(membership, actor=actor, reason=reason or "membership changed")
    return membership


@transaction.atomic
def meeting_record(
    *,
    actor: User,
    body: Body,
    date: date,
    subject: str,
    attendees: Iterable[User],
    guests: str = "",
    notes: str = "",
) -> Meeting:
    """Record a meeting of `body` and who attended.

    Side effects, in order: checks every attendee is a member (voting or observer) of
    the body on that date (raises Refused naming the others: guests go in
    `guests`); saves the meeting with an audit row; sets the attendees (audited through
    the meeting's history).
    """
    attendees = list(attendees)
    members = set(body.memberships.active_on(date).values_list("user_id", flat=True))
    outsiders = [str(u) for u in attendees if u.pk not in members]
    if outsiders:
        raise Refused(
            _("Not a member of this body on %(date)s: %(names)s. Add guests under Guests.")
            % {"date": date.isoformat(), "names": ", ".join(outsiders)}
        )
    meeting = Meeting(
        body=body, date=date, subject=subject, guests=guests, notes=notes, recorded_by=actor
    )
    audited_save(meeting, actor=actor, reason="meeting recorded")
    meeting._history_user = actor
    meeting.attendees.set(attendees)
    return meeting
