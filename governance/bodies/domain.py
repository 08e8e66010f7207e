"""Pure rules of the governance bodies: the composition of the strategic advisory
council and the steering group and the quorum of their meetings. No writes and no
queries: every function takes plain values.

Known limits: the composition rules check seats and the kind of the seat holder's
organisation; they cannot tell whether the "university by rotation" seat really rotates
(that is a decision of the government, recorded as the term of each membership).
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _, ngettext

from programme.enums import OrganisationKind

from .enums import SEATS, VOTING_SEATS, BodyKind, Seat

# --- Composition of the bodies (DOMAIN.md §2) -----------------------------------------------

COUNCIL_MAX_VOTING_MEMBERS = 15
COUNCIL_GOVERNMENT_SEATS = 2
COUNCIL_HOSPITAL_SEATS = 1
KNOWLEDGE_SEATS = (Seat.VIB, Seat.VITO, Seat.UNIVERSITY)  # one each, 3 in all
STEERING_REPRESENTED = (Seat.VLAIO, Seat.FWO, Seat.EWI)

# The kind of organisation a seat holder must belong to; seats not listed take anyone.
SEAT_ORGANISATION_KIND = {
    Seat.INDUSTRY: OrganisationKind.COMPANY,
    Seat.VIB: OrganisationKind.RESEARCH,
    Seat.VITO: OrganisationKind.RESEARCH,
    Seat.UNIVERSITY: OrganisationKind.RESEARCH,
    Seat.UNIVERSITY_HOSPITAL: OrganisationKind.HOSPITAL,
}


@dataclass(frozen=True)
class SeatHolder:
    """One membership as the composition rules see it."""

    seat: str
    name: str = ""
    organisation_kind: str | None = None

    @property
    def votes(self) -> bool:
        return self.seat in VOTING_SEATS


@dataclass(frozen=True)
class CompositionCheck:
    code: str
    label: str
    ok: bool
    reason: str


def is_active_on(starts_on: date, ends_on: date | None, day: date) -> bool:
    """A term runs from `starts_on` to `ends_on` inclusive; no end date means open-ended."""
    return starts_on <= day and (ends_on is None or day <= ends_on)


def terms_overlap(a_start: date, a_end: date | None, b_start: date, b_end: date | None) -> bool:
    return (a_end is None or b_start <= a_end) and (b_end is None or a_start <= b_end)


def can_hold_membership(
    *,
    body_kind: str,
    seat: str,
    starts_on: date,
    ends_on: date | None,
    other_terms: Iterable[tuple[date, date | None]] = (),
) -> tuple[bool, str]:
    """May a person take `seat` in a body of `body_kind` for this term?

    `other_terms` are the person's other terms in the same body: one person holds one
    seat at a time in a body.
    """
    if seat not in SEATS[body_kind]:
        return False, _("The seat “%(seat)s” does not exist in the %(body)s.") % {
            "seat": Seat(seat).label,
            "body": BodyKind(body_kind).label.lower(),
        }
    if ends_on is not None and ends_on < starts_on:
        return False, _("The term cannot end before it starts.")
    for other_start, other_end in other_terms:
        if terms_overlap(starts_on, ends_on, other_start, other_end):
            return False, _(
                "This person already has a term in this body from %(start)s that overlaps "
                "this one; end that term first."
            ) % {"start": other_start.isoformat()}
    return True, ""


def _names(holders: Iterable[SeatHolder]) -> str:
    return ", ".join(h.name or "?" for h in holders)


def check_voting_members_limit(
    holders: list[SeatHolder], limit: int = COUNCIL_MAX_VOTING_MEMBERS
) -> tuple[bool, str]:
    voting = sum(1 for h in holders if h.votes)
    if voting > limit:
        return False, _("%(count)s voting members; at most %(limit)s are allowed.") % {
            "count": voting,
            "limit": limit,
        }
    return True, _("%(count)s voting members (at most %(limit)s).") % {
        "count": voting,
        "limit": limit,
    }


def check_industry_majority(holders: list[SeatHolder]) -> tuple[bool, str]:
    """The industry delegation is the majority: more than half of the voting members."""
    voting = sum(1 for h in holders if h.votes)
    industry = sum(1 for h in holders if h.seat == Seat.INDUSTRY)
    needed = voting // 2 + 1
    if voting == 0 or industry < needed:
        return False, _(
            "%(industry)s of %(voting)s voting members are from industry; a majority needs "
            "at least %(needed)s."
        ) % {"industry": industry, "voting": voting, "needed": max(needed, 1)}
    return True, _("%(industry)s of %(voting)s voting members are from industry.") % {
        "industry": industry,
        "voting": voting,
    }


def _exact_seat_count(
    holders: list[SeatHolder], seat: str, expected: int
) -> tuple[bool, str] | None:
    """None when the seat is filled exactly `expected` times, else the reason."""
    count = sum(1 for h in holders if h.seat == seat)
    if count == expected:
        return None
    if count < expected:
        return False, ngettext(
            "%(seat)s: %(missing)s seat vacant.",
            "%(seat)s: %(missing)s seats vacant.",
            expected - count,
        ) % {"seat": Seat(seat).label, "missing": expected - count}
    return False, _("%(seat)s: %(count)s members for %(expected)s seat(s).") % {
        "seat": Seat(seat).label,
        "count": count,
        "expected": expected,
    }


def check_knowledge_institutions(holders: list[SeatHolder]) -> tuple[bool, str]:
    """Three knowledge-institution seats: VIB, VITO and one university (by rotation)."""
    problems = [
        result[1]
        for seat in KNOWLEDGE_SEATS
        if (result := _exact_seat_count(holders, seat, 1)) is not None
    ]
    if problems:
        return False, " ".join(problems)
    return True, _("VIB, VITO and one university each hold their seat.")


def check_university_hospital(holders: list[SeatHolder]) -> tuple[bool, str]:
    result = _exact_seat_count(holders, Seat.UNIVERSITY_HOSPITAL, COUNCIL_HOSPITAL_SEATS)
    return result or (True, _("One university hospital holds the seat."))


def check_government_seats(holders: list[SeatHolder]) -> tuple[bool, str]:
    result = _exact_seat_count(holders, Seat.GOVERNMENT, COUNCIL_GOVERNMENT_SEATS)
    return result or (True, _("Two members appointed by the government."))


def check_seat_organisations(holders: list[SeatHolder]) -> tuple[bool, str]:
    """Industry seats go to companies, knowledge seats to research organisations, the
    hospital seat to a university hospital."""
    wrong = [
        h
        for h in holders
        if h.seat in SEAT_ORGANISATION_KIND
        and h.organisation_kind != SEAT_ORGANISATION_KIND[h.seat]
    ]
    if wrong:
        return False, _("Seat held by someone of another kind of organisation: %(names)s.") % {
            "names": "; ".join(f"{h.name or '?'} ({Seat(h.seat).label})" for h in wrong)
        }
    return True, _("Every seat holder belongs to the right kind of organisation.")


def check_seats_of_body(body_kind: str, holders: list[SeatHolder]) -> tuple[bool, str]:
    foreign = [h for h in holders if h.seat not in SEATS[body_kind]]
    if foreign:
        return False, _("Seats that do not belong to this body: %(names)s.") % {
            "names": _names(foreign)
        }
    return True, _("Every seat belongs to this body.")


def check_steering_representation(holders: list[SeatHolder]) -> tuple[bool, str]:
    """The steering group has representatives of VLAIO, FWO and EWI."""
    present = Counter(h.seat for h in holders)
    missing = [str(Seat(seat).label) for seat in STEERING_REPRESENTED if not present[seat]]
    if missing:
        return False, _("Not represented: %(missing)s.") % {"missing": ", ".join(missing)}
    return True, _("VLAIO, FWO and EWI are represented.")


def composition_checks(body_kind: str, holders: Iterable[SeatHolder]) -> list[CompositionCheck]:
    """Every composition rule of the body, each with whether it holds and why.

    `holders` are the memberships active on the day being checked; observers are listed
    like everyone else and simply do not count as voting members.
    """
    holders = list(holders)
    rules = [("seats", _("Seats of this body"), check_seats_of_body(body_kind, holders))]
    if body_kind == BodyKind.ADVISORY_COUNCIL:
        rules += [
            ("voting_limit", _("At most 15 voting members"), check_voting_members_limit(holders)),
            ("industry_majority", _("Industry is the majority"), check_industry_majority(holders)),
            (
                "knowledge",
                _("3 knowledge institutions (VIB, VITO, a university)"),
                check_knowledge_institutions(holders),
            ),
            ("hospital", _("1 university hospital"), check_university_hospital(holders)),
            ("government", _("2 appointed by the government"), check_government_seats(holders)),
            (
                "organisations",
                _("Seat holders from the right organisations"),
                check_seat_organisations(holders),
            ),
        ]
    else:
        rules += [
            (
                "represented",
                _("VLAIO, FWO and EWI represented"),
                check_steering_representation(holders),
            )
        ]
    return [CompositionCheck(code, str(label), ok, reason) for code, label, (ok, reason) in rules]


def voting_member_ids(terms: Iterable[tuple[object, str, date, date | None]], day: date) -> set:
    """The people holding a voting seat on `day`, from (person, seat, start, end) terms."""
    return {
        person
        for person, seat, starts_on, ends_on in terms
        if seat in VOTING_SEATS and is_active_on(starts_on, ends_on, day)
    }


def quorum_met(voting_member_ids: Iterable, attendee_ids: Iterable) -> tuple[bool, str]:
    """A meeting has its quorum when a majority of the voting members is present.

    Observers and guests may attend but never count towards the quorum.
    """
    voting = set(voting_member_ids)
    present = voting & set(attendee_ids)
    needed = len(voting) // 2 + 1
    if not voting:
        return False, _("The body has no voting members on this date.")
    if len(present) >= needed:
        return True, _("%(present)s of %(voting)s voting members present (quorum %(needed)s).") % {
            "present": len(present),
            "voting": len(voting),
            "needed": needed,
        }
    return False, _(
        "%(present)s of %(voting)s voting members present; the quorum is %(needed)s."
    ) % {"present": len(present), "voting": len(voting), "needed": needed}
