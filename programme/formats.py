"""Money, numbers and moments as people read and type them: the one place that rounds
euro amounts, formats figures in the reader's language, reads typed amounts back, and
writes a moment in Brussels time. Everything else imports from here (programme is the
lowest layer, so calls, projects and governance may).

- `round_cents`: the one rounding rule for euro amounts, to the cent, half up.
- `format_euro` / `format_amount`: an amount with and without the euro sign, grouped by
  thousands in the active language ('€ 4.500.000' nl, '€ 4,500,000' en; the space after
  the sign does not break). Cents show when the amount has any ('€ 12.500,50' but
  '€ 12.500'), always with `cents=True` (refusals and decisions, which compare amounts
  to the cent), never with `cents=False` (the whole euro, rounded half up, for charts).
- `format_number` / `format_percent`: other figures, with the decimals they carry
  ('62,5 %', '60 %') or rounded half up to the decimals asked for ('30,0 %').
- `parse_amount`: an amount typed in Dutch or English notation, back to a Decimal.
- `format_brussels` and `BRUSSELS`: '30 september 2019, 17:00 CEST'.

Why cents show whenever an amount has any: a finance officer adds the lines of a table up
and expects its total to the cent. Lines rounded to whole euros need not add up to their
rounded total (€ 0,50 + € 0,50 shown as € 1 + € 1 against a total of € 1), and a total
that differs from its lines by a euro is a question on every review and in every letter.
Amounts typed in whole euros (the usual case) still show without ',00'.

Known limits:
- only nl and en are offered; other languages format with Django's formats for them and
  parse with a decimal comma (fr, de) or a decimal point (the rest);
- in a column mixing whole amounts and amounts with cents, the figures do not line up on
  the decimal mark;
- `parse_amount` reads the ambiguous '1.000' / '1,000' by the language (see there), so a
  figure typed in one language and read in the other can change by a factor of 1,000.
"""

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import get_language, gettext

BRUSSELS = ZoneInfo("Europe/Brussels")
CENT = Decimal("0.01")
EURO_SIGN = "€\u00a0"  # a no-break space: the sign never ends a line without its figure
PERCENT_SIGN = "\u00a0%"
NOTHING = "—"  # shown for a missing figure or moment


def _decimal(value: Decimal | float | str) -> Decimal:
    # str() first so a float gives its short form (0.1, not 0.1000000000000000055...).
    return value if isinstance(value, Decimal) else Decimal(str(value))


def round_cents(value: Decimal | int | str) -> Decimal:
    """The one rounding rule for euro amounts: to the cent, half up (0.005 → 0.01)."""
    return _decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


# --- Showing figures -------------------------------------------------------------------------


def format_number(value: Decimal | int | str, decimals: int | None = None) -> str:
    """A figure in the active language, grouped by thousands: '1.234,5' (nl), '1,234.5'
    (en). By default with the decimals the value carries, without trailing zeros
    (Decimal('62.50') → '62,5', Decimal('60.00') → '60', 3 → '3'): nothing is lost.
    With `decimals`, rounded half up to that many places (never cut off: 0.5 shows as 1
    with decimals=0) and padded with zeros (30 → '30,0' with decimals=1)."""
    number = _decimal(value)
    if decimals is None:
        number = number.normalize()
        decimals = max(0, -number.as_tuple().exponent)
    else:
        number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return number_format(number, decimal_pos=decimals, force_grouping=True)


def format_percent(value: Decimal | int | str, decimals: int | None = None) -> str:
    """'62,5 %' (nl), '62.5 %' (en), with a no-break space before the sign; `decimals`
    as in `format_number`."""
    return format_number(value, decimals) + PERCENT_SIGN


def format_amount(value: Decimal | int | str, *, cents: bool | None = None) -> str:
    """An amount without the euro sign, as an amount field shows it and `parse_amount`
    reads it back: '12.000' and '1.000,50' (nl), '12,000' and '1,000.50' (en). Rounded
    half up to the cent; `cents` as in `format_euro`."""
    amount = round_cents(value)
    if cents is None:
        cents = amount != amount.to_integral_value()
    return format_number(amount, 2 if cents else 0)


def format_euro(value: Decimal | int | str | None, *, cents: bool | None = None) -> str:
    """'€ 4.500.000' (nl), '€ 4,500,000' (en), '—' for None.

    cents=None shows the cents when the amount has any ('€ 12.500,50', '€ 12.500');
    True always ('€ 12.500,00'); False never: the whole euro, rounded half up
    ('€ 415.149' for 415148.61).
    """
    if value is None or value == "":
        return NOTHING
    return EURO_SIGN + format_amount(value, cents=cents)


# --- Reading amounts ---------------------------------------------------------------------------

# Languages that write a decimal comma (and group thousands with a point); the others write
# a decimal point and group with a comma. Only nl and en are offered today.
DECIMAL_COMMA_LANGUAGES = frozenset({"nl", "fr", "de"})
_SPACES = {"\u00a0": " ", "\u202f": " ", "\u2009": " "}


def decimal_mark(language: str | None) -> str:
    """',' for Dutch ('nl', 'nl-be'), '.' for English."""
    return "," if (language or "").lower().split("-")[0] in DECIMAL_COMMA_LANGUAGES else "."


def _not_an_amount() -> ValidationError:
    return ValidationError(
        gettext("Enter an amount in euro, for instance %(example)s.")
        % {"example": format_amount(Decimal("1250.50"))},
        code="invalid",
    )


def parse_amount(text: str, language: str | None = None) -> Decimal:
    """The amount in `text` as a Decimal, accepting how people write amounts in either
    language: '1000.50', '1000,50', '1.000,50', '1,000.50', '1 000,50', '€ 1.000'.
    `language` defaults to the active one.

    Rules, in order:
    - spaces (also non-breaking and thin) and the euro sign are ignored, a leading
      '-' or '+' is kept; spaces may only group thousands;
    - both '.' and ',' present: the last one is the decimal mark, the other groups
      thousands ('1.000,50' and '1,000.50' are both 1000.50);
    - one mark present several times: it groups thousands ('1.000.000');
    - one mark present once next to space grouping: it is the decimal mark ('1 000.5');
    - one mark present once, otherwise: it is the decimal mark, unless it could group
      thousands (1–3 digits not starting with 0 before it, exactly 3 after it); that
      case is **ambiguous** and the language decides: in Dutch '1.000' is one thousand
      and '1,000' is one; in English '1,000' is one thousand and '1.000' is one.
    Groups of thousands must be whole ('1.00.000' is refused). The amount is not rounded
    (the form field refuses more than two decimals with its own message).

    Raises ValidationError (code 'invalid') with a message in the active language, with an
    example of how to write an amount, when `text` is not an amount.
    """
    language = language or get_language() or "en"
    value = "".join(_SPACES.get(ch, ch) for ch in str(text)).replace("€", "").strip()
    sign = ""
    if value[:1] in ("-", "+"):
        sign, value = ("-" if value[0] == "-" else ""), value[1:].strip()
    if not any(ch.isdigit() for ch in value) or any(ch not in "0123456789., " for ch in value):
        raise _not_an_amount()
    spaced = " " in value
    marks = [ch for ch in value if ch in ".,"]
    kinds = set(marks)
    if len(kinds) == 2:
        decimal = marks[-1]
        group = "." if decimal == "," else ","
        if spaced or marks.count(decimal) != 1:  # mixed grouping, or two decimal marks
            raise _not_an_amount()
    elif len(kinds) == 1:
        mark = marks[0]
        if spaced:
            decimal, group = mark, " "
            if len(marks) != 1:
                raise _not_an_amount()
        elif len(marks) > 1:
            decimal, group = None, mark
        else:
            head, tail = value.split(mark)
            could_group = len(tail) == 3 and 1 <= len(head) <= 3 and not head.startswith("0")
            if could_group and mark != decimal_mark(language):
                decimal, group = None, mark
            else:
                decimal, group = mark, None
    else:
        decimal, group = None, " " if spaced else None
    whole, _sep, fraction = value.partition(decimal) if decimal else (value, "", "")
    if decimal is not None and not fraction.isdigit():
        raise _not_an_amount()
    if group is not None:
        groups = whole.split(group)
        if not (
            1 <= len(groups[0]) <= 3
            and all(len(g) == 3 for g in groups[1:])
            and all(g.isdigit() for g in groups)
        ):
            raise _not_an_amount()  # thousands not grouped by three
        whole = "".join(groups)
    whole = whole or "0"
    if not whole.isdigit():
        raise _not_an_amount()
    return Decimal(f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}")


_ASCII_DIGITS = frozenset("0123456789")
# PostgreSQL `integer`: a larger id or year in a query would fail in the database.
INT_MAX = 2**31 - 1


def parse_int(
    text: object, *, default: int | None = None, minimum: int = 0, maximum: int = INT_MAX
) -> int | None:
    """A whole number from a query parameter (or any text), else `default`; never raises.

    The one parser of numbers in URLs: ASCII digits only, with a leading '-' when
    `minimum` is negative — `str.isdigit()` also accepts '²' or '٣', which int() then
    refuses or reads as another number — and within [minimum, maximum], so an id or a
    year never overflows the database column."""
    value = str(text if text is not None else "").strip()
    negative = value.startswith("-") and minimum < 0
    digits = value[1:] if negative else value
    if not digits or len(digits) > 18 or not set(digits) <= _ASCII_DIGITS:
        return default
    number = -int(digits) if negative else int(digits)
    return number if minimum <= number <= maximum else default


def parse_ids(values: list[str]) -> list[int]:
    """`["1,2", "3"]` (a repeated or comma-separated query parameter) → [1, 2, 3]; what is
    not an id (parse_int, at least 1) is left out."""
    ids = []
    for raw in values:
        for part in str(raw).split(","):
            number = parse_int(part, minimum=1)
            if number is not None:
                ids.append(number)
    return ids


# --- Moments ------------------------------------------------------------------------------------


def format_brussels(moment: datetime | None) -> str:
    """'30 september 2019, 17:00 CEST' (nl), '30 September 2019, 17:00 CEST' (en): the
    moment in Brussels time, 24-hour clock, with its zone (CET in winter, CEST in summer),
    so nobody has to guess which hour a deadline means. '—' for None."""
    if moment is None:
        return NOTHING
    local = timezone.localtime(moment, BRUSSELS)
    return f"{date_format(local, 'j F Y, H:i')} {local.tzname()}"
