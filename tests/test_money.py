"""The one money formatter: pence never hidden, negatives signed, floats read exactly."""

from decimal import Decimal

from pipelines.base.money import pounds


def test_pounds_are_written_one_way():
    assert pounds(Decimal("1234.5")) == "£1,234.50"
    assert pounds(Decimal("-1234.5")) == "-£1,234.50"
    assert pounds(Decimal("500000"), pence=False) == "£500,000"
    assert pounds(Decimal("500000.01"), pence=False) == "£500,000.01"  # pence are never hidden
    assert pounds(0.1 + 0.2) == "£0.30" and pounds(2.675) == "£2.68"  # 2.675 read as written, not as 2.67499...
    assert pounds(None) == "" and pounds(None, blank="—") == "—"
    assert pounds("45000") == "£45,000.00"
