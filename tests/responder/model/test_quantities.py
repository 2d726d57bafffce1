"""Kubernetes quantities are parsed and compared exactly."""

from __future__ import annotations

from fractions import Fraction

import pytest

from responder.model.quantities import (
    QuantityError,
    doubled_within,
    format_memory,
    parse,
    parse_cpu,
    parse_memory,
)


@pytest.mark.parametrize(("text", "value"), [
    ("512Mi", 512 * 2**20),
    ("1.5Gi", 1536 * 2**20),
    ("1Gi", 2**30),
    ("2G", 2 * 10**9),
    ("500m", Fraction(1, 2)),
    ("0.5", Fraction(1, 2)),
    ("2", 2),
    (2, 2),
    (1.5, Fraction(3, 2)),
    ("1e3", 1000),
    ("1E", 10**18),  # exa, not an exponent
    ("128974848", 128974848),
    (" 1Ki ", 1024),
])
def test_quantities_are_read_exactly(text: str | int | float, value: Fraction | int) -> None:
    assert parse(text).value == value


@pytest.mark.parametrize(("smaller", "larger"), [
    ("1536Mi", "1.6Gi"),
    ("999m", "1"),
    ("1G", "1Gi"),
    ("4Gi", "4097Mi"),
])
def test_comparisons_use_the_value_not_the_text(smaller: str, larger: str) -> None:
    assert parse(smaller) < parse(larger)
    assert parse(larger) > parse(smaller)


def test_equal_values_written_differently_are_equal() -> None:
    assert parse("1.5Gi") == parse("1536Mi")
    assert parse("0.5") == parse("500m")
    assert len({parse("1Gi"), parse("1024Mi")}) == 1


@pytest.mark.parametrize("text", ["", "Gi", "-1Gi", "1 Gi", "1gi", "1.5.3", "1Mb", "$(id)", "1Gi; rm -rf /", True])
def test_what_is_not_a_quantity_is_refused(text: str) -> None:
    with pytest.raises(QuantityError):
        parse(text)  # type: ignore[arg-type]


def test_memory_must_be_whole_bytes_and_positive() -> None:
    assert parse_memory("1.5Gi").value == 1536 * 2**20
    with pytest.raises(QuantityError, match="not a whole number of bytes"):
        parse_memory("500m")
    with pytest.raises(QuantityError, match="must be more than zero"):
        parse_memory("0")


def test_cpu_takes_cores_or_millicores_only() -> None:
    assert parse_cpu("250m").value == Fraction(1, 4)
    assert parse_cpu("2").value == 2
    with pytest.raises(QuantityError, match="not a CPU amount"):
        parse_cpu("1Gi")
    with pytest.raises(QuantityError, match="finer than a millicore"):
        parse_cpu("0.0001")


@pytest.mark.parametrize(("current", "ceiling", "expected"), [
    ("1Gi", "4Gi", "2Gi"),
    ("512Mi", "4Gi", "1Gi"),
    ("3Gi", "4Gi", "4Gi"),  # capped at the ceiling
    ("4Gi", "6Gi", "6Gi"),
    ("768Mi", "8Gi", "1536Mi"),
    ("1G", "8Gi", "2G"),
    ("100M", "1Gi", "200M"),
])
def test_the_oom_remedy_doubles_memory_within_the_ceiling(current: str, ceiling: str, expected: str) -> None:
    doubled = doubled_within(parse_memory(current), parse_memory(ceiling))
    assert doubled.text == expected
    assert doubled <= parse_memory(ceiling)


def test_memory_is_formatted_with_the_largest_whole_binary_suffix() -> None:
    assert format_memory(2 * 2**30) == "2Gi"
    assert format_memory(1536 * 2**20) == "1536Mi"
    assert format_memory(1000) == "1000"
    assert format_memory(2 * 10**9, binary=False) == "2G"
