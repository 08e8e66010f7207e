"""The Celery application.

Broker is Redis when REDIS_URL is set; otherwise tasks run in-process (eager), which is
the embedded default of `make run`. Results go to the database (django-celery-results)
so a report's task state survives a Redis restart.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("icon")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The governance app keeps one tasks module per package.
app.autodiscover_tasks(
    ["governance.review", "governance.decisions", "governance.funding", "governance.reports"]
)
