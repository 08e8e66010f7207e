"""Who may do what on the decision side (loaded by GovernanceConfig.ready()).

The ranking and the advice/decision pages are for the people around the table (staff,
steering group, council, programme manager); staff record advice and decisions (they
take the minutes); the coordinator's contact declines granted aid; letters are for the
consortium's contacts and staff.
"""

import rules

from programme.rules import is_council, is_programme_manager, is_staff, is_steering
from projects.rules import is_coordinator_contact, is_partner_contact

can_see_ranking = is_staff | is_steering | is_council | is_programme_manager

rules.add_perm("governance.view_ranking", can_see_ranking)
rules.add_perm("governance.record_advice", is_staff)
rules.add_perm("governance.record_decision", is_staff)
# object: the application
rules.add_perm("governance.decline_decision", is_coordinator_contact)
rules.add_perm("governance.view_letter", is_staff | is_partner_contact)
