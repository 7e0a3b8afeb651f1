"""Logs as one JSON object per line on standard error, SSINs masked, level from RAAS_LOG_LEVEL.

Containers hand stderr to the platform's log collector, which parses JSON
lines; a multi-line traceback stays one line (an escaped string field).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys

from gunicorn.glogging import Logger as _GunicornLogger

from register.observability.masking import mask_ssins

LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")
# the attributes every LogRecord has; anything else was given with extra= and is written as a field
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        # masked after serialisation: whatever field (or escaped traceback) the digits are in
        return mask_ssins(json.dumps(line, default=str, ensure_ascii=False))


def check_level(level: str) -> str:
    level = level.upper()
    if level not in LEVELS:
        raise SystemExit(f"RAAS_LOG_LEVEL must be one of {', '.join(LEVELS)}, not {level!r}")
    return level


def configure(level: str, stream=None) -> None:
    """The root logger writes JSON lines to ``stream`` (stderr) from ``level`` up; idempotent."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(check_level(level))


class GunicornLogger(_GunicornLogger):
    """gunicorn's own error and access logs as JSON lines too (its settings otherwise apply unchanged)."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(JsonFormatter())
