"""RaaS, the register (docs/ARCHITECTURE.md)."""

from register import compat

compat.install()
