"""Pages of the projects app, one module per part of the work: the applicant portal
(applications.py), the consortium and budgets (consortium.py), the staff pages of
submitted applications and admissibility (admissibility.py). urls.py imports from here."""

from .admissibility import (
    LIST_PAGE_SIZE,
    SORTS,
    SubmittedFilter,
    admissibility_check,
    admissibility_export,
    admissibility_list,
)
from .applications import (
    GENERAL_FORM,
    application_checks,
    application_complete,
    application_create,
    application_detail,
    application_edit,
    application_list,
    application_pdf,
    application_submit,
    application_withdraw,
    attachment_download,
    attachment_remove,
    attachment_upload,
    htmx_aware_login,
)
from .consortium import (
    partner_add,
    partner_budget,
    partner_edit,
    partner_invitations_send,
    partner_remove,
)

__all__ = [
    "GENERAL_FORM",
    "LIST_PAGE_SIZE",
    "SORTS",
    "SubmittedFilter",
    "admissibility_check",
    "admissibility_export",
    "admissibility_list",
    "application_checks",
    "application_complete",
    "application_create",
    "application_detail",
    "application_edit",
    "application_list",
    "application_pdf",
    "application_submit",
    "application_withdraw",
    "attachment_download",
    "attachment_remove",
    "attachment_upload",
    "htmx_aware_login",
    "partner_add",
    "partner_budget",
    "partner_edit",
    "partner_invitations_send",
    "partner_remove",
]
