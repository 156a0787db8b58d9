"""What ``msgspec-dd robots`` shows: each configured robot and which of its variables are set.

Only the *names* of environment variables and whether each is set ever leave this module, never
a value: the listing is meant to be pasted into chats and bug reports.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from msgspec_dd.config import DEFAULT_ROBOT, Config, RobotConfig, read_env


@dataclass(frozen=True)
class Variable:
    """One environment variable a robot reads: its name and role, never its value."""

    name: str
    role: str  # webhook, secret, app key, app secret
    required: bool
    set: bool

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "role": self.role, "required": self.required, "set": self.set}


@dataclass(frozen=True)
class RobotEntry:
    """One robot as listed: its configuration and the state of its variables."""

    robot: RobotConfig
    variables: tuple[Variable, ...]
    is_default: bool

    @property
    def ready(self) -> bool:
        """True when every required variable is set (``send`` would not refuse it)."""
        return all(variable.set for variable in self.variables if variable.required)

    def to_json(self) -> dict[str, Any]:
        robot = self.robot
        app = ({"robot_code": robot.app.robot_code, "conversation": robot.app.conversation}
               if robot.app else None)
        return {"name": robot.name, "kind": robot.kind.value, "default": self.is_default,
                "ready": self.ready, "variables": [v.to_json() for v in self.variables],
                "keywords": list(robot.keywords),
                "rate": {"count": robot.rate.count, "per_seconds": robot.rate.per_seconds},
                "display_name": robot.display_name, "app": app}


@dataclass(frozen=True)
class RobotListing:
    """Every robot of a configuration, and the config file it came from (None: built-in)."""

    config_path: Path | None
    robots: tuple[RobotEntry, ...]

    @property
    def default_robot(self) -> str | None:
        """The robot files without ``robot:`` go to, when the configuration has it."""
        return next((entry.robot.name for entry in self.robots if entry.is_default), None)

    def to_json(self) -> dict[str, Any]:
        return {"config": str(self.config_path) if self.config_path else None,
                "default_robot": self.default_robot,
                "robots": [entry.to_json() for entry in self.robots]}


def list_robots(config: Config, environ: Mapping[str, str] | None = None) -> RobotListing:
    """The listing of ``config``'s robots, reading ``environ`` (default: the process's)."""
    env = os.environ if environ is None else environ
    entries = tuple(
        RobotEntry(robot, _variables(robot, env), is_default=name == DEFAULT_ROBOT)
        for name, robot in config.robots.items()
    )
    return RobotListing(config.path, entries)


def _variables(robot: RobotConfig, env: Mapping[str, str]) -> tuple[Variable, ...]:
    if robot.app is not None:
        wanted = [(robot.app.app_key_env, "app key", True), (robot.app.app_secret_env, "app secret", True)]
    else:
        wanted = [(robot.webhook_env, "webhook", True)]
        if robot.secret_env:
            # A secret_env written in msgspec-dd.yaml must be set; the implicit default robot's
            # DINGTALK_SECRET is optional (unset: unsigned).
            wanted.append((robot.secret_env, "secret", robot.secret_required))
    return tuple(Variable(name, role, required, read_env(name, env) is not None)
                 for name, role, required in wanted)


def format_text(listing: RobotListing) -> str:
    """The listing for people: a block per robot, then which robot files use by default."""
    source = str(listing.config_path) if listing.config_path else "no msgspec-dd.yaml found (built-in default)"
    lines = [f"config: {source}", ""]
    for entry in listing.robots:
        lines.extend(_robot_lines(entry))
        lines.append("")
    lines.append(_default_line(listing))
    return "\n".join(lines) + "\n"


def _robot_lines(entry: RobotEntry) -> list[str]:
    robot = entry.robot
    missing = [variable.name for variable in entry.variables if variable.required and not variable.set]
    status = f"not ready: {', '.join(missing)} not set" if missing else "ready"
    lines = [f"{robot.name}: {robot.kind.value} robot{' (the default)' * entry.is_default}",
             f"  {'status:':<12}{status}"]
    for variable in entry.variables:
        state = "set" if variable.set else "not set"
        need = "" if variable.required else ", optional"
        lines.append(f"  {variable.role + ':':<12}{variable.name} ({state}{need})")
    if robot.app is not None:
        lines.append(f"  {'robot code:':<12}{robot.app.robot_code}")
        lines.append(f"  {'group:':<12}{robot.app.conversation}")
    lines.append(f"  {'keywords:':<12}{', '.join(robot.keywords) or '-'}")
    lines.append(f"  {'rate:':<12}{robot.rate.count} per {robot.rate.per_seconds:g} s")
    lines.append(f"  {'display:':<12}{robot.display_name or '-'}")
    return lines


def _default_line(listing: RobotListing) -> str:
    if listing.default_robot:
        return (f"lint and send use '{listing.default_robot}' for files without robot: "
                "(--robot NAME chooses another).")
    return (f"No robot is called '{DEFAULT_ROBOT}': every message file must name its robot: "
            "(lint reports the ones that do not).")
