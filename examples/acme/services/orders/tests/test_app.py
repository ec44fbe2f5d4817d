import pytest

from app import Orders


def test_create_is_idempotent():
    o = Orders()
    first = o.create("o-1", 1200)
    assert o.create("o-1", 999) == first


def test_rejects_non_positive_amounts():
    with pytest.raises(ValueError):
        Orders().create("o-2", 0)
