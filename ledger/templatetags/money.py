from decimal import Decimal

from django import template

from ledger.money import round_money

register = template.Library()


@register.filter
def money(value):
    """1755 → "1,755.00". Anything but a Decimal is a bug upstream, so it fails loudly."""
    if value is None or value == "":
        return ""
    if not isinstance(value, Decimal):
        raise TypeError(f"money filter needs a Decimal, got {type(value).__name__}")
    return f"{round_money(value):,.2f}"
