"""Does a free text hold what looks like a PIN or PUK? Pure: no Django, no database.

A PIN has 6 digits and a PUK 8 (SITHS-family cards). Such a number typed into a reason,
a rejection or advice to the holder must never be stored, so the forms refuse it. Other
numbers people write there are let through: an order number (PUK-000003, a letter's
PUK-000003-1), a phone number (046-17 10 00, 0776-73 00 00, +46 46 17 10 00), a date
(2026-12-02, 20261202), an HSA-id (SE2321000016-ABCD) and a personnummer with its
separator (19811228-9874).

A code is 6, 7 or 8 digits in one run, or 6 or 8 digits written in groups separated by
single spaces, as codes are read out: "1234 5678", "123 456", "12 34 56 78",
"1 2 3 4 5 6". The recognised numbers are taken out first, each as a whole, and what is
left is searched for codes: "PUK-000003 123456" still holds one.
"""

import re
from collections.abc import Callable
from datetime import date

# Digits are any Unicode decimal digits (\d): a code typed in full-width digits is a code.
_SPACE = "[ \u00a0\u202f]"  # space, no-break space, narrow no-break space
_SEPARATOR = f"(?:{_SPACE}|-)"

# The order's reference (orders.models.order_reference: PUK- and 6 digits, 7 from order
# 1,000,000 on), maybe with a letter's generation (PUK-000003-1). Eight digits after
# "PUK-" are no reference but a PUK.
_ORDER_REFERENCE = re.compile(r"\bPUK-\d{6,7}(?:-\d{1,3})?(?!\d)", re.IGNORECASE)

# SE, the organisation number (10 digits, or 12 with 16 in front), a hyphen, a suffix.
_HSA_ID = re.compile(r"\bSE(?:16)?\d{10}-[A-Z0-9]+\b", re.IGNORECASE)

# A Swedish phone number, national: the area code with its 0 (08, or three or four
# digits) then a hyphen or a space, or in parentheses; the subscriber's 5 to 8 digits,
# maybe grouped by single spaces or hyphens; 8 to 10 digits in all. International: +46
# or 0046, maybe "(0)", then 7 to 9 digits. A run with no separator needs no pattern:
# 9 or more digits are no code.
_NATIONAL_PHONE = re.compile(
    rf"(?<!\d)(?:\((?:08|0[1-79]\d{{1,2}})\){_SPACE}?|(?:08|0[1-79]\d{{1,2}})(?:-|{_SPACE}-?{_SPACE}?))"
    rf"(?P<subscriber>(?:\d{_SEPARATOR}?){{4,7}}\d)(?!\d)"
)
_INTERNATIONAL_PHONE = re.compile(
    rf"(?:\+|(?<!\d)00)46{_SEPARATOR}?(?:\(0\){_SEPARATOR}?)?(?:\d{_SEPARATOR}?){{6,8}}\d(?!\d)"
)
NATIONAL_PHONE_DIGITS = range(8, 11)

# A personnummer or samordningsnummer with its separator (- or +), and its check digit right.
_PERSONNUMMER = re.compile(r"(?<!\d)(?:\d{2})?(?P<ten>\d{6}[-+]\d{4})(?!\d)")

# A date written without separators, YYYYMMDD in 1900-2099. (With hyphens, 2026-12-02,
# no run is long enough to be a code.)
_COMPACT_DATE = re.compile(r"(?<!\d)(?P<year>(?:19|20)\d\d)(?P<month>\d\d)(?P<day>\d\d)(?!\d)")

# Runs of digits joined by single spaces: "1234 5678", or one run alone.
_DIGIT_GROUPS = re.compile(rf"\d+(?:{_SPACE}\d+)*")

CODE_RUN_LENGTHS = range(6, 9)  # one run: a PIN (6), a PUK (8), or either mistyped (7)
CODE_LENGTHS = (6, 8)  # digits in groups: a PIN or a PUK read out
_MASK = "#"  # stands in for a recognised number: neither a digit nor a space


def looks_like_code(text: str) -> bool:
    """True when `text` holds what may be a PIN or PUK (see the module's doc)."""
    for groups in _digit_groups(_without_known_numbers(text)):
        if any(len(group) in CODE_RUN_LENGTHS for group in groups) or _groups_spell_a_code(groups):
            return True
    return False


def _without_known_numbers(text: str) -> str:
    """`text` with each recognised number (order reference, HSA-id, phone number,
    personnummer, compact date) replaced by _MASK."""
    text = _ORDER_REFERENCE.sub(_MASK, text)
    text = _HSA_ID.sub(_MASK, text)
    text = _INTERNATIONAL_PHONE.sub(_MASK, text)
    text = _NATIONAL_PHONE.sub(_mask_if(_is_national_phone), text)
    text = _PERSONNUMMER.sub(_mask_if(_is_personnummer), text)
    return _COMPACT_DATE.sub(_mask_if(_is_date), text)


def _mask_if(recognised: Callable[[re.Match[str]], bool]) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        return _MASK if recognised(match) else match.group(0)

    return replace


def _is_national_phone(match: re.Match[str]) -> bool:
    return sum(char.isdigit() for char in match.group(0)) in NATIONAL_PHONE_DIGITS


def _is_personnummer(match: re.Match[str]) -> bool:
    return luhn_valid("".join(char for char in match["ten"] if char.isdigit()))


def _is_date(match: re.Match[str]) -> bool:
    try:
        date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        return False
    return True


def luhn_valid(digits: str) -> bool:
    """The Luhn check, as the last ten digits of a personnummer pass it."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _digit_groups(text: str) -> list[list[str]]:
    """Each stretch of digits joined by single spaces, as its groups."""
    return [re.split(_SPACE, match.group(0)) for match in _DIGIT_GROUPS.finditer(text)]


def _groups_spell_a_code(groups: list[str]) -> bool:
    """True when some consecutive groups (two or more) together have 6 or 8 digits, and
    are either all single digits ("1 2 3 4 5 6") or all of 2 to 4 ("1234 5678",
    "12 34 56"). A lone digit before grouped ones is not part of a code: in
    "Stortorget 7 211 34" the 7 is a house number and 211 34 a postal code."""
    for start in range(len(groups)):
        singles = len(groups[start]) == 1
        digits = 0
        for end in range(start, len(groups)):
            size = len(groups[end])
            if (size == 1) != singles or size > 4:
                break
            digits += size
            if end > start and digits in CODE_LENGTHS:
                return True
    return False
