"""SSINs never reach a log: any run of exactly 11 digits (or a formatted 85.07.30-001.23) is masked.

The services avoid logging SSINs in the first place; this is the second wall,
applied to every finished log line (message, arguments, tracebacks alike).
"""

from __future__ import annotations

import re

# 11 digits not part of a longer run (a 10-digit BCE number or a longer id stays as it is)
_SSIN = re.compile(r"(?<![0-9])(?:[0-9]{11}|[0-9]{2}\.[0-9]{2}\.[0-9]{2}-[0-9]{3}\.[0-9]{2})(?![0-9])")
MASK = "<ssin>"


def mask_ssins(text: str) -> str:
    """
    >>> mask_ssins("ssin 85073003328 refused; bce 0123456749 kept; 85.07.30-033.28 too")
    'ssin <ssin> refused; bce 0123456749 kept; <ssin> too'
    >>> mask_ssins("a 12-digit run 123456789012 is not an ssin")
    'a 12-digit run 123456789012 is not an ssin'
    """
    return _SSIN.sub(MASK, text)
