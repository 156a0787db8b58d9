"""The library behind ``init``: never overwriting, and every template shipped in the wheel."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

import pytest

from msgspec_dd.errors import UsageError
from msgspec_dd.starter import scaffold
from msgspec_dd.starter.scaffold import FileReport, Outcome, StarterFile, init_repository
from tests.clirun import ROOT

STARTER = ROOT / "msgspec_dd" / "starter"


def test_every_template_is_package_data_and_used() -> None:
    # pyproject.toml's line for this package (tomllib is not in Python 3.10).
    line = re.search(r'^"msgspec_dd\.starter" = \[(.*)\]', (ROOT / "pyproject.toml").read_text("utf-8"), re.M)
    assert line
    globs = re.findall(r'"([^"]+)"', line.group(1))
    templates = sorted(p.name for p in STARTER.iterdir() if p.is_file() and p.suffix != ".py")
    assert templates, "no templates found"
    for name in templates:
        assert any(fnmatch.fnmatch(name, glob) for glob in globs), f"{name} would not be in the wheel"
    used = {name for name in templates if name != "next-steps.txt"}
    # Each template is read by exactly one starter file; producing them all reads every one.
    assert len(scaffold.STARTER_FILES) == len(used) + 2  # + the two bundled schemas
    for starter in scaffold.STARTER_FILES:
        assert starter.content().strip()


def test_the_version_placeholder_is_filled_in(tmp_path: Path) -> None:
    init_repository(tmp_path)
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert "@VERSION@" not in path.read_text("utf-8"), path


def test_a_symlink_in_the_way_is_kept_and_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "config.yaml").write_text("theirs\n", "utf-8")
    repo = tmp_path / "repo"
    (repo / "messages").mkdir(parents=True)
    (repo / "msgspec-dd.yaml").symlink_to(outside / "config.yaml")
    # Leads nowhere yet: following it would create the file outside the repository.
    (repo / "messages" / "announcement.yaml").symlink_to(outside / "announcement.yaml")
    reports = init_repository(repo)
    assert reports[:2] == [FileReport("msgspec-dd.yaml", Outcome.KEPT),
                           FileReport("messages/announcement.yaml", Outcome.KEPT)]
    assert [path.name for path in outside.iterdir()] == ["config.yaml"]
    assert (outside / "config.yaml").read_text("utf-8") == "theirs\n"
    assert (repo / "messages" / "announcement.yaml").is_symlink()


def test_a_failing_template_leaves_no_empty_file(tmp_path: Path) -> None:
    def broken() -> str:
        raise RuntimeError("template bug")

    with pytest.raises(RuntimeError):
        init_repository(tmp_path, [StarterFile("a/b.yaml", broken)])
    assert not (tmp_path / "a" / "b.yaml").exists()


def test_a_file_that_cannot_be_written_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "messages").write_text("a file where a folder belongs", "utf-8")
    with pytest.raises(UsageError, match=r"messages/announcement\.yaml: cannot write it"):
        init_repository(tmp_path)


def test_kept_files_say_what_to_do_by_hand() -> None:
    report = FileReport(".pre-commit-config.yaml", Outcome.KEPT, "add the hook yourself")
    assert report.format() == "kept  .pre-commit-config.yaml (exists; add the hook yourself)"
    assert FileReport("x", Outcome.WROTE).format() == "wrote x"
