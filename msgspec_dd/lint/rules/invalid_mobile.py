"""An ``atMobiles`` entry is not a mobile number DingTalk can mention.

DingTalk matches ``atMobiles`` entries against the 11-digit mainland mobile number a member
registered (``13800138000``): a country code or dashes (``+86-13800138000``), spaces, or a
placeholder left from an example (``150XXXXXXXX``) match nobody, and the message goes out with no
one mentioned and no error. Checked on the rendered body, so numbers filled in by templates and
``$for`` are checked too; a number YAML read as an integer is ``yaml-trap``'s.

Passing::

    at: {atMobiles: ["13800138000"]}

Failing::

    at: {atMobiles: ["+86-13800138000", "150XXXXXXXX"]}
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from msgspec_dd.lint.rule import Finding, LintContext, Stage
from msgspec_dd.problems import Level

ID = "invalid-mobile"
LEVEL = Level.WARNING
STAGE: Stage = "rendered"
#: DingTalk accepts the body; only the mention is lost.
BLOCKING = False
GENERIC = False

_MOBILE = re.compile(r"1[0-9]{10}")
_DIGITS = re.compile(r"[0-9]")


def check(context: LintContext) -> Iterator[Finding]:
    payload = context.payload
    at = payload.get("at") if isinstance(payload, Mapping) else None
    mobiles = at.get("atMobiles") if isinstance(at, Mapping) else None
    if not isinstance(mobiles, list):
        return
    for index, entry in enumerate(mobiles):
        if isinstance(entry, str) and not _MOBILE.fullmatch(entry):
            yield Finding(_message(entry), rendered=("at", "atMobiles", index))


def _message(entry: str) -> str:
    digits = "".join(_DIGITS.findall(entry))
    if len(digits) == 13 and digits.startswith("86") and _MOBILE.fullmatch(digits[2:]):
        return (f"atMobiles entry {entry!r} is not how DingTalk matches a member: write the 11 digits "
                f"without country code, dashes or spaces: \"{digits[2:]}\"")
    if _MOBILE.fullmatch(digits):
        return f"atMobiles entry {entry!r} holds more than digits: write \"{digits}\""
    return (f"atMobiles entry {entry!r} is not an 11-digit mobile number (a placeholder?): nobody will "
            "be mentioned; write the member's number, such as \"13800138000\"")
