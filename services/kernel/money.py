"""Money shown to people: exact Decimals, rounded to cents only for display."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


CENT = Decimal("0.01")


def cents(value: Decimal) -> Decimal:
    """Half-up to the cent: how commissions are fixed and how amounts are shown."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(amount: Decimal, currency: str) -> str:
    """1234.5 → "1 234.50 RUB": the same in every language, so locales receive it ready-made."""
    value = cents(amount)
    sign = "-" if value < 0 else ""
    whole, _, fraction = f"{abs(value):f}".partition(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{' '.join(groups) or '0'}.{(fraction + '00')[:2]} {currency}"
