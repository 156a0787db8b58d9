"""The file names a robot that ``msgspec-dd.yaml`` does not define.

``robot:`` takes a robot name or a list of names from the ``robots:`` of ``msgspec-dd.yaml``
(with no config file there is one robot, ``default``). A file without ``robot:`` goes to
``default``, which must then be configured. ``send`` refuses an unknown robot as a
configuration error (exit 2) before posting anything.

Failing (no robot ``ops`` configured)::

    robot: ops
"""

from __future__ import annotations

from collections.abc import Iterator

from msgspec_dd.config import DEFAULT_ROBOT
from msgspec_dd.lint.rule import Finding, LintContext, Stage
from msgspec_dd.message_files.targets import robot_names, robot_path
from msgspec_dd.problems import Level

ID = "unknown-robot"
LEVEL = Level.ERROR
STAGE: Stage = "source"
BLOCKING = False
GENERIC = False


def check(context: LintContext) -> Iterator[Finding]:
    known = context.config.robots
    named = robot_names(context.data)
    if not named and DEFAULT_ROBOT not in known:
        listed = ", ".join(sorted(known)) or "none"
        yield Finding(f"the file names no robot, so it goes to {DEFAULT_ROBOT!r}, which msgspec-dd.yaml "
                      f"does not define (configured: {listed}); add 'robot:' to the file")
    for _, name in named:
        if name not in known:
            path = robot_path(context.data, name)
            listed = ", ".join(sorted(known)) or "none"
            yield Finding(f"unknown robot {name!r} (configured: {listed}); add it to msgspec-dd.yaml "
                          "or fix the name", path=path)
