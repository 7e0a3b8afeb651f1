"""The register's own flows of mutations (CONTRACT.md section 5): every tenant may subscribe to them."""

from __future__ import annotations

SSIN_REPLACED = "SSIN_REPLACED"
IDENTITY_CHANGED = "IDENTITY_CHANGED"
REGISTER_FLOWS = (SSIN_REPLACED, IDENTITY_CHANGED)
