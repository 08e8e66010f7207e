"""Automatic assignment of reviewers (experts) to applications: pure, on plain values.

`assign_reviewers` gives every application its number of reviewers, never a conflicted
one, with the reviewers' loads as even as the conflicts allow, and matching expertise
where that costs no balance. It knows nothing of the database: the caller passes ids,
themes, conflicts and the assignments that already exist.

Known limits: expertise is a preference, not an optimum (see the docstring); the load is
a count of applications, not of pages or hours.
"""

from collections import deque
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class ApplicationToReview:
    id: Hashable
    themes: frozenset[str] = frozenset()


class AssignmentInfeasible(ValueError):
    """Some application has fewer non-conflicted reviewers than it needs."""

    def __init__(self, reasons: list[str]):
        self.reasons = reasons
        super().__init__(" ".join(reasons))


def _as_application(item) -> ApplicationToReview:
    if isinstance(item, ApplicationToReview):
        return item
    return ApplicationToReview(id=item)


def assignment_feasibility(
    applications: Iterable,
    reviewers: Sequence[Hashable],
    *,
    per_application: int,
    conflicts: set[tuple[Hashable, Hashable]],
    existing: Mapping[Hashable, Iterable[Hashable]] | None = None,
) -> tuple[bool, list[str]]:
    """Can every application get `per_application` reviewers? The reasons name each
    application that cannot, with how many non-conflicted reviewers it has."""
    existing = existing or {}
    reasons = []
    for app in map(_as_application, applications):
        kept = [r for r in existing.get(app.id, ()) if (app.id, r) not in conflicts]
        available = len(set(kept) | {r for r in reviewers if (app.id, r) not in conflicts})
        if available < per_application:
            reasons.append(
                _(
                    "Application %(app)s has %(available)s reviewer(s) without a conflict of "
                    "interest and needs %(needed)s."
                )
                % {"app": app.id, "available": available, "needed": per_application}
            )
    return not reasons, reasons


def assign_reviewers(
    applications: Iterable,
    reviewers: Sequence[Hashable],
    *,
    per_application: int,
    conflicts: set[tuple[Hashable, Hashable]],
    existing: Mapping[Hashable, Iterable[Hashable]] | None = None,
    expertise: Mapping[Hashable, Iterable[str]] | None = None,
) -> dict[Hashable, list[Hashable]]:
    """Reviewers for every application: `{application id: [reviewer id, ...]}`.

    `applications` are ApplicationToReview (id and themes) or bare ids; `reviewers` the
    pool of reviewer ids; `conflicts` the (application id, reviewer id) pairs that must
    never meet; `existing` the assignments already made, which are kept (except a pair
    that is now conflicted: it is dropped and replaced, and the caller must withdraw that
    review); `expertise` maps a reviewer id to their themes.

    Guarantees:

    1. No application gets a conflicted reviewer, nor the same reviewer twice.
    2. Every application ends with exactly `per_application` reviewers (more only when
       `existing` already gave it more), or AssignmentInfeasible is raised, naming every
       application with fewer non-conflicted reviewers than it needs.
    3. Balance: the loads of the pool (existing plus new assignments per reviewer)
       minimise the sum of squares over all assignments that satisfy 1 and 2 and keep
       `existing`. By Frank & Murota (discrete decreasing minimisation on base
       polyhedra, 2019) such loads also have the smallest possible maximum and the
       largest possible minimum, so max − min is the smallest any valid assignment
       reaches: ≤ 1 whenever some valid assignment reaches ≤ 1, which is always the case
       without conflicts and without `existing`.
    4. Expertise never costs balance: among reviewers of equal load the one sharing
       more of the application's themes is chosen, and a final pass trades assignments
       only when the multiset of loads stays the same. It is a preference, not a
       maximum number of matches.

    Algorithm:

    a. Greedy: applications with the fewest eligible reviewers first; each takes the
       reviewers of lowest load, then best theme match, then pool order.
    b. Balancing: the loads of valid assignments form an M-convex set, on which the
       sum of squares is minimal as soon as no single exchange lowers it (Murota,
       local = global optimality). An exchange moves one unit of load from reviewer u
       to reviewer v along an alternating path u –a1→ x1 –a2→ … → v (application a1 goes
       from u to x1, a2 from x1 to the next, …); it lowers the sum of squares exactly
       when load(u) ≥ load(v) + 2. A breadth-first search from the most loaded reviewer
       finds such a path; we apply it and repeat until no reviewer has one.
    c. Expertise pass: move an application from r to r' when load(r') = load(r) − 1
       (the loads swap, the multiset stays) or swap the reviewers of two applications,
       whenever that raises the number of shared themes.

    Deterministic: the same input gives the same output. Existing reviewers come first
    in each list, then the new ones in pool order.
    """
    apps = [_as_application(a) for a in applications]
    pool = list(dict.fromkeys(reviewers))
    position = {r: i for i, r in enumerate(pool)}
    expertise = {r: frozenset(t) for r, t in (expertise or {}).items()}
    existing = existing or {}

    ok, reasons = assignment_feasibility(
        apps, pool, per_application=per_application, conflicts=conflicts, existing=existing
    )
    if not ok:
        raise AssignmentInfeasible(reasons)

    def match(app: ApplicationToReview, reviewer) -> int:
        return len(app.themes & expertise.get(reviewer, frozenset()))

    load = dict.fromkeys(pool, 0)
    kept: dict[Hashable, list] = {}
    for app in apps:
        kept[app.id] = list(
            dict.fromkeys(r for r in existing.get(app.id, ()) if (app.id, r) not in conflicts)
        )
        for r in kept[app.id]:
            if r in load:
                load[r] += 1
    # Reviewers an application may still receive: in the pool, not conflicted, not kept.
    eligible = {
        app.id: [r for r in pool if (app.id, r) not in conflicts and r not in kept[app.id]]
        for app in apps
    }
    need = {app.id: max(0, per_application - len(kept[app.id])) for app in apps}
    by_id = {app.id: app for app in apps}

    # a. Greedy, most constrained application first.
    new: dict[Hashable, set] = {app.id: set() for app in apps}
    holds: dict[Hashable, set] = {r: set() for r in pool}  # new assignments per reviewer
    order = sorted(
        range(len(apps)), key=lambda i: (len(eligible[apps[i].id]) - need[apps[i].id], i)
    )
    for i in order:
        app = apps[i]
        ranked = sorted(eligible[app.id], key=lambda r: (load[r], -match(app, r), position[r]))
        for r in ranked[: need[app.id]]:
            new[app.id].add(r)
            holds[r].add(app.id)
            load[r] += 1

    # b. Balancing by exchanges along alternating paths.
    eligible_sets = {a: set(rs) for a, rs in eligible.items()}

    def improving_path(source) -> list[tuple[Hashable, Hashable, Hashable]] | None:
        """Moves (application, from, to) carrying one unit of load from `source` to a
        reviewer of load ≤ load(source) − 2, or None."""
        came_from: dict = {source: None}
        queue = deque([source])
        target = None
        while queue:
            x = queue.popleft()
            for a in sorted(holds[x], key=str):
                for r in eligible[a]:
                    if r in came_from or r in new[a]:
                        continue
                    came_from[r] = (a, x)
                    if load[r] <= load[source] - 2 and (target is None or load[r] < load[target]):
                        target = r
                    queue.append(r)
        if target is None:
            return None
        moves = []
        node = target
        while came_from[node] is not None:
            a, previous = came_from[node]
            moves.append((a, previous, node))
            node = previous
        return list(reversed(moves))

    def apply(moves) -> None:
        for a, old, to in moves:
            new[a].discard(old)
            new[a].add(to)
            holds[old].discard(a)
            holds[to].add(a)
        load[moves[0][1]] -= 1
        load[moves[-1][2]] += 1

    improved = True
    while improved:
        improved = False
        lowest = min(load.values(), default=0)
        for source in sorted(pool, key=lambda r: (-load[r], position[r])):
            if load[source] < lowest + 2:
                break  # no reviewer is 2 below this one (or any later source)
            if not holds[source]:
                continue
            moves = improving_path(source)
            if moves:
                apply(moves)
                improved = True
                break

    # c. Expertise pass: only trades that keep the multiset of loads.
    if expertise:
        for _round in range(3):
            changed = False
            for app in apps:
                for r in sorted(new[app.id], key=lambda r: position[r]):
                    current = match(app, r)
                    better = [
                        c
                        for c in eligible[app.id]
                        if c not in new[app.id] and match(app, c) > current
                    ]
                    # A plain move when the loads just swap.
                    target = next((c for c in better if load[c] == load[r] - 1), None)
                    if target is not None:
                        apply([(app.id, r, target)])
                        changed = True
                        break
                    # Otherwise a swap with an application that target reviewer holds.
                    swapped = False
                    for c in better:
                        for other in sorted(holds[c], key=str):
                            other_app = by_id[other]
                            if other == app.id or r in new[other] or r not in eligible_sets[other]:
                                continue
                            gain = (
                                match(app, c) - current + match(other_app, r) - match(other_app, c)
                            )
                            if gain > 0:
                                new[app.id].discard(r), new[app.id].add(c)
                                new[other].discard(c), new[other].add(r)
                                holds[r].discard(app.id), holds[r].add(other)
                                holds[c].discard(other), holds[c].add(app.id)
                                swapped = changed = True
                                break
                        if swapped:
                            break
                    if swapped:
                        break
            if not changed:
                break

    return {app.id: kept[app.id] + sorted(new[app.id], key=lambda r: position[r]) for app in apps}


def reviewer_loads(
    assignment: Mapping[Hashable, Iterable[Hashable]], reviewers: Iterable[Hashable]
) -> dict[Hashable, int]:
    """How many applications each reviewer of the pool holds."""
    loads = dict.fromkeys(reviewers, 0)
    for assigned in assignment.values():
        for r in assigned:
            if r in loads:
                loads[r] += 1
    return loads
