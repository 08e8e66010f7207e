"""Template filters of the whole site. `euro` and `percent` are programme.formats under
the names the templates use: `{{ amount|euro }}` shows cents when the amount has any,
`|euro:2` always, `|euro:0` never (the whole euro, rounded half up); `{{ share|percent }}`
keeps the decimals the value carries, `|percent:1` rounds half up to one; `{{ moment|brussels }}`
is a moment in Brussels time with its zone, the one way every page and e-mail shows one."""

from django import template

from programme.formats import NOTHING, format_brussels, format_euro, format_percent

register = template.Library()


def _money(value, decimals=None) -> str:
    return format_euro(value, cents=None if decimals is None else int(decimals) > 0)


def _percent(value, decimals=None) -> str:
    if value in (None, ""):
        return NOTHING
    return format_percent(value, None if decimals is None else int(decimals))


register.filter("euro", _money)
register.filter("percent", _percent)
register.filter("brussels", format_brussels)  # '30 september 2019, 17:00 CEST'


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
