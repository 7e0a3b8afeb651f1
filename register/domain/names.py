"""The comparison key of a person's name.

The contract compares names ignoring case, accents, spaces, hyphens and
apostrophes (CONTRACT.md section 3), so ``Van den Broeck``, ``VANDENBROECK`` and
``van-den broeck`` are one name.

Choices beyond the contract's words:

* NFKD splits letters from their accents (dropped) and unfolds compatibility
  forms: ligatures (``ﬁ``), full-width letters, the non-breaking hyphen.
* casefold, not lower: ``ß`` becomes ``ss``, so ``Straße`` equals ``Strasse``.
* Letters with a stroke or ligatures NFKD leaves whole are spelled the way
  they are usually transliterated: ``ø`` o, ``æ`` ae, ``œ`` oe, ``ł`` l,
  ``đ``/``ð`` d, ``þ`` th, dotless ``ı`` i.
* Apostrophes include the typographic ones (``’``, ``‘``), the modifier letter
  ``ʼ`` and the backtick that keyboards produce in their place. Dots and other
  punctuation stay: the contract does not ignore them.

>>> normalise('Van den Broeck') == normalise('VANDENBROECK') == normalise('van-den broeck')
True
>>> normalise('D’Hondt'), normalise('Éloïse'), normalise('Müller'), normalise('Søren Kierkegaard')
('dhondt', 'eloise', 'muller', 'sorenkierkegaard')
"""

from __future__ import annotations

import unicodedata

_LETTERS = {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
# Hyphens (U+2010 is also what NFKD makes of the non-breaking one), apostrophes.
_IGNORED = "-\u2010'\u2019\u2018\u02bc`"
_TABLE = str.maketrans({**_LETTERS, **dict.fromkeys(_IGNORED, "")})


def normalise(name: str) -> str:
    """The key under which two names are equal for the contract."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(letters.translate(_TABLE).split())
