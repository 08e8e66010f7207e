"""Demo data of the governance app, in the order each part builds on the previous one:
the bodies and their meetings (bodies/demo.py), the review side of the 2019 call
(review/demo.py), then the decision side (decisions/demo.py), which advises and decides
on the reviews' consensus, then the funded projects (funding/demo.py). Idempotent, like
each part."""

from .bodies.demo import seed as seed_bodies
from .decisions.demo import seed_decisions
from .funding.demo import seed as seed_funding
from .review.demo import seed_reviews


def seed() -> None:
    seed_bodies()
    seed_reviews()
    seed_decisions()
    seed_funding()
