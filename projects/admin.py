from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import AdmissibilityCheck, Application, Attachment, BudgetEntry, Partner


class PartnerInline(admin.TabularInline):
    model = Partner
    extra = 0
    raw_id_fields = ["organisation", "contact"]


@admin.register(Application)
class ApplicationAdmin(SimpleHistoryAdmin):
    list_display = ["acronym", "title", "call", "state", "receipt_number", "submitted_at"]
    list_filter = ["state", "call"]
    search_fields = ["acronym", "title", "receipt_number"]
    raw_id_fields = ["coordinator", "created_by"]
    inlines = [PartnerInline]


admin.site.register(BudgetEntry, SimpleHistoryAdmin)
admin.site.register(Attachment, SimpleHistoryAdmin)
admin.site.register(AdmissibilityCheck, SimpleHistoryAdmin)
