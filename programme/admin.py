from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import domain, models


@admin.register(models.User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "organisation", "is_active"]
    list_filter = ["groups", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "organisation", "language")}),
        (_("Roles"), {"fields": ("groups", "is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(models.Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "enterprise_number", "kind", "sme_class", "verified"]
    list_filter = ["kind", "sme_class", "verified"]
    search_fields = ["name", "enterprise_number"]
    readonly_fields = ["sme_class"]

    def save_model(self, request, obj, form, change):
        # The admin is a back door around services.organisation_save: keep the class right.
        obj.sme_class = domain.sme_class(
            headcount=obj.headcount,
            turnover=obj.turnover,
            balance_sheet_total=obj.balance_sheet_total,
            public_body_share=obj.public_body_share,
        )
        super().save_model(request, obj, form, change)


for model in (
    models.OrganisationLink,
    models.Programme,
    models.ProgrammeYear,
    models.BudgetLine,
    models.ActionDomain,
    models.Theme,
    models.DiseaseDomain,
    models.Kpi,
    models.MilestoneRecord,
    models.GeneratedReport,
):
    admin.site.register(model, SimpleHistoryAdmin)
