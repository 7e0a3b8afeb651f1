"""BCE/KBO: the Belgian enterprise number (also the BE VAT number).

Ten digits, the first 0 or 1; the last two are ``97 - (first eight mod 97)``.
python-stdnum's ``be.vat`` checks ``(first eight + last two) mod 97 == 0``, which
also lets ``00`` pass where the KBO issues ``97``; that stricter check is added here.
Its compact form also takes the old nine-digit numbers (a leading 0 is added).

>>> validate('0123.456.749')
'0123456749'
>>> validate('BE 0403.019.261')
'0403019261'
>>> validate('0123456748')
Traceback (most recent call last):
    ...
register.domain.errors.InvalidBce: The BCE/KBO number is not valid.
"""

from __future__ import annotations

from stdnum.be import vat
from stdnum.exceptions import ValidationError

from register.domain.errors import InvalidBce


def compact(value: str) -> str:
    """Strip separators and a ``BE`` prefix.

    >>> compact('BE0123456749'), compact('0123.456.749')
    ('0123456749', '0123456749')
    """
    return vat.compact(value)


def validate(value: str) -> str:
    """Return the compact number or raise :class:`InvalidBce` naming ``value`` as sent."""
    try:
        number = vat.validate(value)
    except ValidationError:
        raise InvalidBce(bce=value) from None
    if number[8:] != f"{97 - int(number[:8]) % 97:02d}":
        raise InvalidBce(bce=value)
    return number


def is_valid(value: str) -> bool:
    """Whether ``value`` is a valid BCE/KBO number.

    >>> is_valid('0123456749'), is_valid('2123456749')
    (True, False)
    """
    try:
        validate(value)
    except InvalidBce:
        return False
    return True
