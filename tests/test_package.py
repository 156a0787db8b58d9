"""The package's public surface: lazy top-level names, version, entry points."""

from __future__ import annotations

import subprocess
import sys

import pytest

import msgspec_dd


@pytest.mark.parametrize("name", msgspec_dd.__all__)
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(msgspec_dd, name) is not None


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError):
        msgspec_dd.nothing_here  # noqa: B018


def test_version_starts_without_importing_the_heavy_modules() -> None:
    code = ("import sys, msgspec_dd.cli as c\n"
            "try:\n    c.main(['--version'])\nexcept SystemExit:\n    pass\n"
            "heavy = {'jsonschema', 'jinja2', 'requests', 'yaml', 'markdown_it'} & set(sys.modules)\n"
            "print(sorted(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("[]")
