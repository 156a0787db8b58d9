"""Talking to the GitHub Actions runner: masks, annotations, step outputs and the job summary.

The runner reads workflow commands (``::add-mask::``, ``::error::``) from the step's stdout and
file commands from the files named by ``GITHUB_OUTPUT`` and ``GITHUB_STEP_SUMMARY``. Outside
Actions (no such variables) outputs and summary are simply not written.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from msgspec_dd.action.limits import BUDGET, compact, fit_document, fit_text
from msgspec_dd.delivery.results import Status
from msgspec_dd.dingtalk.webhook_url import url_credentials, webhook_url
from msgspec_dd.errors import UsageError
from msgspec_dd.redaction import redact
from msgspec_dd.workflow_commands import command_data


def mask_commands(credentials: Iterable[str]) -> list[str]:
    """``::add-mask::`` lines for each credential and for the access token inside a webhook URL.

    The runner hides a masked value in every later log line; the token is masked on its own as
    well because an error may show it without the rest of the URL. A command masks one line, so
    a value with line breaks is masked line by line.
    """
    values: list[str] = []
    for credential in credentials:
        values.extend(line.strip() for line in credential.splitlines())
        values.extend(_tokens(credential.strip()))
    unique = dict.fromkeys(value for value in values if value)
    return [f"::add-mask::{value}" for value in unique]


def _tokens(webhook: str) -> tuple[str, ...]:
    try:
        return url_credentials(webhook_url(webhook))
    except UsageError:  # not a webhook (the secret): nothing more to mask
        return ()


@dataclass(frozen=True)
class Runner:
    """Where this step's outputs, summary and scratch files go, and what hides credentials."""

    output_file: Path | None
    summary_file: Path | None
    temp_dir: Path
    credentials: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, environ: Mapping[str, str], credentials: Iterable[str] = ()) -> Runner:
        """This step's runner: ``GITHUB_OUTPUT``, ``GITHUB_STEP_SUMMARY``, ``RUNNER_TEMP``."""
        return cls(
            output_file=_path(environ.get("GITHUB_OUTPUT")),
            summary_file=_path(environ.get("GITHUB_STEP_SUMMARY")),
            temp_dir=_path(environ.get("RUNNER_TEMP")) or Path(tempfile.gettempdir()),
            credentials=tuple(credentials),
        )

    def hide(self, text: str) -> str:
        """``text`` with every credential replaced by ``***`` (the rule of :mod:`msgspec_dd.redaction`)."""
        return redact(text, self.credentials)

    def set_outputs(self, outputs: Mapping[str, Any]) -> None:
        """Write step outputs, each under GitHub's 1 MiB limit (a note says what was cut).

        JSON values are written compact. Each value goes in a ``name<<DELIMITER`` block whose
        delimiter is random and not in the value, so no value can end its block early and set
        another output.
        """
        if self.output_file is None:
            return
        blocks = [_output_block(name, self._output_text(value)) for name, value in outputs.items()]
        with self.output_file.open("a", encoding="utf-8") as stream:
            stream.writelines(blocks)

    def _output_text(self, value: Any) -> str:
        if isinstance(value, str):
            return fit_text(self.hide(value))
        return self.hide(compact(fit_document(value)))

    def add_summary(self, markdown: str) -> None:
        """Append ``markdown`` to the job summary, which stays under GitHub's 1 MiB limit."""
        if self.summary_file is None:
            return
        written = self.summary_file.stat().st_size if self.summary_file.exists() else 0
        text = fit_text(self.hide(markdown), max(BUDGET - written, 0))
        with self.summary_file.open("a", encoding="utf-8") as stream:
            stream.write(text)

    def error(self, message: str, stream: TextIO) -> None:
        """An error annotation not tied to a line (bad input, missing commit)."""
        stream.write(f"::error title=msgspec-dd::{command_data(self.hide(message))}\n")


def _output_block(name: str, text: str) -> str:
    delimiter = f"ghadelimiter_{uuid.uuid4()}"
    while delimiter in text:  # practically never: a fresh uuid4
        delimiter = f"ghadelimiter_{uuid.uuid4()}"
    return f"{name}<<{delimiter}\n{text}\n{delimiter}\n"


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


def environ_without(environ: Mapping[str, str], names: Iterable[str]) -> dict[str, str]:
    """A copy of ``environ`` without ``names`` (the credential inputs, once moved to where a robot
    reads them), so no extra copy of a credential is passed on."""
    dropped = set(names)
    return {key: value for key, value in environ.items() if key not in dropped}


def zero_counts() -> dict[str, int]:
    """How many messages were sent, skipped and failed, before any was."""
    return {status.value: 0 for status in Status}


def count_outputs(counts: Mapping[str, int] | None = None) -> dict[str, str]:
    """The Action's ``sent``, ``skipped`` and ``failed`` outputs: each count, 0 unless given."""
    return {name: str((counts or {}).get(name, zero)) for name, zero in zero_counts().items()}
