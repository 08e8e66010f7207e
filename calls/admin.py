"""Django admin for calls: read-mostly. Envelope totals and the ledger are never edited
here (only calls.services writes them, with the row lock)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Call,
    CallDocument,
    CallParameters,
    CallRegistration,
    Criterion,
    Envelope,
    LedgerEntry,
    ParameterAmendment,
    ReminderSent,
)


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


@admin.register(Call)
class CallAdmin(SimpleHistoryAdmin):
    list_display = ["title_nl", "programme_year", "state", "opens_at", "deadline"]
    list_filter = ["state", "programme"]
    readonly_fields = ["state", "parameters_frozen_at"]
    inlines = [CriterionInline]


@admin.register(CallParameters)
class CallParametersAdmin(SimpleHistoryAdmin):
    list_display = ["call"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Envelope)
class EnvelopeAdmin(ReadOnlyAdmin):
    list_display = ["name_nl", "call", "amount", "committed", "reserved"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["envelope", "kind", "amount", "reference", "created_by", "created_at"]
    list_filter = ["kind"]


@admin.register(ParameterAmendment)
class ParameterAmendmentAdmin(ReadOnlyAdmin):
    list_display = ["call", "actor", "created_at"]


@admin.register(CallRegistration)
class CallRegistrationAdmin(admin.ModelAdmin):
    list_display = ["call", "user", "created_at"]


@admin.register(ReminderSent)
class ReminderSentAdmin(ReadOnlyAdmin):
    list_display = ["call", "user", "kind", "sent_at"]


@admin.register(CallDocument)
class CallDocumentAdmin(admin.ModelAdmin):
    list_display = ["title_nl", "call", "created_at"]
