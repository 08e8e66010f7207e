"""Ranking, the funding cut, the programme figures of a selection and the optimal
selection: pure functions on plain dataclasses, so they do not need the application
models (the caller turns applications into ProposalFigures).

The programme figures of a selection and the SME targets of the optimal selection use
the KPI definitions of programme.kpis (one function per KPI): SME shares count partner
participations in the selected projects (an SME in two funded projects counts twice, as
the KPI measures involvement in projects) over all partners, and the aid for the share
by budget. Known limits: the optimal selection treats each proposal's requested aid as
fixed (no partial funding); the SME-share tie-break of the ranking is a per-proposal
comparison (the company-part cost, calls.enums.TieBreak), not a KPI.
"""

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from math import ceil, floor, gcd, lcm

from django.utils.translation import gettext as _

from calls.enums import DEFAULT_TIE_BREAK, TieBreak
from programme import kpis

from .enums import CutPolicy

ZERO = Decimal("0")
HUNDRED = Decimal("100")

# Call-level targets of the programme manager's KPIs (DOMAIN.md §3).
SME_TARGET_NUMBER = Decimal("30")  # % of partners
SME_TARGET_BUDGET = Decimal("30")  # % of the budget
UNIQUE_COMPANIES_TARGET = 15
LEVERAGE_TARGET = Decimal("200")  # % company own funds / government aid


@dataclass(frozen=True)
class PartnerFigures:
    """One partner of one proposal, as the programme figures need it."""

    organisation_id: Hashable
    is_company: bool
    is_sme: bool
    cost: Decimal  # eligible cost of this partner in the proposal
    aid: Decimal  # aid requested for this partner


@dataclass(frozen=True)
class ProposalFigures:
    """What ranking and selection need of one evaluated proposal."""

    id: Hashable
    weighted_total: Decimal
    requested_aid: Decimal
    scores: tuple[Decimal | None, ...] = ()  # consensus score per criterion position
    sme_share: Decimal = ZERO  # SME share of the proposal's budget, %
    submitted_at: datetime | None = None
    passes: bool = True  # reaches every threshold (domain.passes_thresholds)
    partners: tuple[PartnerFigures, ...] = ()


@dataclass(frozen=True)
class RankedProposal:
    rank: int
    proposal: ProposalFigures
    # What put this proposal below the previous one: "weighted_total", a TieBreak value,
    # or "id" when every step was equal (then the lower id, the earlier record, goes first).
    decided_by: str | None = None


def _missing_last(value, *, descending: bool) -> tuple:
    """Sort key part: present values first (highest first when descending), missing last."""
    if value is None:
        return (1, 0)
    return (0, -value if descending else value)


def _step_key(proposal: ProposalFigures, step: str) -> tuple:
    if step == TieBreak.CRITERION_1:
        score = proposal.scores[0] if len(proposal.scores) > 0 else None
        return _missing_last(score, descending=True)
    if step == TieBreak.CRITERION_2:
        score = proposal.scores[1] if len(proposal.scores) > 1 else None
        return _missing_last(score, descending=True)
    if step == TieBreak.SME_SHARE:
        return _missing_last(proposal.sme_share, descending=True)
    if step == TieBreak.LOWER_AID:
        return _missing_last(proposal.requested_aid, descending=False)
    if step == TieBreak.EARLIER_SUBMISSION:
        if proposal.submitted_at is None:
            return (1, 0)
        return (0, proposal.submitted_at.timestamp())
    raise ValueError(f"unknown tie-break step {step!r}")


def rank_proposals(
    proposals: Iterable[ProposalFigures],
    *,
    tie_break_order: Sequence[str] = tuple(DEFAULT_TIE_BREAK),
) -> list[RankedProposal]:
    """Order by weighted total (highest first); equal totals are separated by the call's
    tie-break steps in the call's order (calls.enums.TieBreak):

    - criterion_1 / criterion_2: higher consensus score on the first / second criterion;
    - sme_share: higher SME share of the proposal's budget;
    - lower_aid: lower requested aid;
    - earlier: earlier submission.

    A missing value ranks after a present one. When every step is equal the lower id
    goes first, so the order is total and the same every time; `decided_by` says which
    step separated each proposal from the one above it.
    """
    steps = [str(step) for step in tie_break_order]
    for step in steps:
        if step not in TieBreak.values:
            raise ValueError(f"unknown tie-break step {step!r}")
    proposals = list(proposals)

    def key(p: ProposalFigures) -> tuple:
        return (-p.weighted_total, *(_step_key(p, s) for s in steps), p.id)

    ordered = sorted(proposals, key=key)
    labels = ["weighted_total", *steps, "id"]
    ranked = []
    for position, proposal in enumerate(ordered, start=1):
        decided_by = None
        if position > 1:
            above, here = key(ordered[position - 2]), key(proposal)
            decided_by = next(
                label for label, a, b in zip(labels, above, here, strict=True) if a != b
            )
        ranked.append(RankedProposal(rank=position, proposal=proposal, decided_by=decided_by))
    return ranked


# --- Funding cut -----------------------------------------------------------------------


@dataclass
class FundingCut:
    funded: list[ProposalFigures] = field(default_factory=list)
    reserve: list[ProposalFigures] = field(default_factory=list)  # above threshold, no room
    below_threshold: list[ProposalFigures] = field(default_factory=list)
    funded_amount: Decimal = ZERO
    balance: Decimal = ZERO  # envelope − funded aid


def funding_cut(
    ranked: Iterable[RankedProposal | ProposalFigures],
    envelope_amount: Decimal,
    *,
    policy: str = CutPolicy.STOP,
) -> FundingCut:
    """Fund the proposals in rank order from the envelope.

    Proposals below a threshold are never funded and never on the reserve list. Above
    threshold, with the default policy **stop**, the first proposal whose aid no longer
    fits the balance and every proposal below it go on the reserve list, in rank order:
    no proposal is ever funded ahead of a better-ranked one, and the balance stays in
    the envelope for the steering group (it may fund the first reserve proposal with a
    top-up or a transfer). With **skip**, a proposal that does not fit goes on the
    reserve list and lower-ranked proposals that still fit are funded.
    """
    policy = CutPolicy(policy)
    envelope_amount = Decimal(envelope_amount)
    cut = FundingCut(balance=envelope_amount)
    stopped = False
    for item in ranked:
        proposal = item.proposal if isinstance(item, RankedProposal) else item
        if not proposal.passes:
            cut.below_threshold.append(proposal)
        elif not stopped and proposal.requested_aid <= cut.balance:
            cut.funded.append(proposal)
            cut.funded_amount += proposal.requested_aid
            cut.balance -= proposal.requested_aid
        else:
            cut.reserve.append(proposal)
            stopped = policy == CutPolicy.STOP
    return cut


# --- Programme figures of a selection (DOMAIN.md §3, KPIs 3, 4, 5) ---------------------------


def percentage(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """part / whole in % as every KPI figure is shown (programme.kpis.share: one decimal,
    half up); None when there is no whole."""
    return kpis.share(part, whole) if whole else None


@dataclass(frozen=True)
class TargetCheck:
    code: str
    value: Decimal | int | None
    target: Decimal | int
    ok: bool


@dataclass(frozen=True)
class ScenarioFigures:
    proposal_count: int
    partner_count: int
    sme_partner_count: int
    sme_share_number: Decimal | None  # KPI 3 by number: % of participations held by SMEs
    total_cost: Decimal
    sme_cost: Decimal
    total_aid: Decimal
    sme_aid: Decimal
    sme_share_budget: Decimal | None  # KPI 3 by budget: % of the aid going to SMEs
    sme_share_cost: Decimal | None  # secondary: % of the total project cost with SMEs
    sme_share_company_cost: Decimal | None  # secondary: % of the company-part cost
    unique_companies: int
    company_own_funds: Decimal  # company cost − company aid
    government_aid: Decimal  # all aid, research and company part
    leverage: Decimal | None  # company own funds / government aid, %
    targets: tuple[TargetCheck, ...]

    @property
    def all_targets_met(self) -> bool:
        return all(t.ok for t in self.targets)


def scenario_figures(
    selected: Iterable[Hashable | ProposalFigures],
    partners: Mapping[Hashable, Sequence[PartnerFigures]],
) -> ScenarioFigures:
    """The KPI figures of a set of proposals against the programme's targets, each by its
    one function in programme.kpis (the KPI page's definitions): SME share by number
    (≥ 30%) and by budget, i.e. of the aid (≥ 30%), unique companies (≥ 15) and leverage
    (≥ 200%); the secondary SME shares of cost beside them, not judged."""
    ids = [s.id if isinstance(s, ProposalFigures) else s for s in selected]
    rows = [p for proposal_id in ids for p in partners.get(proposal_id, ())]
    sme_rows = [p for p in rows if p.is_sme]
    share_number = kpis.sme_share_by_number(rows)
    share_budget = kpis.sme_share_by_budget(rows)
    unique = kpis.unique_companies(rows)
    leverage = kpis.leverage_share(rows)
    targets = (
        TargetCheck(
            "sme_number",
            share_number,
            SME_TARGET_NUMBER,
            share_number is not None and share_number >= SME_TARGET_NUMBER,
        ),
        TargetCheck(
            "sme_budget",
            share_budget,
            SME_TARGET_BUDGET,
            share_budget is not None and share_budget >= SME_TARGET_BUDGET,
        ),
        TargetCheck(
            "unique_companies", unique, UNIQUE_COMPANIES_TARGET, unique >= UNIQUE_COMPANIES_TARGET
        ),
        TargetCheck(
            "leverage",
            leverage,
            LEVERAGE_TARGET,
            leverage is not None and leverage >= LEVERAGE_TARGET,
        ),
    )
    return ScenarioFigures(
        proposal_count=len(ids),
        partner_count=len(rows),
        sme_partner_count=len(sme_rows),
        sme_share_number=share_number,
        total_cost=sum((p.cost for p in rows), ZERO),
        sme_cost=sum((p.cost for p in sme_rows), ZERO),
        total_aid=kpis.government_aid(rows),
        sme_aid=kpis.government_aid(sme_rows),
        sme_share_budget=share_budget,
        sme_share_cost=kpis.sme_share_of_cost(rows),
        sme_share_company_cost=kpis.sme_share_of_company_cost(rows),
        unique_companies=unique,
        company_own_funds=kpis.company_own_funds(rows),
        government_aid=kpis.government_aid(rows),
        leverage=leverage,
        targets=targets,
    )


# --- Optimal selection ----------------------------------------------------------------------


class SelectionError(RuntimeError):
    """The solver did not prove an optimum (time limit or a numerical failure)."""


@dataclass(frozen=True)
class OptimalSelection:
    selected: tuple[Hashable, ...]  # ids in the input order
    total_score: Decimal
    total_aid: Decimal
    balance: Decimal
    meets_sme_targets: bool
    note: str
    score_without_targets: Decimal  # best total ignoring the SME targets


CENT = Decimal("0.01")
SCORE_QUANTUM = Decimal("0.0001")  # weighted totals are half points × 2-decimal weights


def _exact(value: Decimal, quantum: Decimal) -> Fraction:
    return Fraction(Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP))


def _sme_coefficients(proposal: ProposalFigures, target_number: Fraction, target_budget: Fraction):
    """Linear forms of "SME share ≥ target" with the KPI 3 definitions of programme.kpis
    (by number: SME participations of all; by budget: SME aid of all aid):
    Σ x·(100·sme − target·all) ≥ 0."""
    count = len(proposal.partners)
    sme_count = sum(1 for p in proposal.partners if p.is_sme)
    aid = sum((_exact(p.aid, CENT) for p in proposal.partners), Fraction(0))
    sme_aid = sum((_exact(p.aid, CENT) for p in proposal.partners if p.is_sme), Fraction(0))
    return 100 * sme_count - target_number * count, 100 * sme_aid - target_budget * aid


def _integers(values: list[Fraction]) -> list[int]:
    """Scale exact rationals to integers with one common factor and divide out their
    common divisor (keeps every ratio, and the numbers small enough for the solver's
    floating point: money is in cents, scores to 0.0001)."""
    factor = lcm(*(v.denominator for v in values)) if values else 1
    integers = [int(v * factor) for v in values]
    divisor = gcd(*integers) or 1
    return [i // divisor for i in integers]


def _solve(scores, aids, limit, rows_ge_zero, at_least_one: bool):
    """Maximise scores·x subject to aids·x ≤ limit, each row·x ≥ 0, x binary.

    Returns the chosen indices, or None when infeasible. Integer data only; the answer is
    checked exactly, and if the solver's tolerances let a constraint slip, that
    constraint is tightened and the problem solved again.
    """
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp

    n = len(scores)
    if n == 0:
        return [] if not at_least_one else None
    slack = [0] * (1 + len(rows_ge_zero))
    for _attempt in range(5):
        a = [aids, *rows_ge_zero]
        lower = [-np.inf, *[slack[i + 1] for i in range(len(rows_ge_zero))]]
        upper = [limit - slack[0], *[np.inf] * len(rows_ge_zero)]
        if at_least_one:
            a.append([1] * n)
            lower.append(1)
            upper.append(np.inf)
        result = milp(
            c=-np.array(scores, dtype=float),
            constraints=LinearConstraint(np.array(a, dtype=float), lower, upper),
            integrality=np.ones(n),
            bounds=Bounds(0, 1),
            options={"mip_rel_gap": 0, "time_limit": 60, "presolve": True},
        )
        if result.status == 2:  # infeasible
            return None
        if result.status != 0 or result.x is None:
            raise SelectionError(result.message)
        chosen = [i for i in range(n) if result.x[i] > 0.5]
        spent = sum(aids[i] for i in chosen)
        sums = [sum(row[i] for i in chosen) for row in rows_ge_zero]
        if spent > limit:
            slack[0] += spent - limit
        elif any(s < 0 for s in sums):
            for k, s in enumerate(sums):
                if s < 0:
                    slack[k + 1] += -s
        else:
            return chosen
    raise SelectionError("the solver's answer kept violating a constraint")


def optimal_selection(
    proposals: Iterable[ProposalFigures],
    envelope_amount: Decimal,
    *,
    sme_target_number: Decimal | int = SME_TARGET_NUMBER,
    sme_target_budget: Decimal | int = SME_TARGET_BUDGET,
) -> OptimalSelection:
    """The set of proposals with the largest total weighted score whose requested aid
    fits the envelope and that meets the SME targets of KPI 3 (programme.kpis: SME share
    of the partner participations and of the aid, each ≥ its target %).

    Only proposals that pass the thresholds are candidates. A selection meeting the
    targets must be non-empty; when no such selection fits the envelope, the answer is
    the best selection without the targets and `note` says so. `score_without_targets`
    is always the best total ignoring the targets, so the cost of the targets shows.

    Exact: a 0-1 integer programme solved by HiGHS (scipy.optimize.milp) with a zero
    optimality gap on integer data (scores to 0.0001 scaled to integers, money in cents, the SME
    ratio constraints made linear: Σ x·(100·SME − target·all) ≥ 0). The solver's answer
    is checked again in exact arithmetic.
    """
    candidates = [p for p in proposals if p.passes]
    envelope_amount = Decimal(envelope_amount)
    score_ints = _integers([_exact(p.weighted_total, SCORE_QUANTUM) for p in candidates])
    aid_cents = [ceil(Fraction(p.requested_aid) * 100) for p in candidates]
    limit = floor(Fraction(envelope_amount) * 100)
    pairs = [
        _sme_coefficients(p, Fraction(sme_target_number), Fraction(sme_target_budget))
        for p in candidates
    ]
    number_row = _integers([a for a, _b in pairs])
    budget_row = _integers([b for _a, b in pairs])

    free = _solve(score_ints, aid_cents, limit, [], at_least_one=False) or []
    with_targets = _solve(score_ints, aid_cents, limit, [number_row, budget_row], at_least_one=True)

    def total(indices) -> Decimal:
        return sum((candidates[i].weighted_total for i in indices), ZERO)

    if with_targets is not None:
        chosen, meets = with_targets, True
        note = _("The best selection within the envelope that meets the SME targets.")
        if total(with_targets) < total(free):
            note += " " + _("Without the SME targets the total score could be %(score)s.") % {
                "score": total(free)
            }
    else:
        chosen, meets = free, False
        note = _(
            "No selection within the envelope meets the SME targets; this is the best "
            "selection without them."
        )
    aid = sum((candidates[i].requested_aid for i in chosen), ZERO)
    return OptimalSelection(
        selected=tuple(candidates[i].id for i in sorted(chosen)),
        total_score=total(chosen),
        total_aid=aid,
        balance=envelope_amount - aid,
        meets_sme_targets=meets,
        note=note,
        score_without_targets=total(free),
    )


__all__ = [
    "FundingCut",
    "OptimalSelection",
    "PartnerFigures",
    "ProposalFigures",
    "RankedProposal",
    "ScenarioFigures",
    "SelectionError",
    "funding_cut",
    "optimal_selection",
    "percentage",
    "rank_proposals",
    "scenario_figures",
]
