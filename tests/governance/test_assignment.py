"""assign_reviewers: the guarantees of its docstring, checked on random instances and
against brute force on small ones."""

from itertools import combinations, product
from math import prod

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from governance.review.assignment import (
    ApplicationToReview,
    AssignmentInfeasible,
    assign_reviewers,
    assignment_feasibility,
    reviewer_loads,
)

THEMES = ["data", "analysis", "technology", "training"]


@st.composite
def instances(draw, max_apps=5, max_reviewers=5, with_existing=True):
    n_apps = draw(st.integers(1, max_apps))
    n_reviewers = draw(st.integers(1, max_reviewers))
    per_application = draw(st.integers(1, min(3, n_reviewers)))
    apps = [
        ApplicationToReview(a, frozenset(draw(st.sets(st.sampled_from(THEMES), max_size=2))))
        for a in range(n_apps)
    ]
    reviewers = [100 + r for r in range(n_reviewers)]
    pairs = [(a.id, r) for a in apps for r in reviewers]
    density = draw(st.sampled_from([0.0, 0.2, 0.35, 0.5]))
    conflicts = {pair for pair in pairs if draw(st.floats(0, 1)) < density}
    existing = {}
    if with_existing:
        for app in apps:
            existing[app.id] = draw(
                st.lists(st.sampled_from(reviewers), max_size=per_application, unique=True)
            )
    expertise = {r: draw(st.sets(st.sampled_from(THEMES), max_size=2)) for r in reviewers}
    return apps, reviewers, per_application, conflicts, existing, expertise


def brute_force(apps, reviewers, per_application, conflicts, existing):
    """Every valid completion's (sum of squares, spread) of the pool's loads."""
    kept = {a.id: [r for r in existing.get(a.id, []) if (a.id, r) not in conflicts] for a in apps}
    options = []
    for app in apps:
        eligible = [r for r in reviewers if (app.id, r) not in conflicts and r not in kept[app.id]]
        need = max(0, per_application - len(kept[app.id]))
        options.append(list(combinations(eligible, need)))
    assume(prod(len(o) for o in options) <= 3000)
    results = set()
    for choice in product(*options):
        assignment = {app.id: kept[app.id] + list(c) for app, c in zip(apps, choice, strict=True)}
        loads = reviewer_loads(assignment, reviewers).values()
        results.add((sum(x * x for x in loads), max(loads) - min(loads)))
    return results


def spread(assignment, reviewers) -> int:
    loads = reviewer_loads(assignment, reviewers).values()
    return max(loads) - min(loads)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(instances())
def test_assign_reviewers_valid_and_as_balanced_as_brute_force(instance):
    apps, reviewers, per_application, conflicts, existing, expertise = instance
    feasible, _reasons = assignment_feasibility(
        apps, reviewers, per_application=per_application, conflicts=conflicts, existing=existing
    )
    if not feasible:
        with pytest.raises(AssignmentInfeasible):
            assign_reviewers(
                apps,
                reviewers,
                per_application=per_application,
                conflicts=conflicts,
                existing=existing,
                expertise=expertise,
            )
        return
    result = assign_reviewers(
        apps,
        reviewers,
        per_application=per_application,
        conflicts=conflicts,
        existing=existing,
        expertise=expertise,
    )
    for app in apps:
        assigned = result[app.id]
        assert len(assigned) == len(set(assigned))  # distinct
        assert len(assigned) == per_application
        assert [r for r in assigned if (app.id, r) in conflicts] == []
        kept = [r for r in existing[app.id] if (app.id, r) not in conflicts]
        assert assigned[: len(kept)] == kept  # existing assignments stay, first
    options = brute_force(apps, reviewers, per_application, conflicts, existing)
    loads = reviewer_loads(result, reviewers).values()
    assert sum(x * x for x in loads) == min(s for s, _ in options)
    assert max(loads) - min(loads) == min(d for _, d in options)


@settings(max_examples=60, deadline=None)
@given(
    n_apps=st.integers(1, 60),
    n_reviewers=st.integers(1, 15),
    per_application=st.integers(1, 5),
    data=st.data(),
)
def test_assign_reviewers_without_conflicts_spread_at_most_one(
    n_apps, n_reviewers, per_application, data
):
    assume(per_application <= n_reviewers)
    apps = [
        ApplicationToReview(a, frozenset(data.draw(st.sets(st.sampled_from(THEMES)))))
        for a in range(n_apps)
    ]
    reviewers = list(range(1000, 1000 + n_reviewers))
    expertise = {r: data.draw(st.sets(st.sampled_from(THEMES), max_size=2)) for r in reviewers}
    result = assign_reviewers(
        apps, reviewers, per_application=per_application, conflicts=set(), expertise=expertise
    )
    assert all(len(set(result[a.id])) == per_application for a in apps)
    assert spread(result, reviewers) <= 1


@settings(max_examples=40, deadline=None)
@given(n_apps=st.integers(5, 40), n_reviewers=st.integers(6, 12), data=st.data())
def test_assign_reviewers_sparse_conflicts_never_conflicted(n_apps, n_reviewers, data):
    apps = list(range(n_apps))
    reviewers = list(range(100, 100 + n_reviewers))
    # Each application conflicts with at most 2 reviewers, so 3 per application stays feasible.
    conflicts = {
        (a, r)
        for a in apps
        for r in data.draw(st.lists(st.sampled_from(reviewers), max_size=2, unique=True))
    }
    result = assign_reviewers(apps, reviewers, per_application=3, conflicts=conflicts)
    assert [(a, r) for a in apps for r in result[a] if (a, r) in conflicts] == []
    assert all(len(set(result[a])) == 3 for a in apps)


def test_assign_reviewers_infeasible_names_the_application():
    with pytest.raises(AssignmentInfeasible) as error:
        assign_reviewers([1, 2], ["a", "b", "c"], per_application=3, conflicts={(2, "b")})
    assert error.value.reasons == [
        "Application 2 has 2 reviewer(s) without a conflict of interest and needs 3."
    ]


def test_assign_reviewers_round_robin_example():
    result = assign_reviewers([1, 2, 3], ["a", "b", "c"], per_application=2, conflicts=set())
    assert reviewer_loads(result, ["a", "b", "c"]) == {"a": 2, "b": 2, "c": 2}


def test_assign_reviewers_conflicts_force_imbalance_and_it_is_minimal():
    # Reviewer "c" may only review application 1, so a spread of 2 is the least possible.
    conflicts = {(2, "c"), (3, "c")}
    result = assign_reviewers([1, 2, 3], ["a", "b", "c"], per_application=2, conflicts=conflicts)
    # Applications 2 and 3 must take a and b; application 1 takes c and one of them.
    assert result == {1: ["a", "c"], 2: ["a", "b"], 3: ["a", "b"]}
    assert sorted(reviewer_loads(result, ["a", "b", "c"]).values()) == [1, 2, 3]


def test_assign_reviewers_greedy_alone_is_not_enough():
    # Found by brute force: the greedy pass gives loads 2,1,1,1,0 (sum of squares 7); an
    # exchange along an alternating path reaches 1,1,1,1,1.
    conflicts = {
        (0, 100),
        (0, 101),
        (0, 102),
        (0, 104),
        (1, 104),
        (2, 101),
        (3, 100),
        (3, 101),
        (3, 102),
        (3, 103),
        (4, 101),
    }
    reviewers = [100, 101, 102, 103, 104]
    result = assign_reviewers(range(5), reviewers, per_application=1, conflicts=conflicts)
    assert reviewer_loads(result, reviewers) == dict.fromkeys(reviewers, 1)


def test_assign_reviewers_prefers_matching_expertise_at_equal_load():
    apps = [
        ApplicationToReview(1, frozenset({"data"})),
        ApplicationToReview(2, frozenset({"training"})),
    ]
    expertise = {"ann": {"training"}, "bob": {"data"}}
    result = assign_reviewers(
        apps, ["ann", "bob"], per_application=1, conflicts=set(), expertise=expertise
    )
    assert result == {1: ["bob"], 2: ["ann"]}


def test_assign_reviewers_expertise_never_breaks_balance():
    # Everyone wants the data expert; balance wins: 4 applications, 2 reviewers → 2 each.
    apps = [ApplicationToReview(i, frozenset({"data"})) for i in range(4)]
    expertise = {"expert": {"data"}, "generalist": set()}
    result = assign_reviewers(
        apps, ["expert", "generalist"], per_application=1, conflicts=set(), expertise=expertise
    )
    assert reviewer_loads(result, ["expert", "generalist"]) == {"expert": 2, "generalist": 2}


def test_assign_reviewers_existing_conflicted_pair_is_replaced():
    result = assign_reviewers(
        [1], ["a", "b", "c"], per_application=2, conflicts={(1, "a")}, existing={1: ["a", "b"]}
    )
    assert result == {1: ["b", "c"]}


def test_assign_reviewers_existing_load_counts_for_balance():
    # "a" already holds two applications; the new one goes to b and c.
    result = assign_reviewers(
        [1, 2, 3],
        ["a", "b", "c"],
        per_application=1,
        conflicts=set(),
        existing={1: ["a"], 2: ["a"]},
    )
    assert result == {1: ["a"], 2: ["a"], 3: ["b"]}


def test_assign_reviewers_is_deterministic():
    apps = [ApplicationToReview(i, frozenset({THEMES[i % 4]})) for i in range(30)]
    reviewers = list(range(8))
    expertise = {r: {THEMES[r % 4]} for r in reviewers}
    conflicts = {(i, i % 8) for i in range(30)}
    first = assign_reviewers(
        apps, reviewers, per_application=3, conflicts=conflicts, expertise=expertise
    )
    second = assign_reviewers(
        apps, reviewers, per_application=3, conflicts=conflicts, expertise=expertise
    )
    assert first == second
