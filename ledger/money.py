"""Money is Decimal with two places, rounded half up (四舍五入) here and nowhere else."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def round_money(value):
    """Round to the fen, half up: 101.50 m² × 0.39 = 39.585 → 39.59.

    Refuses float: binary floating point turns 39.585 into 39.58499… and
    rounds it down, one fen short.
    """
    if isinstance(value, float):
        raise TypeError("money must be Decimal, not float")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
