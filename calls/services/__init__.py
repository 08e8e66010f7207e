"""All writes of the calls app: calls and their lifecycle, parameters and criteria,
registrations, documents and deadline reminders (call.py); envelopes and their ledger
(envelope.py); the pre-selection stage (preselection.py). Callers import from
`calls.services`.

Every function is keyword-only, runs in a transaction, validates with full_clean() via
`audited_save` (who and why in the audit trail) and queues e-mails on commit, so a
rollback sends nothing. A refused action raises `programme.states.Refused` whose str()
is the translated reason with the figures."""

from .call import (
    APPLICANTS_NOTIFIED,
    CALL_FIELDS,
    CALL_M2M,
    CRITERION_FIELDS,
    PARAMETER_FIELDS,
    ZERO,
    call_create,
    call_document_add,
    call_facts,
    call_parameters_update,
    call_register,
    call_transition,
    call_update,
    calls_close_at_deadline,
    criterion_delete,
    criterion_save,
    reminders_send_due,
)
from .envelope import (
    committed_for_reference,
    envelope_commit,
    envelope_create,
    envelope_pay,
    envelope_release,
    envelope_reserve,
    envelope_transfer,
    envelope_unreserve,
    envelope_update,
    paid_for_reference,
)
from .preselection import PreselectionFigures, preselection_figures, preselection_record

__all__ = [
    "PreselectionFigures",
    "preselection_figures",
    "preselection_record",
    "APPLICANTS_NOTIFIED",
    "CALL_FIELDS",
    "CALL_M2M",
    "CRITERION_FIELDS",
    "PARAMETER_FIELDS",
    "ZERO",
    "call_create",
    "call_document_add",
    "call_facts",
    "call_parameters_update",
    "call_register",
    "call_transition",
    "call_update",
    "calls_close_at_deadline",
    "committed_for_reference",
    "criterion_delete",
    "criterion_save",
    "envelope_commit",
    "envelope_create",
    "envelope_pay",
    "envelope_release",
    "paid_for_reference",
    "envelope_reserve",
    "envelope_transfer",
    "envelope_unreserve",
    "envelope_update",
    "reminders_send_due",
]
