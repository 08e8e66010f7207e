"""Who may do what in the governance app: each package declares its permissions in its
own rules.py; the rules app's autodiscovery imports this module, which loads them."""

from .bodies import rules as bodies_rules
from .decisions import rules as decisions_rules
from .funding import rules as funding_rules
from .review import rules as review_rules

__all__ = ["bodies_rules", "decisions_rules", "funding_rules", "review_rules"]
