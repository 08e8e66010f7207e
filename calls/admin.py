"""Django admin for calls: inspection and history only (the rule is in programme.admin).

Every model of this app is service-owned, so every admin here is read-only:

- Call and its criteria: `services.call_create` / `call_update` / `call_transition`
  (the lifecycle as a transition table, parameters frozen when the call opens),
  `criterion_save` / `criterion_delete` (refused once frozen, amended by an
  administrator with a justification on the call page).
- CallParameters: `services.call_parameters_update` (frozen at opening; amendments are
  recorded as ParameterAmendment rows).
- Envelope, LedgerEntry: only the envelope services write them, with the row lock and
  the append-only ledger; the database refuses an over-allocation.
- EnvelopeAmendment: `services.envelope_update` when an administrator amends an envelope
  of an open call.
- ParameterAmendment, CallRegistration, ReminderSent, CallDocument: written by
  `services.call_parameters_update`, `call_register`, `reminders_send_due`,
  `call_document_add`.
"""

from django.contrib import admin

from programme.admin import ReadOnlyAdmin, ReadOnlyInline, ServiceOwnedAdmin

from .models import (
    Call,
    CallDocument,
    CallParameters,
    CallRegistration,
    Criterion,
    Envelope,
    EnvelopeAmendment,
    LedgerEntry,
    ParameterAmendment,
    ReminderSent,
)


class CriterionInline(ReadOnlyInline):
    model = Criterion


@admin.register(Call)
class CallAdmin(ServiceOwnedAdmin):
    list_display = ["title_nl", "programme_year", "state", "opens_at", "deadline"]
    list_filter = ["state", "programme"]
    inlines = [CriterionInline]


@admin.register(CallParameters)
class CallParametersAdmin(ServiceOwnedAdmin):
    list_display = ["call"]


@admin.register(Envelope)
class EnvelopeAdmin(ServiceOwnedAdmin):
    list_display = ["name_nl", "call", "amount", "committed", "reserved"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["envelope", "kind", "amount", "reference", "created_by", "created_at"]
    list_filter = ["kind"]


@admin.register(ParameterAmendment)
class ParameterAmendmentAdmin(ServiceOwnedAdmin):
    list_display = ["call", "actor", "created_at"]


@admin.register(EnvelopeAmendment)
class EnvelopeAmendmentAdmin(ServiceOwnedAdmin):
    list_display = ["envelope", "amount_before", "amount_after", "actor", "created_at"]


@admin.register(CallRegistration)
class CallRegistrationAdmin(ServiceOwnedAdmin):
    list_display = ["call", "user", "created_at"]


@admin.register(ReminderSent)
class ReminderSentAdmin(ServiceOwnedAdmin):
    list_display = ["call", "user", "kind", "sent_at"]


@admin.register(CallDocument)
class CallDocumentAdmin(ServiceOwnedAdmin):
    list_display = ["title_nl", "call", "created_at"]
