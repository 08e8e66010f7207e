"""How figures and moments are written for people: the one place that formats them."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.formats import date_format

BRUSSELS = ZoneInfo("Europe/Brussels")


def format_brussels(moment: datetime) -> str:
    """'22 november 2026 16:42 CET': local time in Europe/Brussels with the zone shown."""
    local = timezone.localtime(moment, BRUSSELS)
    return f"{date_format(local, 'DATETIME_FORMAT')} {local.tzname()}"
