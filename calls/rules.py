"""Who may do what with calls and envelopes.

The public call pages need no permission (drafts are hidden by the views, not by a
rule). Staff run calls and envelopes; only administrators amend frozen parameters; the
budget overview is for staff, the programme manager and the steering group.
"""

import rules

from programme.rules import is_admin, is_applicant, is_programme_manager, is_staff, is_steering

rules.add_perm("calls.manage_call", is_staff)
rules.add_perm("calls.amend_frozen_parameters", is_admin)
rules.add_perm("calls.view_budget", is_staff | is_programme_manager | is_steering)
rules.add_perm("calls.move_envelope_money", is_staff)
rules.add_perm("calls.register_for_call", is_applicant)
