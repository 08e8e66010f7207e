"""Django admin of the programme app, and the base classes every app's admin.py uses.

The admin is a window for inspection and history, not a second write path. A model
whose rows a service writes (with its checks, audit row and side effects) is
*service-owned*: its admin is `ServiceOwnedAdmin`, every field read-only, no add, no
change, no delete; the change view and the history stay for support. Only data that no
service owns and no page edits is *admin-owned* (`AdminOwnedAdmin`): add and change,
and where a service exists for part of it, the admin's save calls it. Nothing is
deleted here (rows of the setup data carry service-owned rows by CASCADE: a KPI its
milestone evidence, a theme the reviewers' expertise, a user their declarations), and
no history version is reverted (a revert writes an old row back around the services).

The rule per model of this app:

- User: admin-owned (no page manages users); roles only through
  `services.user_set_roles`; deactivate (is_active) instead of deleting.
- Group: read-only; roles are the groups named after `Role`, set on the user's page.
- Organisation: service-owned (`services.organisation_save` computes the SME class and
  normalises the enterprise number; staff edit and verify on the organisation pages).
- OrganisationLink: service-owned (`governance.review.services.organisation_link_record`
  also withdraws the assignments a link turns into a conflict of interest; staff record
  links on the organisation page).
- MilestoneRecord: service-owned (`services.milestone_record`).
- GeneratedReport: service-owned (`governance.reports.services`: request, claim,
  store, fail; one file per request with its checksum).
- Outbox: service-owned (`services.outbox_enqueue`, `outbox_dispatch`, the sweep);
  support reads here what is waiting and why (`last_error`).
- Programme, ProgrammeYear, BudgetLine, ActionDomain, Theme, DiseaseDomain, Kpi:
  admin-owned setup data (the programme as the government approved it; no service or
  page writes them). Known limit: lowering a project-budget line is not re-checked
  against the envelopes already allocated in that year (calls.services checks the year
  when an envelope changes).
"""

from django import forms
from django.contrib import admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import GroupAdmin, UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import models, services
from .enums import Role


class NoWriteMixin:
    """No add, no change, no delete: the change view shows every field read-only.
    `obj=None` on add too, so inlines (which pass the parent) can use it."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class HistoryAdmin(SimpleHistoryAdmin):
    """SimpleHistoryAdmin whose history is for reading only: the "revert" form would
    save an old version of the row (and, for users, an empty password) around the
    services, and it checks only the *view* permission, so it is refused outright."""

    def revert_disabled(self, request, obj=None) -> bool:
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ServiceOwnedAdmin(NoWriteMixin, HistoryAdmin):
    """A service-owned model: inspection and history only."""


class ReadOnlyAdmin(NoWriteMixin, admin.ModelAdmin):
    """A service-owned model without history rows (an append-only log)."""


class ReadOnlyInline(NoWriteMixin, admin.TabularInline):
    """Rows shown under their parent, read-only like the parent."""

    extra = 0
    show_change_link = False


class AdminOwnedAdmin(HistoryAdmin):
    """Admin-owned data: add and change (audited by simple_history), never delete."""


class UserChangeForm(auth_forms.UserChangeForm):
    """The user's roles as check boxes of `Role`; saved by services.user_set_roles."""

    roles = forms.TypedMultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        coerce=Role,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The groups themselves, not user.roles: that is empty for an inactive user.
            names = self.instance.groups.values_list("name", flat=True)
            self.fields["roles"].initial = [Role(name) for name in names if name in Role]


@admin.register(models.User)
class UserAdmin(HistoryAdmin, BaseUserAdmin):
    form = UserChangeForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "organisation", "is_active"]
    list_filter = ["groups", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "organisation", "language")}),
        (_("Roles"), {"fields": ("roles", "is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if "roles" in form.changed_data:
            services.user_set_roles(
                actor=request.user, user=form.instance, roles=form.cleaned_data["roles"]
            )


admin.site.unregister(Group)


@admin.register(Group)
class RoleGroupAdmin(NoWriteMixin, GroupAdmin):
    """Roles are groups named after Role: renaming or deleting one here would take the
    role from everyone who holds it; permissions are `rules`, not group permissions."""


@admin.register(models.Organisation)
class OrganisationAdmin(ServiceOwnedAdmin):
    list_display = [
        "name",
        "enterprise_number",
        "kind",
        "sme_class",
        "verified",
        "reverification_pending",
    ]
    list_filter = ["kind", "sme_class", "verified", "reverification_pending"]
    search_fields = ["name", "enterprise_number"]


@admin.register(models.OrganisationLink)
class OrganisationLinkAdmin(ServiceOwnedAdmin):
    list_display = ["organisation", "kind", "other"]
    list_filter = ["kind"]
    search_fields = ["organisation__name", "other__name"]


@admin.register(models.OrganisationMembership)
class OrganisationMembershipAdmin(ServiceOwnedAdmin):
    list_display = ["user", "organisation", "state", "is_manager", "decided_by", "decided_at"]
    list_filter = ["state", "is_manager"]
    search_fields = ["user__email", "organisation__name"]


@admin.register(models.MilestoneRecord)
class MilestoneRecordAdmin(ServiceOwnedAdmin):
    list_display = ["kpi", "date", "recorded_by", "recorded_at"]


@admin.register(models.GeneratedReport)
class GeneratedReportAdmin(ServiceOwnedAdmin):
    pass


@admin.register(models.Outbox)
class OutboxAdmin(ReadOnlyAdmin):
    list_display = ["pk", "kind", "created_at", "dispatched_at", "delivered_at", "attempts"]
    list_filter = ["kind", ("delivered_at", admin.EmptyFieldListFilter)]


for model in (
    models.Programme,
    models.ProgrammeYear,
    models.BudgetLine,
    models.ActionDomain,
    models.Theme,
    models.DiseaseDomain,
    models.Kpi,
):
    admin.site.register(model, AdminOwnedAdmin)
