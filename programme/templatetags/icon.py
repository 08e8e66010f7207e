from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def euro(value, decimals: int = 0) -> str:
    """€ amount with the active language's grouping: '€ 4.500.000' (nl), '€ 4,500,000' (en)."""
    if value in (None, ""):
        return "—"
    return "€\u00a0" + number_format(Decimal(value), decimal_pos=int(decimals), force_grouping=True)


@register.filter
def percent(value, decimals: int = 0) -> str:
    if value in (None, ""):
        return "—"
    return number_format(Decimal(value), decimal_pos=int(decimals)) + "\u00a0%"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
