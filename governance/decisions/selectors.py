"""Reads of the decision side: a call's proposals as the ranking algorithms see them
(consensus scores, thresholds, weighted totals, requested aid, partners' cost and aid),
the ranking with its cut line and a funding scenario, the optimal set, the best reserve
proposal that fits, and the funded projects' partners for the programme KPIs.

A fixed number of queries whatever the number of applications (the ranking page's N+1
guard tests it). Known limits: partner cost and aid are recomputed from the live budget
rows, which after submission equal the submitted snapshot (a completion round replaces
both); the budget of the cut is the call's envelopes together (several envelopes are
treated as one pot, and the page says so).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Sum
from django.utils.translation import gettext

from calls.enums import TieBreak
from calls.models import Call, Criterion, Envelope
from governance.review import domain as review_domain, selectors as review_selectors
from governance.review.models import ConsensusScore
from programme import kpis
from programme.enums import OrganisationKind
from programme.formats import round_cents
from projects import domain as project_domain
from projects.enums import ApplicationState
from projects.models import Application, BudgetEntry, Partner
from projects.selectors import partner_facts

from . import domain as decision_domain, ranking
from .enums import DecisionOutcome
from .models import Advice, FundingDecision

ZERO = Decimal("0")


@dataclass
class Row:
    """One application of the ranking page."""

    application: Application
    figures: ranking.ProposalFigures
    scores: list  # ConsensusScore | None per criterion, in criterion order
    reasons: list[str]  # threshold shortfalls
    rank: int = 0
    decided_by: str | None = None
    in_cut: bool = False  # funded by the plain cut
    selected: bool = False  # in the scenario
    optimal: bool = False
    advice: Advice | None = None
    decision: FundingDecision | None = None
    toggle_query: str = ""
    conflicted: bool = False  # the viewer has a conflict of interest: masked
    line_after: bool = False  # the envelope's cut line falls below this row

    @property
    def decided_by_label(self) -> str:
        """What separated this row from the one above, in words (TieBreak labels)."""
        if self.decided_by in TieBreak.values:
            return str(TieBreak(self.decided_by).label)
        if self.decided_by == "id":
            return gettext("all equal: earlier record")
        return ""

    @property
    def total(self) -> Decimal:
        """Sum of the (unweighted) consensus scores, as the overall threshold reads it."""
        return sum((s.score for s in self.scores if s is not None), ZERO)


@dataclass
class Ranking:
    call: Call
    criteria: list[Criterion]
    rows: list[Row]
    envelopes: list[Envelope]
    budget: Decimal  # what the cut divides: available + this call's live commitments
    cut: ranking.FundingCut
    partners: dict = field(default_factory=dict)  # application id -> [PartnerFigures]

    @property
    def several_envelopes(self) -> bool:
        return len(self.envelopes) > 1

    @property
    def visible_rows(self) -> list[Row]:
        """The rows the viewer may see, in rank order (mark_conflicts decides)."""
        return [r for r in self.rows if not r.conflicted]

    @property
    def hidden_count(self) -> int:
        """How many proposals are masked for the viewer: all a masked row may say."""
        return sum(1 for r in self.rows if r.conflicted)


def _partner_figures(params, partners: list[Partner], sums) -> list[tuple]:
    """(partner, PartnerFigures, PartnerTotals) for the partners of one application; the aid is
    computed by projects.domain from the cost per activity (rounded per activity, so the
    per-activity sums give the same aid as the individual budget cells)."""
    result = []
    for partner in partners:
        facts = partner_facts(partner)
        lines = [
            project_domain.CostLine(year=1, category="", activity=activity, amount=amount)
            for activity, amount in sorted(sums.get(partner.pk, {}).items())
        ]
        totals = project_domain.partner_budget_totals(params=params, partner=facts, lines=lines)
        org = partner.organisation
        figures = ranking.PartnerFigures(
            organisation_id=org.pk,
            is_company=org.kind == OrganisationKind.COMPANY,
            is_sme=org.kind == OrganisationKind.COMPANY and org.is_sme,
            cost=totals.total_cost,
            aid=totals.aid.value,
        )
        result.append((partner, figures, totals))
    return result


def _budget_sums(application_ids) -> dict[int, dict[str, Decimal]]:
    sums: dict[int, dict[str, Decimal]] = defaultdict(dict)
    rows = (
        BudgetEntry.objects.filter(partner__application_id__in=application_ids)
        .values("partner_id", "activity")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in rows:
        sums[row["partner_id"]][row["activity"]] = row["total"]
    return sums


def call_budget(call: Call, envelopes: list[Envelope]) -> Decimal:
    """Money the cut can divide: the envelopes' available amount plus what this call's
    standing funding decisions have committed (they are in the ranking themselves)."""
    available = sum((e.available for e in envelopes), ZERO)
    committed = (
        FundingDecision.objects.filter(
            application__call=call, outcome=DecisionOutcome.FUND, declined_at__isnull=True
        ).aggregate(total=Sum("amount"))["total"]
        or ZERO
    )
    return available + committed


def call_ranking(call: Call) -> Ranking:
    """Every admissible application of `call` in rank order, with the plain funding cut
    (the call's cut policy: stop at the first proposal that does not fit)."""
    params = call.parameters
    criteria = list(Criterion.objects.filter(call=call).order_by("position"))
    applications = list(
        Application.objects.filter(call=call, state=ApplicationState.ADMISSIBLE)
        .select_related("coordinator", "advice__meeting", "decision__meeting")
        .prefetch_related(
            Prefetch("consensus_scores", queryset=ConsensusScore.objects.order_by()),
            Prefetch(
                "partners",
                queryset=Partner.objects.select_related("organisation", "contact"),
            ),
        )
        .order_by("pk")
    )
    sums = _budget_sums([a.pk for a in applications])
    envelopes = list(Envelope.objects.filter(call=call).order_by("pk"))
    weights = {c.pk: c.weight for c in criteria}
    thresholds = {c.name: c.threshold for c in criteria}
    rows: list[Row] = []
    partners: dict = {}
    for application in applications:
        consensus = {s.criterion_id: s for s in application.consensus_scores.all()}
        scores = [consensus.get(c.pk) for c in criteria]
        by_name = {c.name: (s.score if s else None) for c, s in zip(criteria, scores, strict=True)}
        passes, reasons = review_domain.passes_thresholds(
            by_name, thresholds, params.overall_threshold
        )
        if all(s is not None for s in scores) and criteria:
            total = review_domain.weighted_total(
                {c.pk: s.score for c, s in zip(criteria, scores, strict=True)}, weights
            )
        else:
            total = ZERO
        pf = _partner_figures(params, list(application.partners.all()), sums)
        app_totals = project_domain.application_totals([t for _p, _f, t in pf])
        partners[application.pk] = [f for _p, f, _t in pf]
        figures = ranking.ProposalFigures(
            id=application.pk,
            weighted_total=total,
            requested_aid=application.total_aid or app_totals.project.aid,
            scores=tuple(s.score if s else None for s in scores),
            sme_share=app_totals.sme_cost_share,  # % of the company-part cost
            submitted_at=application.submitted_at,
            passes=passes,
            partners=tuple(partners[application.pk]),
        )
        rows.append(
            Row(
                application=application,
                figures=figures,
                scores=scores,
                reasons=reasons,
                advice=getattr(application, "advice", None),
                decision=getattr(application, "decision", None),
            )
        )
    ranked = ranking.rank_proposals(
        [r.figures for r in rows], tie_break_order=params.tie_break_order
    )
    by_id = {r.application.pk: r for r in rows}
    ordered = []
    for item in ranked:
        row = by_id[item.proposal.id]
        row.rank, row.decided_by = item.rank, item.decided_by
        ordered.append(row)
    budget = call_budget(call, envelopes)
    cut = ranking.funding_cut(ranked, budget)
    funded = {p.id for p in cut.funded}
    for row in ordered:
        row.in_cut = row.application.pk in funded
    last = [r for r in ordered if r.in_cut]
    if last:
        last[-1].line_after = True
    return Ranking(
        call=call,
        criteria=criteria,
        rows=ordered,
        envelopes=envelopes,
        budget=budget,
        cut=cut,
        partners=partners,
    )


@dataclass
class Scenario:
    selected: list[int]
    figures: ranking.ScenarioFigures
    aid: Decimal
    balance: Decimal
    cut_rank: int | None
    include: list[int]
    exclude: list[int]


def mark_conflicts(result: Ranking, user) -> None:
    """Mask the applications the viewer declared, or is detected to have, a conflict of
    interest with (governance.review.selectors.hidden_proposals, the one answer): a
    conflicted person never sees the proposal, not even its rank. Staff see everything."""
    hidden = review_selectors.hidden_proposals(user, [r.application.pk for r in result.rows])
    for row in result.rows:
        row.conflicted = row.application.pk in hidden
    if hidden:
        # The cut line is drawn under the last visible proposal above it, so a masked
        # proposal's place is not given away by where the line falls.
        above = [r for r in result.rows if r.in_cut and not r.conflicted]
        for row in result.rows:
            row.line_after = bool(above) and row is above[-1]


def scenario(result: Ranking, *, cut_rank: int | None, include, exclude) -> Scenario:
    """A funding scenario: the proposals above the cut line (the plain cut, or every
    proposal reaching the thresholds down to rank `cut_rank`), plus `include`, minus
    `exclude`; its programme figures and the envelope balance (negative = over budget)."""
    include, exclude = set(include), set(exclude)
    selected = []
    for row in result.rows:
        if cut_rank is None:
            base = row.in_cut
        else:
            base = row.figures.passes and row.rank <= cut_rank
        row.selected = (base or row.application.pk in include) and row.application.pk not in exclude
        if row.selected:
            selected.append(row.application.pk)
    aid = sum((r.figures.requested_aid for r in result.rows if r.selected), ZERO)
    return Scenario(
        selected=selected,
        figures=ranking.scenario_figures(selected, result.partners),
        aid=aid,
        balance=result.budget - aid,
        cut_rank=cut_rank,
        include=sorted(include),
        exclude=sorted(exclude),
    )


def optimal(result: Ranking) -> ranking.OptimalSelection | str:
    """The optimal set (ranking.optimal_selection), or the solver's failure."""
    try:
        best = ranking.optimal_selection([r.figures for r in result.rows], result.budget)
    except ranking.SelectionError as exc:
        return str(exc)
    chosen = set(best.selected)
    for row in result.rows:
        row.optimal = row.application.pk in chosen
    return best


def best_reserve_that_fits(result: Ranking) -> Row | None:
    """The best-ranked proposal above the thresholds without a decision to fund it, or
    on the reserve list, whose requested aid fits what the envelopes have available now;
    None when that proposal is masked for the viewer (call after mark_conflicts)."""
    available = sum((e.available for e in result.envelopes), ZERO)
    for row in result.rows:
        decision = row.decision
        undecided_or_reserve = decision is None or decision.outcome == DecisionOutcome.RESERVE
        if row.figures.passes and undecided_or_reserve and row.figures.requested_aid <= available:
            # A proposal masked for the viewer is not suggested to them (nor is another).
            return None if row.conflicted else row
    return None


@dataclass
class ReserveEntry:
    """A proposal of the reserve list: its ranking row and whether its requested aid fits
    what the call's best-stocked envelope has available now."""

    row: Row
    fits: bool


def reserve_list(result: Ranking) -> list[ReserveEntry]:
    """The call's proposals with a reserve decision, in rank order, each saying whether it
    fits the money available now (in one envelope: a decision commits one envelope)."""
    available = max((e.available for e in result.envelopes), default=ZERO)
    return [
        ReserveEntry(row=row, fits=row.figures.requested_aid <= available)
        for row in result.rows
        if row.decision is not None and row.decision.outcome == DecisionOutcome.RESERVE
    ]


# --- The programme KPIs (programme.kpis, registered in apps.py) -------------------------------


def funded_participations(programme, year: int | None, *, call=None) -> list[kpis.Participation]:
    """One row per partner of each project the steering group funded and the applicant
    did not decline (of one call when `call` is given). A partner's aid is its computed
    aid scaled by granted / requested (when the steering group granted less than
    requested), to the cent."""
    decisions = FundingDecision.objects.filter(
        outcome=DecisionOutcome.FUND,
        declined_at__isnull=True,
        application__call__programme=programme,
    )
    if call is not None:
        decisions = decisions.filter(application__call=call)
    if year is not None:
        decisions = decisions.filter(application__call__programme_year__year=year)
    decisions = list(
        decisions.select_related("application__call__parameters").prefetch_related(
            Prefetch(
                "application__partners", queryset=Partner.objects.select_related("organisation")
            )
        )
    )
    sums = _budget_sums([d.application_id for d in decisions])
    rows = []
    for decision in decisions:
        application = decision.application
        call = application.call
        pf = _partner_figures(call.parameters, list(application.partners.all()), sums)
        requested = sum((f.aid for _p, f, _t in pf), ZERO)
        factor = (
            (decision.amount / requested)
            if requested and decision.amount < requested
            else Decimal(1)
        )
        for partner, figures, _totals in pf:
            rows.append(
                kpis.Participation(
                    call_id=call.pk,
                    call_title=call.title,
                    project=application.receipt_number or application.acronym,
                    organisation_id=partner.organisation_id,
                    organisation_name=partner.organisation.name,
                    is_company=figures.is_company,
                    is_sme=figures.is_sme,
                    budget=figures.cost,
                    aid=round_cents(figures.aid * factor),
                    application_id=application.pk,
                )
            )
    return rows


def has_decision(application_id: int) -> bool:
    return FundingDecision.objects.filter(application_id=application_id).exists()


def company_aid_in_call(application: Application, amount: Decimal | None) -> list:
    """Each company partner of `application` with its aid in the call's other funded, not
    declined projects and its aid in this one when `amount` is granted (its computed aid
    scaled by amount / requested, as the KPIs count it): what the decision page shows
    and decision_record checks against the call's maximum aid per company."""
    call = application.call
    earlier: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in funded_participations(call.programme, None, call=call):
        if row.is_company and row.application_id != application.pk:
            earlier[row.organisation_id] += row.aid
    partners = list(Partner.objects.filter(application=application).select_related("organisation"))
    figures = _partner_figures(call.parameters, partners, _budget_sums([application.pk]))
    requested = sum((f.aid for _p, f, _t in figures), ZERO)
    factor = (
        Decimal(amount) / requested
        if amount is not None and requested and Decimal(amount) < requested
        else Decimal(1)
    )
    return [
        decision_domain.CompanyAid(
            organisation_id=partner.organisation_id,
            name=partner.organisation.name,
            earlier=earlier[partner.organisation_id],
            this=round_cents(f.aid * factor),
        )
        for partner, f, _t in figures
        if f.is_company
    ]
