"""Reads of the calls app: the budget execution of a programme (per programme year, its
budget lines and the calls' envelopes with what is reserved, committed and available)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from programme.domain import KIND_ORDER
from programme.enums import BudgetLineKind
from programme.models import BudgetLine, Programme, ProgrammeYear

from .enums import LedgerEntryKind
from .models import Envelope, LedgerEntry

ZERO = Decimal("0")


@dataclass(frozen=True)
class EnvelopeRow:
    call: str
    call_state: str
    name: str
    amount: Decimal
    reserved: Decimal
    committed: Decimal

    @property
    def available(self) -> Decimal:
        return self.amount - self.reserved - self.committed


@dataclass(frozen=True)
class BudgetYear:
    year: int
    lines: tuple[tuple[str, Decimal], ...]  # (label, amount from the programme budget)
    project_budget: Decimal
    envelopes: tuple[EnvelopeRow, ...] = field(default=())

    @property
    def total(self) -> Decimal:
        return sum((amount for _label, amount in self.lines), Decimal(0))

    def _sum(self, attribute: str) -> Decimal:
        return sum((getattr(e, attribute) for e in self.envelopes), Decimal(0))

    @property
    def envelope_amount(self) -> Decimal:
        return self._sum("amount")

    @property
    def reserved(self) -> Decimal:
        return self._sum("reserved")

    @property
    def committed(self) -> Decimal:
        return self._sum("committed")

    @property
    def available(self) -> Decimal:
        return self._sum("available")

    @property
    def not_in_envelopes(self) -> Decimal:
        """Project budget of the year not (yet) put in a call's envelope."""
        return self.project_budget - self.envelope_amount


@dataclass(frozen=True)
class BudgetExecution:
    years: tuple[BudgetYear, ...]

    def _sum(self, attribute: str) -> Decimal:
        return sum((getattr(y, attribute) for y in self.years), Decimal(0))

    @property
    def total(self) -> Decimal:
        return self._sum("total")

    @property
    def project_budget(self) -> Decimal:
        return self._sum("project_budget")

    @property
    def envelope_amount(self) -> Decimal:
        return self._sum("envelope_amount")

    @property
    def reserved(self) -> Decimal:
        return self._sum("reserved")

    @property
    def committed(self) -> Decimal:
        return self._sum("committed")

    @property
    def available(self) -> Decimal:
        return self._sum("available")

    @property
    def not_in_envelopes(self) -> Decimal:
        return self._sum("not_in_envelopes")


def budget_execution(programme: Programme, *, year: int | None = None) -> BudgetExecution:
    """Per programme year: the budget lines, and the calls' envelopes with what is
    reserved, committed and still available (two queries)."""
    years = [y for y in programme.years.values_list("year", flat=True) if year in (None, y)]
    lines = BudgetLine.objects.filter(
        programme_year__programme=programme, programme_year__year__in=years
    ).select_related("programme_year")
    envelopes = (
        Envelope.objects.filter(call__programme=programme, call__programme_year__year__in=years)
        .select_related("call__programme_year")
        .order_by("call__opens_at", "call_id", "name_nl")
    )
    by_year: dict[int, dict] = {
        y: {"lines": [], "projects": Decimal(0), "envelopes": []} for y in years
    }
    for line in sorted(lines, key=lambda line: (KIND_ORDER.get(line.kind, 9), line.name_nl)):
        by_year[line.year]["lines"].append((line.label, line.amount))
        if line.kind == BudgetLineKind.PROJECT_BUDGET:
            by_year[line.year]["projects"] += line.amount
    for envelope in envelopes:
        by_year[envelope.call.year]["envelopes"].append(
            EnvelopeRow(
                call=envelope.call.title,
                call_state=str(envelope.call.get_state_display()),
                name=envelope.name,
                amount=envelope.amount,
                reserved=envelope.reserved,
                committed=envelope.committed,
            )
        )
    return BudgetExecution(
        years=tuple(
            BudgetYear(
                year=y,
                lines=tuple(data["lines"]),
                project_budget=data["projects"],
                envelopes=tuple(data["envelopes"]),
            )
            for y, data in sorted(by_year.items())
        )
    )


def year_overview(year: ProgrammeYear) -> dict:
    """The budget of one programme year: its project budget line, what the calls'
    envelopes hold, reserve, commit, pay and released, and what is left (three queries)."""
    line = (
        BudgetLine.objects.filter(
            programme_year=year, kind=BudgetLineKind.PROJECT_BUDGET
        ).aggregate(total=Sum("amount"))["total"]
        or ZERO
    )
    totals = Envelope.objects.filter(call__programme_year=year).aggregate(
        amount=Sum("amount"), committed=Sum("committed"), reserved=Sum("reserved"), paid=Sum("paid")
    )
    released = (
        LedgerEntry.objects.filter(
            envelope__call__programme_year=year, kind=LedgerEntryKind.RELEASE
        ).aggregate(total=Sum("amount"))["total"]
        or ZERO
    )
    amount = totals["amount"] or ZERO
    committed = totals["committed"] or ZERO
    reserved = totals["reserved"] or ZERO
    return {
        "year": year,
        "budget_line": line,
        "envelopes": amount,
        "unallocated": line - amount,
        "committed": committed,
        "reserved": reserved,
        "available": amount - committed - reserved,
        # Of the committed money, what was paid to funded projects; released: what
        # commitments gave back (declines, reductions, closed projects).
        "paid": totals["paid"] or ZERO,
        "unpaid": committed - (totals["paid"] or ZERO),
        "released": released,
    }
