"""Strict validation of what a central system sends, against the official OCPP 1.6 schemas.

The `ocpp` library validates with its copy of the OCPP 1.6 JSON schemas (the files the
Open Charge Alliance publishes with OCPP-J 1.6), but its validator checks no `format`: a
`currentTime` of "yesterday" would pass. Strict mode adds the `date-time` format (RFC 3339,
as OCPP-J 1.6 asks for every dateTime), refuses a CALLRESULT to a CALL that was never sent,
and checks that a CALLERROR names one of the OCPP-J 1.6 error codes. Every frame the
central system sends goes through `StrictValidator.check`; what fails is kept in
`violations` and the client's `connect()` raises at exit if there is any.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from importlib import resources
from typing import Any

from jsonschema import Draft4Validator, FormatChecker

# RFC 3339 section 5.6 date-time (the time zone is mandatory).
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
# The CALLERROR codes of OCPP-J 1.6 (in its CallError table), the only ones a 1.6 peer knows.
ERROR_CODES = frozenset(
    {
        "NotImplemented",
        "NotSupported",
        "InternalError",
        "ProtocolError",
        "SecurityError",
        "FormationViolation",
        "PropertyConstraintViolation",
        "OccurenceConstraintViolation",
        "TypeConstraintViolation",
        "GenericError",
    }
)
_CALL, _CALLRESULT, _CALLERROR = 2, 3, 4

_FORMATS = FormatChecker(formats=())


@_FORMATS.checks("date-time")
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str) or _RFC3339.match(value) is None:
        return False
    try:
        datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))
    except ValueError:
        return False
    return True


def _schema(name: str) -> Draft4Validator:
    text = resources.files("ocpp").joinpath(f"v16/schemas/{name}.json").read_text("utf-8-sig")
    return Draft4Validator(json.loads(text), format_checker=_FORMATS)


class StrictValidator:
    """Checks every frame a central system sends to one charge point."""

    def __init__(self) -> None:
        """Start with no calls outstanding."""
        self.violations: list[str] = []
        self._outstanding: dict[str, str] = {}
        self._validators: dict[str, Draft4Validator] = {}

    def _validate(self, schema_name: str, payload: Any) -> None:
        validator = self._validators.get(schema_name)
        if validator is None:
            validator = self._validators[schema_name] = _schema(schema_name)
        for error in validator.iter_errors(payload):
            self.violations.append(f"{schema_name}: {error.message}")

    def sent(self, frame: str) -> None:
        """Note a CALL the charge point sends, to know what its answer must look like."""
        message = json.loads(frame)
        if message[0] == _CALL:
            self._outstanding[message[1]] = message[2]

    def check(self, frame: str) -> None:
        """Validate one frame from the central system."""
        try:
            message = json.loads(frame)
        except ValueError:
            self.violations.append(f"not JSON: {frame[:80]}")
            return
        if not isinstance(message, list) or not message or message[0] not in (2, 3, 4):
            self.violations.append(f"not an OCPP-J frame: {frame[:80]}")
            return
        kind = message[0]
        if kind == _CALL:
            if len(message) != 4:
                self.violations.append(f"a CALL has 4 elements: {frame[:80]}")
                return
            self._validate(str(message[2]), message[3])
            return
        action = self._outstanding.pop(str(message[1]), None) if len(message) > 1 else None
        if action is None:
            self.violations.append(f"an answer to no outstanding call: {frame[:80]}")
            return
        if kind == _CALLRESULT:
            if len(message) != 3:
                self.violations.append(f"a CALLRESULT has 3 elements: {frame[:80]}")
                return
            self._validate(f"{action}Response", message[2])
        elif len(message) != 5 or message[2] not in ERROR_CODES:
            self.violations.append(f"a CALLERROR with no OCPP-J 1.6 code: {frame[:80]}")
