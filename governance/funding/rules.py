"""Who may do what with funded projects (loaded by governance/rules.py).

The consortium's contacts see their project; the coordinator's contact uploads the
collaboration agreement and requests changes; staff draw up and sign agreements, accept
the collaboration agreement, approve payments and decide changes; the steering group and
the programme manager read. The dashboard is for staff and the programme manager; the
payment run for staff (the finance department's lists).
"""

import rules

from programme.rules import is_applicant, is_programme_manager, is_staff, is_steering
from projects.rules import is_coordinator_contact, is_partner_contact


@rules.predicate
def is_project_contact(user, project) -> bool:
    return project is not None and is_partner_contact(user, project.application)


@rules.predicate
def is_project_coordinator(user, project) -> bool:
    return project is not None and is_coordinator_contact(user, project.application)


rules.add_perm("governance.view_funding_dashboard", is_staff | is_programme_manager)
rules.add_perm("governance.list_own_projects", is_applicant)
# object: the funded project
rules.add_perm(
    "governance.view_funded_project",
    is_staff | is_steering | is_programme_manager | is_project_contact,
)
rules.add_perm("governance.manage_funded_project", is_staff)
rules.add_perm("governance.upload_collaboration", is_project_coordinator)
rules.add_perm("governance.request_change", is_project_coordinator)
rules.add_perm("governance.view_payment_run", is_staff)
