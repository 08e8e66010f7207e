"""Pure rules of the review side (DOMAIN.md §5, EU Funding & Tenders practice): the score
scale, the spread flag, weighted totals and thresholds, detected conflicts, whether the
review is open (the guard of enums.ASSIGNMENT_TRANSITIONS) and which reminder is due. No
writes and no queries.

Reviewer assignment, the other pure algorithm of the review side, is in assignment.py.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from .enums import LockCause

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


def can_write_review(
    *, is_reviewer: bool, declared_no_conflict: bool, locked: tuple[bool, str]
) -> tuple[bool, str]:
    """The guard of saving and submitting a review (enums.ASSIGNMENT_TRANSITIONS): only the
    assigned reviewer, once they declared no conflict of interest, while the individual
    reviews are not locked (`locked`: phase_locked of the reviews — the review deadline,
    the consensus recorded, the call decided — unless staff reopened them)."""
    if not is_reviewer:
        return False, _("Only the assigned reviewer writes this review.")
    if not declared_no_conflict:
        return False, _("Declare that you have no conflict of interest first.")
    is_locked, reason = locked
    return (False, reason) if is_locked else (True, "")


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


# --- Phases that lock (issue 18, item 3) ------------------------------------------------------


def phase_locked(
    *, latest: tuple[str, bool] | None, deadline_passed: bool, call_decided: bool
) -> tuple[bool, str]:
    """Is a phase of one application's evaluation locked, and why?

    `latest` is the phase's latest lock as (cause, reopened by staff), None when it was
    never locked by an event; `deadline_passed` says the review deadline has passed (the
    individual reviews only). A decided call locks everything for good; a lock staff
    reopened stays open until the next event locks it again (the consensus recorded
    again); the review deadline locks unless staff reopened the reviews after it.
    """
    if call_decided:
        return True, _("Locked: %(cause)s.") % {"cause": LockCause.CALL_DECIDED.label}
    if latest is not None:
        cause, reopened = latest
        if not reopened:
            return True, _("Locked: %(cause)s. Staff may reopen it with a reason.") % {
                "cause": LockCause(cause).label
            }
        return False, ""
    if deadline_passed:
        return True, _("Locked: %(cause)s. Staff may reopen it with a reason.") % {
            "cause": LockCause.REVIEW_DEADLINE.label
        }
    return False, ""


# --- Code of conduct and the discussion before consensus -------------------------------------

# The version of the code of conduct and confidentiality declaration in force (its text is
# governance/review/conduct_text.html). Change it when the text changes: every reviewer
# then accepts the new version before opening a proposal again.
CONDUCT_VERSION = "2019-1"


def can_open_proposal(*, accepted_version: str | None) -> tuple[bool, str]:
    """A reviewer opens a proposal only after accepting the declaration in force."""
    if accepted_version != CONDUCT_VERSION:
        return False, _(
            "Accept the code of conduct and confidentiality declaration before you open a proposal."
        )
    return True, ""


def can_read_discussion(*, is_moderator: bool, own_review_submitted: bool) -> tuple[bool, str]:
    """The moderator reads the discussion of a proposal at any time; an assigned reviewer
    once their own review is submitted (so that it is their own, unswayed judgement)."""
    if is_moderator or own_review_submitted:
        return True, ""
    return False, _("The discussion opens for you once you have submitted your own review.")


MAX_POST_LENGTH = 4000


def can_post(*, body: str) -> tuple[bool, str]:
    if not body.strip():
        return False, _("Write a message first.")
    if len(body) > MAX_POST_LENGTH:
        return False, _("A message has at most %(max)s characters (this one has %(n)s).") % {
            "max": MAX_POST_LENGTH,
            "n": len(body),
        }
    return True, ""
