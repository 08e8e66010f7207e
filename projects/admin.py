"""Django admin for applications: inspection and history only (the rule is in
programme.admin).

Every model of this app is service-owned, so every admin here is read-only:

- Application and its partners: `services.application_start` / `application_update` /
  `partner_add` / `partner_update` / `partner_remove`, and the state only through the
  transition services (`application_submit` freezes the snapshot and the receipt
  number, `application_withdraw`, `admissibility_record`, `application_complete`, the
  decision services of governance).
- BudgetEntry: `services.budget_save` (aid intensity and the call's rules).
- Attachment: `services.attachment_add` / `attachment_remove` (content checked).
- AdmissibilityCheck: `services.admissibility_record`.
"""

from django.contrib import admin

from programme.admin import ReadOnlyInline, ServiceOwnedAdmin

from .models import AdmissibilityCheck, Application, Attachment, BudgetEntry, Partner


class PartnerInline(ReadOnlyInline):
    model = Partner
    fields = ["organisation", "part", "is_coordinator", "contact", "contact_email"]


@admin.register(Application)
class ApplicationAdmin(ServiceOwnedAdmin):
    list_display = ["acronym", "title", "call", "state", "receipt_number", "submitted_at"]
    list_filter = ["state", "call"]
    search_fields = ["acronym", "title", "receipt_number"]
    inlines = [PartnerInline]


@admin.register(BudgetEntry)
class BudgetEntryAdmin(ServiceOwnedAdmin):
    list_display = ["partner", "year", "category", "activity", "amount"]


@admin.register(Attachment)
class AttachmentAdmin(ServiceOwnedAdmin):
    list_display = ["original_name", "application", "kind", "uploaded_at"]


@admin.register(AdmissibilityCheck)
class AdmissibilityCheckAdmin(ServiceOwnedAdmin):
    list_display = ["application", "outcome"]
