"""State machines as data, and the one exception a refused action raises.

Every state field has one table, `Transitions`, in the enums.py of the app (or governance
package) whose services change it: each allowed move from-state → to-state, the name of
the guard in the sibling domain.py that decides it (a pure `can_<x>(**facts)` returning
`(ok, reason)`; none when the state alone decides) and the names of the functions in the
sibling services.py that make it. A service asks the table with `check`, which raises
`Refused`; a page asks with `decide`, which returns `(ok, reason)` so it can say why a
button is off. tests/test_transitions.py checks that every name in every table exists
and that every state is covered.

`Refused` is every refusal by a rule, a guard of a table or any other rule a service
checks; its text is the translated reason the user reads.

Known limits: the caller passes its guard module (`guards=domain`) rather than the table
importing it by name: this module is in the lowest layer and imports no app, not even
by a string. The facts are passed to the guard as they are; a table whose moves are made
by several services keeps one signature for the guards of the moves each service makes.
"""

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _


class Refused(ValidationError):
    """A rule refused the action; nothing was saved.

    str() is the translated reason the user reads, as it is (several are joined by a
    space). Built from a dict, it maps form field names to reasons (`message_dict`), so a
    form shows them on the fields. Being a ValidationError, a form or view that shows
    validation errors shows it the same way.
    """

    def __str__(self) -> str:
        return " ".join(self.messages)


@dataclass(frozen=True)
class Transition:
    """One allowed move. `guard` names a pure function of the app's domain.py that
    returns `(ok, reason)`, or is None when nothing beyond the state decides; `services`
    name the functions of the app's services.py that make the move."""

    source: str
    target: str
    guard: str | None
    services: tuple[str, ...]


def _cannot_move(states: type[models.TextChoices], source: str, target: str) -> str:
    return _("“%(from)s” cannot become “%(to)s”.") % {
        "from": states(source).label,
        "to": states(target).label,
    }


@dataclass(frozen=True)
class Transitions:
    """The state machine of one TextChoices field: where it starts, where it may go and
    where it ends. `not_allowed(source, target)` words the refusal of a move that is not
    in the table (a generic sentence when not given)."""

    states: type[models.TextChoices]
    initial: str
    moves: tuple[Transition, ...]
    terminal: frozenset[str] = frozenset()
    not_allowed: Callable[[str, str], str] | None = None

    def find(self, source: str, target: str, *, service: str | None = None) -> Transition | None:
        """The move from `source` to `target` (made by `service`, when given), or None."""
        for move in self.moves:
            if move.source == source and move.target == target:
                if service is None or service in move.services:
                    return move
                return None
        return None

    def targets(self, source: str) -> list[str]:
        """The states `source` may move to, in table order."""
        return [move.target for move in self.moves if move.source == source]

    def decide(
        self, source: str, target: str, *, guards: ModuleType, service: str | None = None, **facts
    ) -> tuple[bool, str]:
        """May the move happen? Looks it up, then runs its guard (from the module
        `guards`) with `facts`. (ok, reason) with the reason the user reads."""
        move = self.find(source, target, service=service)
        if move is None:
            if self.not_allowed is not None:
                return False, self.not_allowed(source, target)
            return False, _cannot_move(self.states, source, target)
        if move.guard is None:
            return True, ""
        return getattr(guards, move.guard)(**facts)

    def check(
        self, source: str, target: str, *, guards: ModuleType, service: str, **facts
    ) -> Transition:
        """`decide` for a service: returns the move, or raises Refused with the reason."""
        ok, reason = self.decide(source, target, guards=guards, service=service, **facts)
        if not ok:
            raise Refused(reason)
        return self.find(source, target, service=service)
