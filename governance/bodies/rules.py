"""Who may do what with the governance bodies, declared once as `rules` predicates.

The bodies' pages are for the people around the table (council and steering group
members, the programme manager) and VLAIO staff; only staff change memberships and
record meetings.
"""

import rules

from programme.rules import is_council, is_programme_manager, is_staff, is_steering

can_see_bodies = is_staff | is_programme_manager | is_steering | is_council

rules.add_perm("governance.view_body", can_see_bodies)
rules.add_perm("governance.view_meeting", can_see_bodies)
rules.add_perm("governance.manage_membership", is_staff)
rules.add_perm("governance.record_meeting", is_staff)
