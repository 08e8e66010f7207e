"""Pure rules of the programme app: SME class, enterprise numbers, budget totals.

No writes and no queries here. Known limits: the SME class uses the organisation's own
figures; 2003/361 also adds the figures of partner and linked enterprises, which the
registry records (OrganisationLink) but does not yet sum into the headcount.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_exceptions
from stdnum.be import vat as be_vat

from .enums import BudgetLineKind, SmeClass
from .formats import format_euro, format_number

MILLION = Decimal("1000000")

# EU Recommendation 2003/361, art. 2: (headcount below, turnover at most, balance at most).
SME_CEILINGS = (
    (SmeClass.MICRO, 10, 2 * MILLION, 2 * MILLION),
    (SmeClass.SMALL, 50, 10 * MILLION, 10 * MILLION),
    (SmeClass.MEDIUM, 250, 50 * MILLION, 43 * MILLION),
)
# Art. 3(4): 25% or more held by public bodies means the enterprise is not an SME.
PUBLIC_BODY_SHARE_LIMIT = Decimal("25")


def sme_class(
    *,
    headcount: int,
    turnover: Decimal,
    balance_sheet_total: Decimal,
    public_body_share: Decimal = Decimal("0"),
) -> SmeClass:
    """Size class of an enterprise under EU Recommendation 2003/361.

    Headcount (annual work units) must be below the ceiling and either the turnover or
    the balance-sheet total at most its ceiling. A public-body share of 25% or more makes
    the enterprise large whatever its size.
    """
    if public_body_share >= PUBLIC_BODY_SHARE_LIMIT:
        return SmeClass.LARGE
    for klass, max_staff, max_turnover, max_balance in SME_CEILINGS:
        if headcount < max_staff and (
            turnover <= max_turnover or balance_sheet_total <= max_balance
        ):
            return klass
    return SmeClass.LARGE


def sme_class_reason(
    *,
    headcount: int,
    turnover: Decimal,
    balance_sheet_total: Decimal,
    public_body_share: Decimal = Decimal("0"),
) -> str:
    """The sentence the UI shows next to a computed SME class."""
    klass = sme_class(
        headcount=headcount,
        turnover=turnover,
        balance_sheet_total=balance_sheet_total,
        public_body_share=public_body_share,
    )
    if public_body_share >= PUBLIC_BODY_SHARE_LIMIT:
        return _("%(share)s%% held by public bodies (25%% or more): not an SME.") % {
            "share": format_number(public_body_share)
        }
    return _(
        "%(klass)s: %(staff)s staff, turnover %(turnover)s, balance sheet %(balance)s "
        "(EU Recommendation 2003/361)."
    ) % {
        "klass": klass.label,
        "staff": headcount,
        "turnover": format_euro(turnover),
        "balance": format_euro(balance_sheet_total),
    }


class EnterpriseNumberError(ValueError):
    """Raised with a translated message the form shows as it is."""


def can_decide_membership(*, is_staff: bool, is_manager: bool) -> tuple[bool, str]:
    """A request to join is decided by a manager of the organisation, or by VLAIO staff
    (the only way in for an organisation that has no manager)."""
    if is_staff or is_manager:
        return True, ""
    return False, _("Only a manager of the organisation or VLAIO staff decides on members.")


# Figures that decide aid: a change after staff verified them waits for re-verification.
AID_DECIDING_FIELDS = (
    "kind",
    "is_flemish",
    "reference_year",
    "headcount",
    "turnover",
    "balance_sheet_total",
    "public_body_share",
    "in_difficulty",
)


def normalise_enterprise_number(raw: str) -> str:
    """Validate a Belgian enterprise (KBO/VAT) number and return its 10 digits.

    Accepts 'BE0403.170.701', '0403 170 701', '403170701' and the like.
    """
    try:
        return be_vat.validate(raw or "")
    except stdnum_exceptions.InvalidChecksum:
        raise EnterpriseNumberError(
            _("The check digits of this enterprise number are wrong; please check for a typo.")
        ) from None
    except (stdnum_exceptions.InvalidLength, stdnum_exceptions.InvalidFormat):
        raise EnterpriseNumberError(
            _("An enterprise number has 10 digits, written like BE0403.170.701.")
        ) from None
    except stdnum_exceptions.ValidationError:
        raise EnterpriseNumberError(_("This is not a valid Belgian enterprise number.")) from None


def format_enterprise_number(digits: str) -> str:
    """'0403170701' -> 'BE0403.170.701' (the way KBO prints it)."""
    return f"BE{digits[:4]}.{digits[4:7]}.{digits[7:]}" if len(digits) == 10 else digits


@dataclass(frozen=True)
class BudgetRow:
    """One line of the budget table: a budget line with its amount per year."""

    kind: str
    label: str
    amounts: dict[int, Decimal]
    note: str

    @property
    def total(self) -> Decimal:
        return sum(self.amounts.values(), Decimal("0"))


@dataclass(frozen=True)
class BudgetTable:
    years: list[int]
    rows: list[BudgetRow]

    def year_total(self, year: int) -> Decimal:
        return sum((row.amounts.get(year, Decimal("0")) for row in self.rows), Decimal("0"))

    @property
    def year_totals(self) -> list[Decimal]:
        return [self.year_total(year) for year in self.years]

    @property
    def total(self) -> Decimal:
        return sum(self.year_totals, Decimal("0"))


KIND_ORDER = {
    BudgetLineKind.PROGRAMME_MANAGEMENT: 0,
    BudgetLineKind.STUDY: 1,
    BudgetLineKind.PROJECT_BUDGET: 2,
}


def budget_table(years: Iterable[int], lines: Iterable) -> BudgetTable:
    """Pivot budget lines (objects with .year, .kind, .label, .amount, .note) into the
    table of DOMAIN.md §1: one row per (kind, label), one column per year, totals."""
    years = sorted(set(years))
    rows: dict[tuple[str, str], dict] = {}
    for line in lines:
        key = (line.kind, line.label)
        row = rows.setdefault(key, {"amounts": {}, "note": line.note})
        row["amounts"][line.year] = row["amounts"].get(line.year, Decimal("0")) + line.amount
    ordered = sorted(rows.items(), key=lambda item: (KIND_ORDER.get(item[0][0], 9), item[0][1]))
    return BudgetTable(
        years=years,
        rows=[
            BudgetRow(kind=kind, label=label, amounts=data["amounts"], note=data["note"])
            for (kind, label), data in ordered
        ],
    )
