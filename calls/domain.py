"""Pure rules of calls: whether a call takes submissions now, transition guards,
parameter freezing, envelope arithmetic. No writes here (services.py does those)."""

from datetime import datetime

from django.utils.translation import gettext as _

from .enums import CallState


def accepts_submissions(call, now: datetime) -> tuple[bool, str]:
    """Is `call` open for writes by applicants at `now` (aware, UTC)?

    The deadline is enforced here at every write, not only by the beat task that closes
    the call, so a stopped beat never lets a late submission in.
    """
    if call.state != CallState.OPEN:
        return False, _("This call is not open (state: %(state)s).") % {
            "state": call.get_state_display()
        }
    if now < call.opens_at:
        return False, _("This call opens only at %(time)s.") % {"time": call.opens_at}
    if now >= call.deadline:
        return False, _("The deadline of this call has passed.")
    return True, ""
