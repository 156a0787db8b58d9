"""The built-in names every template sees: ``now``, ``today`` and, inside GitHub Actions, ``github``.

Templates never see the process environment. ``github`` is built here from a fixed list of
non-secret ``GITHUB_*`` variables; outside Actions it is an error to use it, except in lint and
preview, which fill it with sample values.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any

from msgspec_dd.config import CONFIG_NAME, Config
from msgspec_dd.errors import ConfigError
from msgspec_dd.message_files.template import TemplateFailure

BUILTIN_NAMES = frozenset({"now", "today", "github"})

SAMPLE_GITHUB = {
    "repository": "octo-org/announcements",
    "sha": "0123456789abcdef0123456789abcdef01234567",
    "ref_name": "main",
    "actor": "octocat",
    "event_name": "push",
    "run_url": "https://github.com/octo-org/announcements/actions/runs/1",
}


class _NoGitHub:
    """Stands for ``github`` outside Actions: any use is an error that says why."""

    _MESSAGE = "'github' is only available inside GitHub Actions (lint and preview use samples)"

    def __getattr__(self, name: str) -> Any:
        raise TemplateFailure(self._MESSAGE)

    def __getitem__(self, name: str) -> Any:
        raise TemplateFailure(self._MESSAGE)

    def __str__(self) -> str:
        raise TemplateFailure(self._MESSAGE)

    def __bool__(self) -> bool:  # {% if github %} must not silently take the Actions branch
        raise TemplateFailure(self._MESSAGE)

    def __len__(self) -> int:
        raise TemplateFailure(self._MESSAGE)

    def __iter__(self) -> Any:
        raise TemplateFailure(self._MESSAGE)


def timezone(name: str | None, *, source: str = "msgspec-dd.yaml") -> tzinfo:
    """The configured zone, or the machine's local zone. ``source`` names where it was set."""
    if not name:
        local = datetime.now().astimezone().tzinfo
        assert local is not None
        return local
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise ConfigError(f"{source}: unknown timezone {name!r}; use an IANA name such as "
                          "Asia/Shanghai") from err


def github_context(environ: Mapping[str, str]) -> dict[str, str] | None:
    """The non-secret facts of the current Actions run, or None outside Actions."""
    if environ.get("GITHUB_ACTIONS") != "true":
        return None
    server = environ.get("GITHUB_SERVER_URL", "https://github.com")
    repository = environ.get("GITHUB_REPOSITORY", "")
    run_id = environ.get("GITHUB_RUN_ID", "")
    return {
        "repository": repository,
        "sha": environ.get("GITHUB_SHA", ""),
        "ref_name": environ.get("GITHUB_REF_NAME", ""),
        "actor": environ.get("GITHUB_ACTOR", ""),
        "event_name": environ.get("GITHUB_EVENT_NAME", ""),
        # Only a real link: an empty repository or run id would make a broken one.
        "run_url": f"{server}/{repository}/actions/runs/{run_id}" if repository and run_id else "",
    }


def builtins(
    *,
    tz: tzinfo,
    samples: bool = False,
    now: datetime | None = None,
    environ: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The built-in template names for one run."""
    moment = (now or datetime.now(tz)).astimezone(tz)
    github: Any = github_context(os.environ if environ is None else environ)
    if github is None:
        github = dict(SAMPLE_GITHUB) if samples else _NoGitHub()
    return {"now": moment, "today": moment.date(), "github": github}


def configured_timezone(config: Config) -> tzinfo:
    """The zone of ``msgspec-dd.yaml`` (the machine's when it sets none): ``now``, ``today`` and
    schedules are read in it."""
    return timezone(config.timezone, source=str(config.path or CONFIG_NAME))
