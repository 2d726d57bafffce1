"""Kubernetes resource quantities (512Mi, 1.5Gi, 500m, 2, 1e3), parsed and compared exactly.

Values are kept as Fractions, so 1.5Gi == 1536Mi and 0.5 == 500m hold
exactly and no rounding can let a value slip past a limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from functools import total_ordering

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL: dict[str, Fraction | int] = {"m": Fraction(1, 1000), "": 1, "k": 10**3, "M": 10**6, "G": 10**9,
                                       "T": 10**12, "P": 10**15, "E": 10**18}
# Kubernetes' grammar without the sign: a number, then a binary or decimal suffix, or an exponent.
_QUANTITY = re.compile(
    r"(?P<number>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
    r"(?:(?P<binary>Ki|Mi|Gi|Ti|Pi|Ei)|[eE](?P<exponent>[+-]?[0-9]{1,3})|(?P<decimal>[mkMGTPE]?))"
)


class QuantityError(ValueError):
    """Text that is not a quantity of the expected kind; the message says what was expected."""


@total_ordering
@dataclass(frozen=True, eq=False)
class Quantity:
    """Compared by value only: 1.5Gi == 1536Mi."""

    value: Fraction  # in base units: bytes for memory, cores for CPU
    text: str  # as written (or as formatted by this module)

    def __str__(self) -> str:
        return self.text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Quantity) and self.value == other.value

    def __lt__(self, other: Quantity) -> bool:
        return self.value < other.value

    def __hash__(self) -> int:
        return hash(self.value)


def parse(text: str | int | float) -> Quantity:
    """Any Kubernetes quantity; raises QuantityError."""
    raw = _text(text)
    match = _QUANTITY.fullmatch(raw)
    if match is None:
        raise QuantityError(f"{raw!r} is not a quantity (expected e.g. 512Mi, 1.5Gi, 500m or 2)")
    number = Fraction(match["number"])
    if match["binary"]:
        value = number * _BINARY[match["binary"]]
    elif match["exponent"] is not None:
        value = number * Fraction(10) ** int(match["exponent"])
    else:
        value = number * _DECIMAL[match["decimal"] or ""]
    return Quantity(value, raw)


def parse_memory(text: str | int | float) -> Quantity:
    """Memory: whole bytes, e.g. 512Mi, 1.5Gi, 2G, 1073741824."""
    quantity = _parse_kind(text, "memory", "512Mi, 1.5Gi or 2G")
    if quantity.value.denominator != 1:
        raise QuantityError(f"{quantity.text!r} is not a whole number of bytes (expected e.g. 512Mi, 1.5Gi or 2G)")
    return quantity


def parse_cpu(text: str | int | float) -> Quantity:
    """CPU: cores or millicores, e.g. 2, 0.5, 500m. Binary suffixes make no sense for CPU."""
    quantity = _parse_kind(text, "CPU", "2, 0.5 or 500m")
    if any(suffix in quantity.text for suffix in _BINARY) or quantity.text[-1:] in "kMGTPE":
        raise QuantityError(f"{quantity.text!r} is not a CPU amount (expected cores or millicores, e.g. 2, 0.5 "
                            "or 500m)")
    if (quantity.value * 1000).denominator != 1:
        raise QuantityError(f"{quantity.text!r} is finer than a millicore (expected e.g. 2, 0.5 or 500m)")
    return quantity


def _parse_kind(text: str | int | float, kind: str, examples: str) -> Quantity:
    try:
        quantity = parse(text)
    except QuantityError:
        raise QuantityError(f"{_text(text)!r} is not a {kind} quantity (expected e.g. {examples})") from None
    if quantity.value <= 0:
        raise QuantityError(f"{quantity.text!r}: a {kind} quantity must be more than zero")
    return quantity


def format_memory(value: Fraction | int, binary: bool = True) -> str:
    """The largest suffix that keeps a whole number: 2147483648 -> 2Gi (binary), 2000000000 -> 2G."""
    amount = Fraction(value)
    if amount.denominator != 1:
        raise QuantityError(f"{float(amount)} bytes is not a whole number of bytes")
    suffixes = _BINARY if binary else {k: v for k, v in _DECIMAL.items() if k not in ("", "m")}
    for suffix, factor in sorted(suffixes.items(), key=lambda item: item[1], reverse=True):
        scaled = amount / factor
        if scaled >= 1 and scaled.denominator == 1:
            return f"{scaled.numerator}{suffix}"
    return str(amount.numerator)


def doubled_within(current: Quantity, ceiling: Quantity) -> Quantity:
    """Twice the current memory, but never above the ceiling (the OOMKilled remedy).

    Written in the family of units the current value uses: 1Gi -> 2Gi, 1G -> 2G.
    """
    wanted = min(current.value * 2, ceiling.value)
    if wanted == ceiling.value:
        return Quantity(ceiling.value, ceiling.text)
    binary = any(current.text.endswith(suffix) for suffix in _BINARY)
    return Quantity(wanted, format_memory(wanted, binary=binary))


def _text(value: str | int | float) -> str:
    if isinstance(value, bool):
        raise QuantityError(f"{value!r} is not a quantity")
    if isinstance(value, int | float):
        return format(value, "g") if isinstance(value, float) else str(value)
    return value.strip()
