"""Who may do what in the governance app, declared once as `rules` predicates.

The bodies' pages are for the people around the table (council and steering group
members, the programme manager) and VLAIO staff; only staff change memberships and
record meetings.
"""

import rules

from programme.rules import is_council, is_expert, is_programme_manager, is_staff, is_steering

can_see_bodies = is_staff | is_programme_manager | is_steering | is_council

rules.add_perm("governance.view_body", can_see_bodies)
rules.add_perm("governance.view_meeting", can_see_bodies)
rules.add_perm("governance.manage_membership", is_staff)
rules.add_perm("governance.record_meeting", is_staff)

# Review side: council members and external experts review what they are assigned
# (their own assignments only, fetched with a 404 for anyone else); staff assign,
# moderate the consensus and follow the progress.
is_reviewer = is_council | is_expert

rules.add_perm("governance.review", is_reviewer)
rules.add_perm("governance.manage_reviews", is_staff)
