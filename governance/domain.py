"""Pure rules of the governance app: the composition of the strategic advisory council and
the steering group, the quorum of their meetings, the scoring rules of the evaluation and
who decides an aid. No writes and no queries: every function takes plain values.

The other evaluation algorithms live beside this module: reviewer assignment in
`assignment.py`, ranking, the funding cut, scenario figures and the optimal selection in
`ranking.py`.

Known limits: the composition rules check seats and the kind of the seat holder's
organisation; they cannot tell whether the "university by rotation" seat really rotates
(that is a decision of the government, recorded as the term of each membership).
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _, ngettext

from programme.enums import OrganisationKind

from .enums import SEATS, VOTING_SEATS, BodyKind, DecidingLevel, Seat

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


# --- Scoring (DOMAIN.md §5, EU Funding & Tenders practice) ----------------------------------

DEFAULT_SCALE_MIN = Decimal("0")
DEFAULT_SCALE_MAX = Decimal("5")
DEFAULT_SCALE_STEP = Decimal("0.5")
DEFAULT_SPREAD_THRESHOLD = Decimal("2")


def validate_score(
    value,
    *,
    scale_min: Decimal = DEFAULT_SCALE_MIN,
    scale_max: Decimal = DEFAULT_SCALE_MAX,
    step: Decimal = DEFAULT_SCALE_STEP,
) -> tuple[bool, str]:
    """A score lies on the call's scale (0–5 in half points by default)."""
    try:
        score = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return False, _("“%(value)s” is not a number.") % {"value": value}
    if not score.is_finite():
        return False, _("“%(value)s” is not a number.") % {"value": value}
    if score < scale_min or score > scale_max:
        return False, _("A score lies between %(min)s and %(max)s.") % {
            "min": scale_min,
            "max": scale_max,
        }
    if (score - scale_min) % step != 0:
        return False, _("Scores go in steps of %(step)s from %(min)s.") % {
            "step": step,
            "min": scale_min,
        }
    return True, ""


def spread_flag(scores: Iterable[Decimal], threshold: Decimal = DEFAULT_SPREAD_THRESHOLD) -> bool:
    """True when the experts' scores for one criterion differ by `threshold` or more:
    the moderator must discuss them before recording the consensus."""
    values = [Decimal(s) for s in scores if s is not None]
    return len(values) >= 2 and max(values) - min(values) >= Decimal(threshold)


def weighted_total(
    scores_by_criterion: Mapping[object, Decimal], weights: Mapping[object, Decimal]
) -> Decimal:
    """Σ score × weight over the criteria; weights serve ranking only.

    Every scored criterion needs a weight and every weighted criterion a score: a
    missing one raises ValueError instead of silently counting as zero.
    """
    if set(scores_by_criterion) != set(weights):
        missing = set(scores_by_criterion) ^ set(weights)
        raise ValueError(f"scores and weights name different criteria: {sorted(map(str, missing))}")
    return sum(
        (Decimal(scores_by_criterion[key]) * Decimal(weights[key]) for key in weights),
        Decimal("0"),
    )


def passes_thresholds(
    consensus_scores: Mapping[object, Decimal | None],
    criterion_thresholds: Mapping[object, Decimal],
    overall_threshold: Decimal,
) -> tuple[bool, list[str]]:
    """Fundable when every criterion reaches its threshold and the sum of the (unweighted)
    consensus scores reaches the overall threshold; the reasons say every shortfall."""
    reasons = []
    for key, threshold in criterion_thresholds.items():
        score = consensus_scores.get(key)
        if score is None:
            reasons.append(_("%(criterion)s: no consensus score yet.") % {"criterion": key})
        elif Decimal(score) < Decimal(threshold):
            reasons.append(
                _("%(criterion)s: %(score)s is below the threshold of %(threshold)s.")
                % {"criterion": key, "score": score, "threshold": threshold}
            )
    total = sum((Decimal(s) for s in consensus_scores.values() if s is not None), Decimal("0"))
    if total < Decimal(overall_threshold):
        reasons.append(
            _("Total %(total)s is below the overall threshold of %(threshold)s.")
            % {"total": total, "threshold": overall_threshold}
        )
    return not reasons, reasons


# --- Review: conflicts of interest, the individual report, reminders ------------------------

def detected_conflict(
    reviewer_org_id, partner_org_ids: Iterable, links: Iterable[tuple[object, object]]
) -> tuple[bool, str]:
    """Is a reviewer conflicted by the consortium? Yes when the reviewer's organisation
    is a partner, or is linked (partner or linked enterprise, 2003/361 art. 3) to a
    partner in either direction. `links` are (organisation id, other id) pairs; a
    reviewer without an organisation is never detected (they still declare)."""
    if reviewer_org_id is None:
        return False, ""
    partners = set(partner_org_ids)
    if reviewer_org_id in partners:
        return True, _("The reviewer's organisation is a partner of this application.")
    for a, b in links:
        if (a == reviewer_org_id and b in partners) or (b == reviewer_org_id and a in partners):
            return True, _(
                "The reviewer's organisation is linked to a partner of this application."
            )
    return False, ""


def review_open(review_deadline: datetime | None, now: datetime) -> tuple[bool, str]:
    """Reviews may be saved and submitted until the call's review deadline (if set)."""
    if review_deadline is not None and now >= review_deadline:
        return False, _("The review deadline has passed; reviews can no longer be changed.")
    return True, ""


@dataclass(frozen=True)
class ScaleSpec:
    minimum: Decimal = DEFAULT_SCALE_MIN
    maximum: Decimal = DEFAULT_SCALE_MAX
    step: Decimal = DEFAULT_SCALE_STEP


def review_entry_errors(
    score_text: str, comment: str, scale: ScaleSpec, *, complete: bool
) -> dict[str, str]:
    """Errors of one criterion of an individual report: {"score"|"comment": reason}.

    A draft (`complete=False`) may leave the score or comment empty but never holds an
    off-scale score; a submitted report (`complete=True`) needs both on every criterion.
    """
    errors = {}
    text = (score_text or "").strip().replace(",", ".")
    if text:
        ok, reason = validate_score(
            text, scale_min=scale.minimum, scale_max=scale.maximum, step=scale.step
        )
        if not ok:
            errors["score"] = reason
    elif complete:
        errors["score"] = _("Give a score.")
    if complete and not (comment or "").strip():
        errors["comment"] = _("A comment is required with every score.")
    return errors


REVIEW_REMINDER_OFFSETS = {"3d": timedelta(days=3), "1d": timedelta(days=1)}


def due_review_reminder(review_deadline: datetime | None, now: datetime) -> str | None:
    """Which review reminder is due: "1d" in the last 24 hours before the review
    deadline, "3d" in the two days before that, None otherwise (or after the deadline).
    A beat that was down during the 3-day window sends only the 1-day one."""
    if review_deadline is None:
        return None
    left = review_deadline - now
    if left <= timedelta(0):
        return None
    if left <= REVIEW_REMINDER_OFFSETS["1d"]:
        return "1d"
    if left <= REVIEW_REMINDER_OFFSETS["3d"]:
        return "3d"
    return None


# --- Decision ------------------------------------------------------------------------------

ADMINISTRATOR_GENERAL_LIMIT = Decimal("500000")


def deciding_level(aid_amount: Decimal) -> DecidingLevel:
    """Up to €500,000 aid the administrator-general decides; above, the agency's decision
    committee (DOMAIN.md §2)."""
    if Decimal(aid_amount) <= ADMINISTRATOR_GENERAL_LIMIT:
        return DecidingLevel.ADMINISTRATOR_GENERAL
    return DecidingLevel.DECISION_COMMITTEE
