"""All writes of the projects app: applications, attachments and drafts (application.py),
consortium and budgets (consortium.py), submission, withdrawal, admissibility and
completion (submission.py). Callers import from `projects.services`.

Every function is keyword-only and runs in a transaction. Every write by an applicant
first locks the application row (SELECT … FOR UPDATE) and then asks
`calls.domain.accepts_submissions(call, now)` (or, during a completion request, whether
the item was asked for and the completion deadline has not passed), so a submission and
an edit never interleave and nothing is written after the deadline, whatever page the
person opened before it. E-mails and the PDF task are queued on commit.

Known limit: once submitted, an application is frozen; to change it before the deadline
the coordinator withdraws it and starts again (no "reopen")."""

from .application import (
    MAX_ATTACHMENT_BYTES,
    PROJECT_FIELDS,
    application_start,
    application_update,
    attachment_add,
    attachment_remove,
    check_pdf_upload,
    draft_clear,
    draft_get,
    draft_save,
    write_allowed,
)
from .consortium import (
    budget_save,
    invite_link,
    partner_add,
    partner_contact_attach,
    partner_invitations_send,
    partner_remove,
    partner_update,
)
from .submission import (
    admissibility_record,
    application_complete,
    application_render_pdf,
    application_submit,
    application_withdraw,
)

__all__ = [
    "MAX_ATTACHMENT_BYTES",
    "PROJECT_FIELDS",
    "admissibility_record",
    "application_complete",
    "application_render_pdf",
    "application_start",
    "application_submit",
    "application_update",
    "application_withdraw",
    "attachment_add",
    "attachment_remove",
    "budget_save",
    "check_pdf_upload",
    "draft_clear",
    "draft_get",
    "draft_save",
    "invite_link",
    "partner_add",
    "partner_contact_attach",
    "partner_invitations_send",
    "partner_remove",
    "partner_update",
    "write_allowed",
]
