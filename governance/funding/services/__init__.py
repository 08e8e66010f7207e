"""All writes of funded projects (DOMAIN.md §6): a decision becomes a project, the support
agreement is drawn up (its PDF made by a worker), signed and amended in versions, the
collaboration agreement is uploaded and accepted, payments are approved (each a
`payment` entry of the envelope's ledger), changes are requested and decided, and the
project moves to final reporting, closing and closed (or is stopped), releasing what was
committed and not paid.

Every function is keyword-only, runs in a transaction, checks the rule of domain.py or
the state tables of enums.py (raising programme.states.Refused with the reason the user
reads), saves with full_clean() and an audit row, and queues e-mails and tasks on
commit. Lock order, everywhere: the project row, then the payment or change row, then
the envelope row (inside calls.services), so two writers never deadlock.
"""

from .agreement import (
    agreement_context,
    agreement_draw_up,
    agreement_fail,
    agreement_generate,
    agreement_request_pdf,
    agreement_sign,
    collaboration_accept,
    collaboration_upload,
    planned_aid,
    project_open,
    projects_open_due,
)
from .changes import (
    change_decide,
    change_outcome,
    change_request,
    project_close,
    project_stop,
    project_transition,
)
from .common import agreement_in_force, aid_parts
from .joining import project_years
from .payments import payment_approve, payment_check

__all__ = [
    "agreement_context",
    "agreement_draw_up",
    "agreement_fail",
    "agreement_generate",
    "agreement_in_force",
    "agreement_request_pdf",
    "agreement_sign",
    "aid_parts",
    "change_decide",
    "change_outcome",
    "change_request",
    "collaboration_accept",
    "collaboration_upload",
    "payment_approve",
    "payment_check",
    "planned_aid",
    "project_close",
    "project_open",
    "project_stop",
    "project_transition",
    "project_years",
    "projects_open_due",
]
