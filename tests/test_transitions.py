"""Every state machine of the apps, checked on its table (programme.states.Transitions):
each guard is a function of the sibling domain.py, each service a function of the
sibling services.py, every state is reached and left (or is final), and every `state`
field of a model has its table. Then the helper itself, on a table of its own."""

import importlib
import inspect
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

from programme.states import Refused, Transition, Transitions

ROOT = Path(__file__).resolve().parent.parent
APPS = ["programme", "calls", "projects", "governance"]


def _tables() -> dict[str, tuple[str, Transitions]]:
    """'calls.enums.CALL_TRANSITIONS' -> (the package, 'calls'; the table), for every
    table in an enums.py of the apps."""
    found = {}
    for app in APPS:
        for path in sorted((ROOT / app).rglob("enums.py")):
            module_name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            module = importlib.import_module(module_name)
            for name, value in vars(module).items():
                if isinstance(value, Transitions):
                    found[f"{module_name}.{name}"] = (module_name.rsplit(".", 1)[0], value)
    return found


TABLES = _tables()


def test_every_state_field_has_its_table():
    tables = {frozenset(table.states.values) for _package, table in TABLES.values()}
    fields = {
        model._meta.label: frozenset(value for value, _label in field.choices)
        for model in apps.get_models()
        if model._meta.app_label in APPS
        for field in model._meta.concrete_fields
        if field.name == "state" and field.choices
    }
    assert {
        "calls.Call",
        "projects.Application",
        "governance.ReviewAssignment",
        "programme.GeneratedReport",
    } <= set(fields)
    assert sorted(label for label, states in fields.items() if states not in tables) == []


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_guard_is_a_can_function_of_the_apps_domain(name):
    package, table = TABLES[name]
    domain = importlib.import_module(f"{package}.domain")
    wrong = [
        f"{move.source} → {move.target}: {move.guard}"
        for move in table.moves
        if move.guard is not None
        and not (move.guard.startswith("can_") and callable(getattr(domain, move.guard, None)))
    ]
    assert wrong == []


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_service_is_a_function_of_the_apps_services(name):
    package, table = TABLES[name]
    services = importlib.import_module(f"{package}.services")
    wrong = [
        f"{move.source} → {move.target}: {service}"
        for move in table.moves
        for service in move.services
        if not callable(getattr(services, service, None))
    ]
    assert wrong == []
    assert all(move.services for move in table.moves)


@pytest.mark.parametrize("name", sorted(TABLES))
def test_the_guards_of_one_service_take_the_same_facts(name):
    """A service passes one set of facts to whichever of its moves it makes."""
    package, table = TABLES[name]
    domain = importlib.import_module(f"{package}.domain")
    signatures: dict[str, set[tuple[str, ...]]] = {}
    for move in table.moves:
        if move.guard is None:
            continue
        parameters = tuple(inspect.signature(getattr(domain, move.guard)).parameters)
        for service in move.services:
            signatures.setdefault(service, set()).add(parameters)
    assert {service: len(found) for service, found in signatures.items()} == {
        service: 1 for service in signatures
    }


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_state_is_reached_and_left_or_final(name):
    _package, table = TABLES[name]
    states = set(table.states.values)
    sources = {move.source for move in table.moves}
    targets = {move.target for move in table.moves}
    assert table.initial in states
    assert (sources | targets | table.terminal) <= states
    assert states - targets - {table.initial} == set()  # every state can be reached
    assert states - sources - table.terminal == set()  # every state but the final ones is left
    assert sources & table.terminal == set()  # a final state is not left
    pairs = [(move.source, move.target) for move in table.moves]
    assert len(pairs) == len(set(pairs))


# --- The helper ---------------------------------------------------------------------------


class Light(models.TextChoices):
    RED = "red", "Red"
    GREEN = "green", "Green"
    BROKEN = "broken", "Broken"


class guards:  # stands for an app's domain module
    @staticmethod
    def can_go(*, cars: int) -> tuple[bool, str]:
        return (True, "") if cars == 0 else (False, f"{cars} cars are crossing.")


LIGHTS = Transitions(
    states=Light,
    initial=Light.RED,
    moves=(
        Transition(Light.RED, Light.GREEN, "can_go", ("light_switch",)),
        Transition(Light.GREEN, Light.RED, None, ("light_switch",)),
        Transition(Light.RED, Light.BROKEN, None, ("light_break",)),
        Transition(Light.GREEN, Light.BROKEN, None, ("light_break",)),
    ),
    terminal=frozenset({Light.BROKEN}),
)


def test_decide_runs_the_guard_of_the_move_with_the_facts():
    assert LIGHTS.decide(Light.RED, Light.GREEN, guards=guards, cars=0) == (True, "")
    assert LIGHTS.decide(Light.RED, Light.GREEN, guards=guards, cars=2) == (
        False,
        "2 cars are crossing.",
    )
    assert LIGHTS.decide(Light.GREEN, Light.RED, guards=guards) == (True, "")


def test_decide_refuses_a_move_outside_the_table_or_by_another_service():
    with translation.override("en"):
        assert LIGHTS.decide(Light.BROKEN, Light.RED, guards=guards) == (
            False,
            "“Broken” cannot become “Red”.",
        )
        assert LIGHTS.decide(Light.RED, Light.BROKEN, guards=guards, service="light_switch") == (
            False,
            "“Red” cannot become “Broken”.",
        )


def test_decide_words_the_refusal_with_the_tables_own_sentence():
    table = Transitions(
        states=Light,
        initial=Light.RED,
        moves=LIGHTS.moves,
        terminal=LIGHTS.terminal,
        not_allowed=lambda source, target: f"No way from {source} to {target}.",
    )
    assert table.decide(Light.BROKEN, Light.GREEN, guards=guards) == (
        False,
        "No way from broken to green.",
    )


def test_check_returns_the_move_or_raises_refused_with_the_reason():
    move = LIGHTS.check(Light.RED, Light.GREEN, guards=guards, service="light_switch", cars=0)
    assert move == LIGHTS.moves[0]
    with pytest.raises(Refused) as refused:
        LIGHTS.check(Light.RED, Light.GREEN, guards=guards, service="light_switch", cars=3)
    assert (str(refused.value), refused.value.messages) == (
        "3 cars are crossing.",
        ["3 cars are crossing."],
    )


def test_targets_in_table_order():
    assert LIGHTS.targets(Light.RED) == [Light.GREEN, Light.BROKEN]
    assert LIGHTS.targets(Light.BROKEN) == []


def test_refused_per_field_keeps_the_fields():
    refused = Refused({"reason": ["Say why."], "score_1": ["Give a score."]})
    assert refused.message_dict == {"reason": ["Say why."], "score_1": ["Give a score."]}
    assert str(refused) == "Say why. Give a score."
