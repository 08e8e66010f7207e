"""The governance pages: one list of addresses per package."""

from .bodies.urls import urlpatterns as bodies
from .decisions.urls import urlpatterns as decisions
from .funding.urls import urlpatterns as funding
from .reports.urls import governance_urlpatterns as reports, urlpatterns as reports_root
from .review.urls import root_urlpatterns as review_root, urlpatterns as review

urlpatterns = bodies + review + decisions + funding + reports
# Pages of governance packages at addresses outside /governance/ (reports, budget,
# organisation links), mounted at the root by config/urls.py.
root_urlpatterns = reports_root + review_root
