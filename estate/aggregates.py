"""Sums of two-place decimal columns (money, floor areas) that are exact on both databases."""

from decimal import Decimal

from django.db.models import DecimalField, Sum
from django.db.models.functions import Coalesce, Round

CENT = Decimal("0.01")


class _TwoPlaces(Coalesce):
    """COALESCE(ROUND(SUM(...), 2), 0.00), read back as a Decimal with two places."""

    def get_db_converters(self, connection):
        return [*super().get_db_converters(connection), _quantize]


def _quantize(value, expression, connection):
    return None if value is None else value.quantize(CENT)


def exact_sum(expression, *, filter=None):
    """SUM(expression) to two decimal places; 0.00 when there is nothing to add.

    SQLite keeps decimals as binary floating point and adds them as such: 10.41 + 29.18 − 30.00 comes
    to 9.590000000000003, and ten years of fees to 50435.6400013429. Rounding to the fen in the SQL
    makes the sum the very number stored for 9.59, so comparisons in the query (amount > paid) hold
    exactly, and Python reads 9.59. PostgreSQL adds numerics exactly; the rounding changes nothing there.
    """
    return _TwoPlaces(Round(Sum(expression, filter=filter), 2), Decimal("0.00"),
                      output_field=DecimalField(max_digits=16, decimal_places=2))
