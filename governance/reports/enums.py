"""The lifecycle of a generated report, as data. Its states, programme.models.ReportState,
live beside the model; the moves live here, beside services.py, which makes every one.

queued → running → done | failed, and running → queued when an attempt fails and the
task will run again. The other moves out of queued, running and failed happen when a
task is delivered twice (acks_late): one delivery may finish, fail or be retried while
the other runs. running → queued also when the attempt's lease expired (its worker died;
services.report_recover, by beat). Only done is final: a done report keeps its one
file. No guard decides a move (the worker makes them, nobody is refused); a service
that finds its move missing leaves the report alone.
"""

from programme.models import ReportState
from programme.states import Transition, Transitions

_R = ReportState

REPORT_TRANSITIONS = Transitions(
    states=ReportState,
    initial=_R.QUEUED,
    moves=(
        # A worker starts an attempt (a redelivered task may find it running or failed).
        Transition(_R.QUEUED, _R.RUNNING, None, ("report_claim",)),
        Transition(_R.RUNNING, _R.RUNNING, None, ("report_claim",)),
        Transition(_R.FAILED, _R.RUNNING, None, ("report_claim",)),
        # An attempt stores its file (another delivery may have failed or been retried).
        Transition(_R.RUNNING, _R.DONE, None, ("report_store",)),
        Transition(_R.QUEUED, _R.DONE, None, ("report_store",)),
        Transition(_R.FAILED, _R.DONE, None, ("report_store",)),
        # An attempt failed and the task will run again; or its worker died (the lease
        # expired) and the report is queued again.
        Transition(_R.RUNNING, _R.QUEUED, None, ("report_retry_scheduled", "report_recover")),
        Transition(_R.QUEUED, _R.QUEUED, None, ("report_retry_scheduled",)),
        Transition(_R.FAILED, _R.QUEUED, None, ("report_retry_scheduled",)),
        # The last attempt failed, or the task could not be queued at all.
        Transition(_R.RUNNING, _R.FAILED, None, ("report_fail",)),
        Transition(_R.QUEUED, _R.FAILED, None, ("report_fail",)),
        Transition(_R.FAILED, _R.FAILED, None, ("report_fail",)),
    ),
    terminal=frozenset({_R.DONE}),
)
