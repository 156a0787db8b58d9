"""``msgspec-dd.yaml``: the timezone, the robots (names, env variables, keywords, rate) and the
levels of lint rules (``lint.rules``).

Webhooks, secrets, app keys and app secrets are never in this file, only the *names* of
environment variables holding them. A robot is a webhook robot or, with ``app:``, an enterprise
app robot (:class:`AppRobot`); :attr:`RobotConfig.kind` says which.
With no config file there is one robot, ``default``, reading ``DINGTALK_WEBHOOK`` and
``DINGTALK_SECRET``.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from msgspec_dd.errors import ConfigError, UsageError
from msgspec_dd.problems import Level
from msgspec_dd.redaction import redact

CONFIG_NAME = "msgspec-dd.yaml"
DEFAULT_ROBOT = "default"


@dataclass(frozen=True)
class Rate:
    """At most ``count`` POSTs in any sliding window of ``per_seconds``."""

    count: int = 20
    per_seconds: float = 60.0


class RobotKind(str, enum.Enum):
    """How a robot is reached: a custom robot's webhook, or an enterprise app robot's API."""

    WEBHOOK = "webhook"
    APP = "app"


@dataclass(frozen=True)
class AppRobot:
    """An enterprise app robot: the app's credentials by variable name, and where it posts.

    ``robot_code`` and ``conversation`` (the group's ``openConversationId``) are not secret; the
    app key and secret are read from the environment variables named here, never from the file.
    """

    app_key_env: str
    app_secret_env: str
    robot_code: str
    conversation: str


@dataclass(frozen=True)
class RobotConfig:
    """How to reach one robot. Only environment-variable *names* live here.

    With ``app`` set the robot is an app robot and ``webhook_env``/``secret_env`` are unused
    (empty and None). ``secret_required`` says ``secret_env`` was written in the file: then an
    unset secret is a configuration error, not a silent unsigned send.
    """

    name: str
    webhook_env: str = "DINGTALK_WEBHOOK"
    secret_env: str | None = "DINGTALK_SECRET"
    keywords: tuple[str, ...] = ()
    rate: Rate = field(default_factory=Rate)
    display_name: str | None = None
    app: AppRobot | None = None
    secret_required: bool = False

    @property
    def kind(self) -> RobotKind:
        """:attr:`RobotKind.APP` when the robot has ``app:``, else :attr:`RobotKind.WEBHOOK`."""
        return RobotKind.WEBHOOK if self.app is None else RobotKind.APP


@dataclass(frozen=True)
class RuleSetting:
    """One entry of ``lint.rules``: a rule id as written, its level (None: off) and where it is.

    The id is not checked here: an unknown one is a lint warning, not a configuration error.
    """

    rule: str
    level: Level | None
    line: int = 1
    column: int = 1


@dataclass(frozen=True)
class Config:
    """The whole configuration. ``path`` is None when no file was found."""

    robots: Mapping[str, RobotConfig]
    timezone: str | None = None
    path: Path | None = None
    rule_settings: tuple[RuleSetting, ...] = ()

    def robot(self, name: str) -> RobotConfig:
        """The robot called ``name``; :class:`ConfigError` when there is none."""
        try:
            return self.robots[name]
        except KeyError:
            known = ", ".join(sorted(str(robot) for robot in self.robots)) or "none"
            where = str(self.path) if self.path else "no msgspec-dd.yaml found"
            raise config_error(
                f"unknown robot {name!r} ({where}; known robots: {known}). "
                f"Add it under 'robots:' in {CONFIG_NAME} or fix the name."
            ) from None


def config_error(text: str) -> ConfigError:
    """A :class:`ConfigError` whose text never repeats a credential (a webhook pasted where its
    variable's name belongs is quoted back by YAML and schema errors)."""
    return ConfigError(redact(text))


def default_config() -> Config:
    """The configuration used when there is no ``msgspec-dd.yaml``."""
    return Config(robots={DEFAULT_ROBOT: RobotConfig(name=DEFAULT_ROBOT)})


def find_config(start: Path) -> Path | None:
    """``msgspec-dd.yaml`` in ``start`` or its nearest parent, if any."""
    start = start.resolve()
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def find_config_for(paths: Iterable[Path], *, cwd: Path | None = None) -> Path | None:
    """The ``msgspec-dd.yaml`` of the message files ``paths``: looked up from each one's folder
    upwards, then from ``cwd``. :class:`UsageError` when they find different ones (which robots
    and timezone would apply is then a guess)."""
    here = cwd or Path.cwd()
    found: dict[Path | None, Path] = {}
    for path in paths:
        if str(path) == "-":
            continue
        start = here / path
        folder = start if start.is_dir() else start.parent
        found.setdefault(find_config(folder) or find_config(here), path)
    if len(found) > 1:
        raise UsageError("the files of one batch find different config files: " + "; ".join(
            f"{path} uses {config or 'none (the default robot)'}" for config, path in found.items())
            + ". Send them in separate runs, or give --config FILE.")
    return next(iter(found), None) if found else find_config(here)


def load_config(path: Path | None = None, *, cwd: Path | None = None,
                paths: Sequence[Path] = ()) -> Config:
    """Read ``path``, else the config the message files ``paths`` find (see
    :func:`find_config_for`; without paths, looked up from ``cwd`` upwards). :class:`ConfigError`
    on any problem."""
    if path is None:
        path = find_config_for(paths, cwd=cwd)
        if path is None:
            return default_config()
    elif not path.is_file():
        found = "is not a regular file" if path.exists() else "not found"
        raise config_error(f"{path}: config file {found}. Check the --config path.")
    from msgspec_dd.message_files.loader import LoadError, load_document

    try:
        document = load_document(path)
    except LoadError as err:
        raise config_error(f"{err.problem.format()}\nFix {path.name} and run again.") from err
    return parse_config(document.data, path=path, locate=document.positions.locate)


def parse_config(
    data: Any, *, path: Path | None = None, locate: Callable[..., tuple[int, int]] | None = None
) -> Config:
    """Validate ``data`` against ``config.schema.json`` and build a :class:`Config`.

    ``locate`` maps a path in ``data`` to its line and column, for errors that say where.
    """
    from msgspec_dd.schemas import catalog
    from msgspec_dd.schemas.issues import schema_issues

    where = str(path) if path else CONFIG_NAME
    if data is None:
        data = {}
    issues = schema_issues(catalog.config_validator(), data)
    if issues:
        issue = issues[0]
        line, column = locate(issue.path, key=issue.keyword == "additionalProperties") if locate else (1, 1)
        message = issue.message if issue.message.endswith((".", "?")) else issue.message + "."
        field = ".".join(str(part) for part in issue.path) or "the file"
        raise config_error(f"{where}:{line}:{column}: invalid configuration at {field}: {message} "
                           f"Fix {Path(where).name} and run again.")
    robots_data = data.get("robots") or {DEFAULT_ROBOT: {}}
    robots = {name: _robot(name, spec or {}) for name, spec in robots_data.items()}
    return Config(robots=robots, timezone=data.get("timezone"), path=path,
                  rule_settings=_rule_settings(data.get("lint") or {}, locate))


def _robot(name: str, spec: Mapping[str, Any]) -> RobotConfig:
    rate = spec.get("rate") or {}
    app = _app(spec["app"]) if "app" in spec else None
    return RobotConfig(
        name=name,
        webhook_env="" if app else spec.get("webhook_env", "DINGTALK_WEBHOOK"),
        secret_env=spec.get("secret_env"),
        keywords=tuple(spec.get("keywords") or ()),
        rate=Rate(count=int(rate.get("count", 20)), per_seconds=float(rate.get("per_seconds", 60))),
        display_name=spec.get("display_name"),
        app=app,
        secret_required="secret_env" in spec,
    )


def _rule_settings(lint: Mapping[str, Any], locate: Callable[..., tuple[int, int]] | None
                   ) -> tuple[RuleSetting, ...]:
    # The schema allowed "off", "warning", "error" and false: an unquoted off, as YAML reads it.
    settings = []
    for rule, level in (lint.get("rules") or {}).items():
        line, column = locate(("lint", "rules", rule), key=True) if locate else (1, 1)
        settings.append(RuleSetting(str(rule), None if level in ("off", False) else Level(level), line, column))
    return tuple(settings)


def _app(spec: Mapping[str, Any]) -> AppRobot:
    # The schema made every field a non-empty string already.
    return AppRobot(app_key_env=spec["app_key_env"], app_secret_env=spec["app_secret_env"],
                    robot_code=spec["robot_code"], conversation=spec["conversation"])


def read_env(name: str | None, environ: Mapping[str, str] | None = None) -> str | None:
    """The value of environment variable ``name`` (empty counts as unset)."""
    if not name:
        return None
    value = (os.environ if environ is None else environ).get(name, "").strip()
    return value or None


@dataclass(frozen=True)
class MissingVariable:
    """An environment variable a robot of the batch needs that is not set."""

    robot: str
    variable: str
    holds: str  # what to set it to, for the error message


def missing_variables(config: Config, names: Iterable[str],
                      environ: Mapping[str, str] | None = None) -> list[MissingVariable]:
    """Every unset variable the robots ``names`` need (:class:`ConfigError` for an unknown one)."""
    missing: list[MissingVariable] = []
    for name in names:
        missing.extend(item for item in _needed(config.robot(name))
                       if read_env(item.variable, environ) is None)
    return missing


def _needed(robot: RobotConfig) -> list[MissingVariable]:
    if robot.app is not None:
        console = "(from the DingTalk developer console)"
        return [MissingVariable(robot.name, robot.app.app_key_env, f"the app's AppKey {console}"),
                MissingVariable(robot.name, robot.app.app_secret_env, f"the app's AppSecret {console}")]
    needed = [MissingVariable(robot.name, robot.webhook_env,
                              "the robot's webhook URL (or its access token)")]
    if robot.secret_required and robot.secret_env:
        needed.append(MissingVariable(
            robot.name, robot.secret_env,
            f"the robot's signing secret (SEC..., 加签; secret_env is written in {CONFIG_NAME}, "
            "so its requests must be signed)"))
    return needed


def check_environment(config: Config, names: Iterable[str],
                      environ: Mapping[str, str] | None = None) -> None:
    """:class:`ConfigError` (exit 2) naming, at once, every unset variable the robots ``names``
    need: checked before any POST, so a batch never goes out half-configured or unsigned."""
    missing = missing_variables(config, names, environ)
    if len(missing) == 1:
        item = missing[0]
        raise config_error(f"robot {item.robot!r}: environment variable {item.variable} is not set. "
                           f"Set it to {item.holds}, e.g. from your CI's secrets.")
    if missing:
        listed = "; ".join(f"{item.variable} (robot {item.robot!r}: {item.holds})" for item in missing)
        raise config_error(f"{len(missing)} environment variables are not set: {listed}. "
                           "Set each, e.g. from your CI's secrets.")
