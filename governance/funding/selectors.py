"""Reads of funded projects that several pages share: the dashboard, the payment run
(and its export), one project's page. Each runs a fixed number of queries, whatever the
number of projects (the figures the dashboard needs are kept on the project row by the
services: next payment due, pending changes)."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from governance.decisions.domain import add_one_month
from governance.decisions.enums import DecisionOutcome
from governance.decisions.models import FundingDecision
from programme import exports
from programme.exports import Column, Table
from programme.models import Organisation
from projects.enums import Activity, CostCategory, Part

from . import domain
from .enums import OPEN_STATES, ChangeKind, PaymentState, ProjectState
from .models import ChangeRequest, FundedProject, Payment, SupportAgreement

ZERO = Decimal("0")


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    return first, domain.add_months(first, 1)


@dataclass
class Dashboard:
    projects: QuerySet  # not closed, the next payment first; the page paginates it
    to_open: list
    payments_due: int
    payments_due_total: Decimal
    unsigned: int
    changes_pending: int
    committed: Decimal
    paid: Decimal


def dashboard(today: date, now: datetime) -> Dashboard:
    """The projects that are not closed (a queryset, for the page to paginate) and the
    figures above them: the payments due by the end of this month, the agreements
    unsigned, the changes pending, committed and paid; also the funded decisions whose
    month to decline is over and that are not a project yet (the hourly task opens them;
    staff may not want to wait). Three queries, and the page's two."""
    signed = SupportAgreement.objects.filter(project=OuterRef("pk"), signed_on__isnull=False)
    open_projects = FundedProject.objects.filter(state__in=OPEN_STATES)
    projects = (
        open_projects.select_related("application", "envelope__call")
        .defer("application__snapshot")
        .annotate(signed=Exists(signed))
        .order_by(F("next_payment_due").asc(nulls_last=True), "application__acronym", "pk")
    )
    figures = open_projects.aggregate(
        unsigned=Count("pk", filter=Q(state=ProjectState.AGREEMENT_PENDING)),
        changes=Sum("pending_changes"),
        committed=Sum("committed"),
        paid=Sum("paid"),
    )
    _first, end = month_bounds(today)
    due = Payment.objects.filter(
        state=PaymentState.SCHEDULED, due_on__lt=end, project__state__in=OPEN_STATES
    ).aggregate(count=Count("pk"), total=Sum("amount"))
    to_open = [
        d
        for d in FundingDecision.objects.filter(
            outcome=DecisionOutcome.FUND, declined_at__isnull=True, project__isnull=True
        )
        .select_related("application")
        .defer("application__snapshot")
        .order_by("decided_at")
        if now > add_one_month(d.decided_at)
    ]
    return Dashboard(
        projects=projects,
        to_open=to_open,
        payments_due=due["count"],
        payments_due_total=due["total"] or ZERO,
        unsigned=figures["unsigned"],
        changes_pending=figures["changes"] or 0,
        committed=figures["committed"] or ZERO,
        paid=figures["paid"] or ZERO,
    )


def with_next_obligation(projects) -> list[FundedProject]:
    """The rows of a dashboard page, each with `next_obligation` in words."""
    rows = list(projects)
    for project in rows:
        project.next_obligation = domain.next_obligation(
            state=project.state,
            signed=project.signed,
            collaboration_state=project.collaboration_state,
            next_payment_due=project.next_payment_due,
            end_date=project.end_date,
        )
    return rows


def payment_run(month: date, today: date) -> tuple[list[Payment], Decimal, Decimal]:
    """The scheduled payments due by the end of `month` (overdue ones included), each with
    `ok`/`reason` (may it be approved now), and the totals: all due, and ready. One
    query."""
    _first, end = month_bounds(month)
    earlier = Payment.objects.filter(
        project=OuterRef("project"), state=PaymentState.SCHEDULED, due_on__lt=OuterRef("due_on")
    )
    payments = list(
        Payment.objects.filter(
            state=PaymentState.SCHEDULED, due_on__lt=end, project__state__in=OPEN_STATES
        )
        .select_related("project__application", "project__envelope")
        .defer("project__application__snapshot")
        .annotate(earlier_unpaid=Count("pk", filter=Q(Exists(earlier))))
        .order_by("due_on", "project__application__acronym", "pk")
    )
    for payment in payments:
        project = payment.project
        payment.ok, payment.reason = domain.can_pay(
            project_state=project.state,
            agreement_signed=project.state != ProjectState.AGREEMENT_PENDING,
            collaboration_state=project.collaboration_state,
            kind=payment.kind,
            due_on=payment.due_on,
            today=today,
            earlier_unpaid=payment.earlier_unpaid,
        )
    total = sum((p.amount for p in payments), ZERO)
    ready = sum((p.amount for p in payments if p.ok), ZERO)
    return payments, total, ready


def payment_run_table(payments: list[Payment], month: date) -> Table:
    """The payment run for the finance department (programme.exports)."""
    return Table(
        name=_("Payments"),
        heading=_("Payment run %(month)s") % {"month": month.strftime("%Y-%m")},
        columns=[
            Column(_("Project")),
            Column(_("Receipt number")),
            Column(_("Envelope")),
            Column(_("Kind")),
            Column(_("Project year"), exports.NUMBER),
            Column(_("Due on"), exports.DATE),
            Column(_("Amount (€)"), exports.MONEY),
            Column(_("Ready to pay"), exports.BOOLEAN),
            Column(_("Why not")),
        ],
        rows=[
            [
                p.project.application.acronym,
                p.project.application.receipt_number,
                p.project.envelope.name,
                p.get_kind_display(),
                p.year,
                p.due_on,
                p.amount,
                p.ok,
                p.reason,
            ]
            for p in payments
        ],
        totals=[[_("Total"), "", "", "", "", "", sum((p.amount for p in payments), ZERO)]],
        frozen_columns=1,
    )


def own_projects(user) -> list[FundedProject]:
    """The funded projects whose consortium the user is a contact of."""
    return list(
        FundedProject.objects.filter(application__partners__contact=user)
        .select_related("application")
        .distinct()
        .order_by("application__acronym")
    )


def project_changes(project: FundedProject) -> list[ChangeRequest]:
    return list(
        ChangeRequest.objects.filter(project=project)
        .select_related("requested_by", "decided_by", "agreement")
        .order_by("-requested_at")
    )


def organisations_that_may_join(project: FundedProject) -> QuerySet:
    """Organisations of the registry verified by VLAIO that are not partners of the
    project (what the coordinator may propose as a joining partner)."""
    return (
        Organisation.objects.filter(verified=True)
        .exclude(partnerships__application_id=project.application_id)
        .order_by("name")
    )


def joining_summary(change: ChangeRequest, parts: dict) -> dict | None:
    """What staff read before deciding a join: the organisation, its contact, its cost
    per year and category, the aid it asks and the aid per year it would get (`parts`
    of change_outcome, the joining partner keyed 0)."""
    if change.kind != ChangeKind.PARTNER_JOINS:
        return None
    joining = change.joining
    costs = [
        {
            "year": int(year),
            "category": CostCategory(category).label,
            "amount": Decimal(amount),
        }
        for year, categories in sorted(joining.get("costs", {}).items(), key=lambda i: int(i[0]))
        for category, amount in categories.items()
    ]
    aid = {year: amount for (partner, year), amount in parts.items() if partner == 0}
    return {
        "organisation": change.join_organisation,
        "contact_email": joining.get("contact_email", ""),
        "contact_name": joining.get("contact_name", ""),
        "part": Part(joining["part"]).label if joining.get("part") else "",
        "activity": Activity(joining["activity"]).label if joining.get("activity") else "",
        "costs": costs,
        "total_cost": sum((c["amount"] for c in costs), Decimal("0")),
        "aid_asked": Decimal(joining["aid_asked"]) if joining.get("aid_asked") else None,
        "aid_by_year": sorted(aid.items()),
        "aid": sum(aid.values(), Decimal("0")),
        "holds": bool(aid),
    }
