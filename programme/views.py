import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_POST

from . import domain, selectors, services
from .access import login_required, permission_required
from .enums import KpiKind, MembershipState, OrganisationKind, Role, SmeClass
from .forms import JoinForm, MembershipDecisionForm, MilestoneForm, OrganisationForm
from .models import (
    BudgetLine,
    Kpi,
    MilestoneRecord,
    Organisation,
    OrganisationLink,
    Programme,
)
from .states import Refused


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for the container health check: the app answers and the database too."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def home(request: HttpRequest) -> HttpResponse:
    """Landing page; a logged-in user sees a panel per role they hold."""
    context: dict = {}
    if request.user.is_authenticated:
        roles = request.user.roles
        context["programmes"] = Programme.objects.all()
        if roles & {Role.STAFF, Role.ADMIN, Role.PROGRAMME_MANAGER}:
            context["unverified_organisations"] = Organisation.objects.filter(
                verified=False
            ).order_by("-created_at")[:10]
            context["organisation_count"] = Organisation.objects.count()
        if Role.PROGRAMME_MANAGER in roles or Role.STEERING in roles:
            context["kpis"] = (
                Kpi.objects.select_related("programme")
                .annotate(record_count=Count("milestones"))
                .order_by("programme", "number")
            )
        if request.user.organisation_id:
            context["my_organisation"] = request.user.organisation
            if request.user.has_perm("programme.manage_members", request.user.organisation):
                context["pending_members"] = request.user.organisation.memberships.filter(
                    state=MembershipState.PENDING
                ).count()
        else:
            context["my_requests"] = request.user.organisation_memberships.select_related(
                "organisation"
            ).order_by("-requested_at")[:3]
    return render(request, "programme/home.html", context)


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    programmes = Programme.objects.prefetch_related("years")
    return render(request, "programme/programme_list.html", {"programmes": programmes})


def programme_history(obj, limit: int = 50) -> list[dict]:
    """The audit rows of `obj`, newest first, each with the fields it changed."""
    records = list(obj.history.select_related("history_user").all()[: limit + 1])
    rows = []
    for record, older in zip(records, records[1:] + [None], strict=True):
        changes = []
        if older is not None:
            delta = record.diff_against(older)
            changes = [(c.field, c.old, c.new) for c in delta.changes]
        rows.append({"record": record, "changes": changes})
    return rows[:limit]


@permission_required("programme.view_programme")
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_object_or_404(Programme, pk=pk)
    lines = BudgetLine.objects.filter(programme_year__programme=programme).select_related(
        "programme_year"
    )
    table = domain.budget_table([y.year for y in programme.years.all()], lines)
    kpis = programme.kpis.prefetch_related(
        Prefetch(
            "milestones",
            queryset=MilestoneRecord.objects.select_related("recorded_by"),
        )
    )
    domains = programme.action_domains.filter(parent=None).prefetch_related("children")
    context = {
        "programme": programme,
        "table": table,
        "kpis": kpis,
        "action_domains": domains,
        "themes": programme.themes.all(),
        "disease_domains": programme.disease_domains.all(),
        "can_record": request.user.has_perm("programme.record_milestone"),
        "can_see_evidence": request.user.has_perm("programme.view_milestone_evidence"),
        "can_see_kpis": request.user.has_perm("programme.view_reports"),
    }
    if request.user.has_perm("programme.view_history"):
        context["history"] = programme_history(programme)
    return render(request, "programme/programme_detail.html", context)


@permission_required("programme.record_milestone")
def milestone_create(request: HttpRequest, kpi_pk: int) -> HttpResponse:
    kpi = get_object_or_404(Kpi.objects.select_related("programme"), pk=kpi_pk)
    if kpi.kind != KpiKind.MILESTONE:
        raise Http404("computed KPIs take no records")
    form = MilestoneForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        services.milestone_record(actor=request.user, kpi=kpi, **form.cleaned_data)
        messages.success(request, _("Milestone recorded."))
        return redirect("programme_detail", pk=kpi.programme_id)
    return render(request, "programme/milestone_form.html", {"form": form, "kpi": kpi})


@permission_required("programme.view_milestone_evidence")
def milestone_evidence(request: HttpRequest, pk: int) -> FileResponse:
    record = get_object_or_404(MilestoneRecord, pk=pk)
    if not record.evidence_file:
        raise Http404("no file")
    return FileResponse(record.evidence_file.open("rb"), as_attachment=True)


# --- Organisations -------------------------------------------------------------------------


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=gettext_lazy("Search"))
    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices, label=gettext_lazy("Kind"))
    sme_class = django_filters.ChoiceFilter(
        choices=SmeClass.choices, label=gettext_lazy("SME class")
    )
    verified = django_filters.BooleanFilter(label=gettext_lazy("Verified"))

    class Meta:
        model = Organisation
        fields = ["q", "kind", "sme_class", "verified"]

    def search(self, queryset, name, value):
        digits = "".join(ch for ch in value if ch.isdigit())
        condition = Q(name__icontains=value)
        if len(digits) >= 4:
            condition |= Q(enterprise_number__contains=digits)
        return queryset.filter(condition)


@permission_required("programme.list_organisations")
def organisation_list(request: HttpRequest) -> HttpResponse:
    queryset = Organisation.objects.annotate(member_count=Count("members")).order_by("name")
    filterset = OrganisationFilter(request.GET or None, queryset=queryset)
    return render(
        request,
        "programme/organisation_list.html",
        {"filter": filterset, "organisations": filterset.qs},
    )


def _get_organisation_for_user(request: HttpRequest, pk: int, perm: str) -> Organisation:
    """The organisation, or 404 when this user may not see it (no existence leak)."""
    organisation = get_object_or_404(Organisation, pk=pk)
    if not request.user.has_perm("programme.view_organisation", organisation):
        raise Http404("not visible")
    if not request.user.has_perm(perm, organisation):
        raise PermissionDenied
    return organisation


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _get_organisation_for_user(request, pk, "programme.view_organisation")
    links = OrganisationLink.objects.filter(
        Q(organisation=organisation) | Q(other=organisation)
    ).select_related("organisation", "other")
    context = {
        "organisation": organisation,
        "sme": selectors.sme_computation(organisation),
        "links": links,
        "members": organisation.members.all(),
        "can_edit": request.user.has_perm("programme.change_organisation", organisation),
        "can_manage_members": request.user.has_perm("programme.manage_members", organisation),
        "can_link": request.user.has_perm("programme.add_organisationlink"),
    }
    if request.user.has_perm("programme.view_history"):
        context["history"] = programme_history(organisation)
    return render(request, "programme/organisation_detail.html", context)


def _save_organisation(request, form, organisation=None):
    data = dict(form.cleaned_data)
    verified = data.pop("verified", None)
    number = data.pop("enterprise_number")
    try:
        return services.organisation_save(
            actor=request.user,
            organisation=organisation,
            enterprise_number=number,
            verified=verified,
            **data,
        )
    except IntegrityError:
        # Two people registered the same number at the same moment: say so, keep input.
        form.add_error("enterprise_number", _("This enterprise number is already registered."))
        return None
    except ValidationError as error:
        # A rule of the model the form does not check: shown on its field, input kept.
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
        return None


@permission_required("programme.add_organisation")
def organisation_create(request: HttpRequest) -> HttpResponse:
    staff = request.user.has_perm("programme.verify_organisation")
    form = OrganisationForm(request.POST or None, staff=staff)
    if request.method == "POST" and form.is_valid():
        organisation = _save_organisation(request, form)
        if organisation is not None:
            messages.success(
                request,
                _("%(name)s is registered as %(klass)s.")
                % {"name": organisation.name, "klass": organisation.get_sme_class_display()},
            )
            return redirect("organisation_detail", pk=organisation.pk)
    return render(request, "programme/organisation_form.html", {"form": form})


@login_required
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _get_organisation_for_user(request, pk, "programme.change_organisation")
    staff = request.user.has_perm("programme.verify_organisation")
    form = OrganisationForm(request.POST or None, instance=organisation, staff=staff)
    if request.method == "POST" and form.is_valid():
        if _save_organisation(request, form, organisation) is not None:
            messages.success(request, _("Changes saved."))
            return redirect("organisation_detail", pk=organisation.pk)
    return render(
        request, "programme/organisation_form.html", {"form": form, "organisation": organisation}
    )


@permission_required("programme.request_membership")
def organisation_join(request: HttpRequest) -> HttpResponse:
    """An applicant without an organisation asks to join a registered one. Whether the
    number is registered is not told (the registry is not public): the request is
    recorded when it is, and the same answer is given either way."""
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = Organisation.objects.filter(
            enterprise_number=form.cleaned_data["enterprise_number"]
        ).first()
        try:
            if organisation is not None:
                services.membership_request(actor=request.user, organisation=organisation)
        except Refused as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _(
                    "If this organisation is registered, its managers (or VLAIO) received "
                    "your request. You see its data once they approve. If it is not "
                    "registered yet, register it yourself."
                ),
            )
            return redirect("home")
    return render(request, "programme/organisation_join.html", {"form": form})


@login_required
def organisation_members(request: HttpRequest, pk: int) -> HttpResponse:
    """The members of an organisation and the requests to join, for its managers and
    staff: approve (optionally as manager) or refuse."""
    organisation = _get_organisation_for_user(request, pk, "programme.manage_members")
    memberships = organisation.memberships.select_related("user", "decided_by").order_by(
        "state", "requested_at"
    )
    return render(
        request,
        "programme/organisation_members.html",
        {"organisation": organisation, "memberships": memberships},
    )


@require_POST
@login_required
def membership_decide(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    organisation = _get_organisation_for_user(request, pk, "programme.manage_members")
    membership = get_object_or_404(organisation.memberships, pk=membership_pk)
    form = MembershipDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or refuse."))
    else:
        try:
            services.membership_decide(
                actor=request.user,
                membership=membership,
                approve=form.cleaned_data["approve"],
                manager=form.cleaned_data["manager"],
            )
        except Refused as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Decision recorded; the person is told by e-mail."))
    return redirect("organisation_members", pk=organisation.pk)


# --- Accounts ------------------------------------------------------------------------------


@login_required
def two_factor_required(request: HttpRequest) -> HttpResponse:
    """Where the second-factor middleware sends a person whose role needs two-factor login
    and who has not enrolled yet: why, and the way to the enrolment page."""
    return render(request, "programme/two_factor_required.html", {"next": request.GET.get("next")})
