"""SSINs never reach a log: any run of exactly 11 digits (or a formatted 85.07.30-001.23) is masked.

The services avoid logging SSINs in the first place; this is the second wall,
applied to every finished log line (message, arguments, tracebacks alike).
"""

from __future__ import annotations

import re

# 11 digits not part of a longer run (a 10-digit BCE number or a longer id stays as it is)
_SSIN = re.compile(r"(?<![0-9])(?:[0-9]{11}|[0-9]{2}\.[0-9]{2}\.[0-9]{2}-[0-9]{3}\.[0-9]{2})(?![0-9])")
# nor a stretch of a hex digest (a file's SHA-256 in the batch's log lines)
_DIGEST = re.compile(r"[0-9a-fA-F]{32,}")
MASK = "<ssin>"


def mask_ssins(text: str) -> str:
    """
    >>> mask_ssins("ssin 85073003328 refused; bce 0123456749 kept; 85.07.30-033.28 too")
    'ssin <ssin> refused; bce 0123456749 kept; <ssin> too'
    >>> mask_ssins("a 12-digit run 123456789012 is not an ssin")
    'a 12-digit run 123456789012 is not an ssin'
    >>> mask_ssins("sha256 9f86d081884c7d659a2feaa0c55ad01514820825062b0b5edd3f4a1e2b2c3d4e, file RAAS_85073003328.xml")
    'sha256 9f86d081884c7d659a2feaa0c55ad01514820825062b0b5edd3f4a1e2b2c3d4e, file RAAS_<ssin>.xml'
    """
    if not _SSIN.search(text):
        return text
    digests = [m.span() for m in _DIGEST.finditer(text)]

    def mask(match: re.Match) -> str:
        start, end = match.span()
        return match.group() if any(a <= start and end <= b for a, b in digests) else MASK

    return _SSIN.sub(mask, text)
