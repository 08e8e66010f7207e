"""Pure rules of the programme app: SME class (with the group), enterprise numbers,
budget totals.

No writes and no queries here. The SME class of an enterprise is computed from its own
figures together with its group (EU Recommendation 2003/361, Annex art. 6):
`sme_class_of_group` adds 100% of the figures of linked enterprises and the held share
of partner enterprises (programme.selectors.sme_group finds them). Known limits: the
figures are those of each enterprise's own reference year, not consolidated accounts;
a partner link without a recorded share adds nothing, and the computation says so.
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


# --- SME class with the group (2003/361, Annex art. 3 and 6) --------------------------------

OWN, LINKED, PARTNER = "own", "linked", "partner"
HUNDRED = Decimal("100")
# A partner enterprise holds 25% up to 50%; more than 50% makes the enterprises linked.
PARTNER_SHARE_RANGE = (Decimal("25"), Decimal("50"))


@dataclass(frozen=True)
class GroupPart:
    """One enterprise whose figures count for the SME class of another: the enterprise
    itself (relation "own"), a linked enterprise (100%) or a partner enterprise (the
    held share; None when the link records no share: nothing is added)."""

    name: str
    relation: str
    headcount: Decimal
    turnover: Decimal
    balance_sheet_total: Decimal
    share: Decimal | None = HUNDRED

    @property
    def factor(self) -> Decimal:
        if self.relation == PARTNER:
            return (self.share or Decimal(0)) / HUNDRED
        return Decimal(1)

    @property
    def counted_headcount(self) -> Decimal:
        return Decimal(self.headcount) * self.factor

    @property
    def counted_turnover(self) -> Decimal:
        return Decimal(self.turnover) * self.factor

    @property
    def counted_balance(self) -> Decimal:
        return Decimal(self.balance_sheet_total) * self.factor


@dataclass(frozen=True)
class SmeComputation:
    """How an enterprise's SME class was computed: the parts and their sums."""

    klass: SmeClass
    parts: tuple[GroupPart, ...]
    headcount: Decimal
    turnover: Decimal
    balance_sheet_total: Decimal
    public_body_share: Decimal

    @property
    def with_group(self) -> bool:
        return len(self.parts) > 1

    @property
    def reason(self) -> str:
        """The sentence the page shows next to the class."""
        if self.public_body_share >= PUBLIC_BODY_SHARE_LIMIT:
            return _("%(share)s%% held by public bodies (25%% or more): not an SME.") % {
                "share": format_number(self.public_body_share)
            }
        figures = {
            "klass": self.klass.label,
            "staff": format_number(self.headcount.normalize()),
            "turnover": format_euro(self.turnover),
            "balance": format_euro(self.balance_sheet_total),
        }
        if not self.with_group:
            return (
                _(
                    "%(klass)s: %(staff)s staff, turnover %(turnover)s, balance sheet %(balance)s "
                    "(EU Recommendation 2003/361)."
                )
                % figures
            )
        return (
            _(
                "%(klass)s: with its group %(staff)s staff, turnover %(turnover)s, balance sheet "
                "%(balance)s (EU Recommendation 2003/361: linked enterprises 100%%, partner "
                "enterprises their held share)."
            )
            % figures
        )


def sme_class_of_group(
    *, own: GroupPart, others: Iterable[GroupPart], public_body_share: Decimal = Decimal("0")
) -> SmeComputation:
    """SME class of the enterprise `own` together with its group: its own figures plus
    100% of each linked enterprise's and the held share of each partner enterprise's
    (2003/361 Annex art. 6(2)-(3)); the ceilings of `sme_class` apply to the sums. A
    public-body share of 25% or more makes it large whatever the figures."""
    parts = (own, *others)
    headcount = sum((p.counted_headcount for p in parts), Decimal(0))
    turnover = sum((p.counted_turnover for p in parts), Decimal(0))
    balance = sum((p.counted_balance for p in parts), Decimal(0))
    return SmeComputation(
        klass=sme_class(
            headcount=headcount,
            turnover=turnover,
            balance_sheet_total=balance,
            public_body_share=public_body_share,
        ),
        parts=parts,
        headcount=headcount,
        turnover=turnover,
        balance_sheet_total=balance,
        public_body_share=public_body_share,
    )


def check_link_share(kind: str, share: Decimal | None) -> tuple[bool, str]:
    """A partner enterprise holds 25% to 50%; a linked one more than 50% (or control,
    then the share may be left empty)."""
    low, high = PARTNER_SHARE_RANGE
    if kind == PARTNER and (share is None or not low <= share <= high):
        return False, _(
            "A partner enterprise holds from %(low)s%% to %(high)s%% of the other; give the "
            "share held."
        ) % {"low": format_number(low), "high": format_number(high)}
    if kind == LINKED and share is not None and share <= high:
        return False, _(
            "A linked enterprise holds more than 50%% of the other (or controls it); with "
            "%(share)s%% it is a partner enterprise."
        ) % {"share": format_number(share)}
    return True, ""


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
