"""Figures as people read them: thousands separators, a gap for what was not reported."""

from decimal import Decimal

from pantau.core.numbers import localized


def figure(value: float | int | Decimal | None) -> str:
    """361,000,000; 1,234.5; 0.25; "" for a missing value (shown as a gap, never as 0)."""
    if value is None:
        return ""
    number = float(value)
    if number.is_integer() and abs(number) < 1e15:
        return f"{int(number):,}"
    if abs(number) >= 1000:
        text = f"{number:,.2f}"
    else:
        text = f"{number:.6g}" if abs(number) >= 1e-4 else f"{number:.4g}"
    return text.rstrip("0").rstrip(".") if "." in text and "e" not in text else text


def figure_for_reader(value: float | int | Decimal | None) -> str:
    """figure() in the page's language: 361.000.000 and 1.234,5 in Bahasa Indonesia."""
    return localized(figure(value))
