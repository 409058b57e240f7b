import copy
import pickle

import pytest

from cards.reader.codes import Code


def test_repr_and_str_hide_the_digits():
    code = Code("918273")
    assert "918273" not in repr(code) and "918273" not in str(code) and "918273" not in f"{code}"


def test_a_code_is_not_pickled():
    with pytest.raises(TypeError):
        pickle.dumps(Code("918273"))
    with pytest.raises(TypeError):
        copy.copy(Code("918273"))


def test_is_digits_checks_length_and_digits():
    assert Code("123456").is_digits(6)
    assert not Code("12345").is_digits(6)
    assert not Code("12345a").is_digits(6)
    assert not Code("１２３４５６").is_digits(6)  # full-width digits are not ASCII


def test_block_pads_to_the_card_length():
    assert Code("1234").block(6, 0xFF) == b"1234\xff\xff"
    assert Code("1234").block(None, 0xFF) == b"1234"
    with pytest.raises(ValueError):
        Code("123456789").block(8, 0xFF)


def test_same_as_compares_values():
    assert Code("123456").same_as(Code("123456"))
    assert not Code("123456").same_as(Code("123457"))
