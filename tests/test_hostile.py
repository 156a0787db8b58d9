"""Hostile input from a pull request (issue 9): every command ends quickly, in bounded memory,
with a located error and never a traceback.

Each run is a real CLI process with a time limit and at most 1 GiB of address space, so a
regression fails here instead of hanging the suite or swapping the machine.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

from tests.action.test_sim import Repo, runner_environ
from tests.clirun import Run

#: Address space one CLI run may use; the allocations issue 9 reported were 1-24 GB.
MEMORY_LIMIT = 1 << 30
#: Seconds one CLI run may take; each of these inputs hung or took 25 s to minutes before.
TIME_LIMIT = 20

HEX = "0123456789abcdef" * 4


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_limited(args: list[str], cwd: Path) -> Run:
    """``python -m msgspec_dd ARGS`` in ``cwd`` under the time and memory limits."""
    proc = subprocess.run([sys.executable, "-m", "msgspec_dd", *args], cwd=cwd, capture_output=True,
                          text=True, encoding="utf-8", timeout=TIME_LIMIT, preexec_fn=_limit_memory)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def _text_message(content: str) -> str:
    return f"description: hostile\nmessage:\n  msgtype: text\n  text:\n    content: {content}\n"


def _markdown_message(text: str) -> str:
    return f"description: hostile\nmessage:\n  msgtype: markdown\n  markdown:\n    title: t\n    text: '{text}'\n"


_S = "{% set s = 'x' * 99999 %}"

#: Point 1: template work that allocated gigabytes or ran for ever.
TEMPLATES = {
    "namespace-compare": "{% set ns = namespace(a=[1], b=[1]) %}{% for i in range(60) %}"
                         "{% set ns.a = [ns.a, ns.a] %}{% set ns.b = [ns.b, ns.b] %}{% endfor %}"
                         "{{ ns.a == ns.b }}",
    "repeat-join": _S + "{{ ([s] * 30000)|join }}",
    "join-separator": "{{ range(30000)|join('y' * 99999) }}",
    "replace": "{{ ('a' * 99999)|replace('a', 'b' * 30000) }}",
    "indent": "{{ ('a\\n' * 49999)|indent('x' * 60000) }}",
    "repeat-list": _S + "{{ [s] * 30000 }}",
    "star-width": "{{ '%*d' % (999999999, 1) }}",
    "nested-width": "{{ '{0:{1}}'.format('x', '999999999') }}",
    "keyword-width": "{{ '{:>{w}}'.format('x', w='2000000000') }}",
}


def _merge_bomb() -> str:
    lines = ["l0: &l0 {a: 1, b: 2}"]
    for level in range(1, 11):
        lines.append(f"l{level}: &l{level} {{<<: [{', '.join([f'*l{level - 1}'] * 10)}]}}")
    return "\n".join(lines) + "\n"


def _hostile_folder(root: Path) -> dict[str, str]:
    """Every file-borne input of issue 9 points 1-3 in ``root``; name -> file."""
    files = {f"template-{name}.yaml": _text_message(f'"{source}"') for name, source in TEMPLATES.items()}
    files["merge-bomb.yaml"] = ("description: merge keys\n" + _merge_bomb()
                                + "message: {msgtype: text, text: {content: hi}}\n")
    objects = ", ".join(f"{{id: {i}, name: n{i}}}" for i in range(6000))
    files["unique-items.yaml"] = ("description: uniqueItems\nvars:\n  ids:\n    type: array\n    uniqueItems: true\n"
                                  f"    default: [{objects}]\n" + _text_message('"{{ ids|length }}"').split("\n", 1)[1])
    levels = ", ".join(f"&l{n} [{', '.join([f'*l{n - 1}'] * 10)}]" for n in range(1, 12))
    files["key-bomb.yaml"] = f"? [&l0 [x, x, x, x, x, x, x, x, x, x], {levels}]\n: v\n"
    files["unknown-bool.yaml"] = "description: !!bool maybe\n"
    # Each $for element used to copy every variable: 4,000 of them times 90,000 elements.
    many = "".join(f"  v{i}: {{default: 1}}\n" for i in range(4000))
    files["for-copies.yaml"] = ("description: d\nvars:\n" + many
                                + "message:\n  msgtype: text\n  text: {content: hi}\n"
                                "  at:\n    atMobiles:\n"
                                "      - {$for: 'x in range(90000)', $if: 'false', $value: '{{ x }}'}\n")
    # Disable comments were matched against every string, and each comment-only line looked
    # ahead through the rest of its run: both quadratic.
    files["many-disables.yaml"] = ("description: d\nextra:\n"
                                   + "  - a # msgspec-dd: disable=yaml-trap\n" * 20_000)
    files["comment-run.yaml"] = ("description: d\n" + "# msgspec-dd: disable=yaml-trap\n" * 20_000
                                 + "extra: 1\n")
    files["deep-template.yaml"] = _text_message('"{{ ' + "-" * 2000 + '1 }}"')
    files["deep-lookup.yaml"] = _text_message('"{{ x' + ".a" * 2000 + ' }}"')
    # Valid, and nothing to report: only its scan could be slow (a run of trailing spaces).
    files["trailing-spaces.json"] = ('{"description": "d", "message": {"msgtype": "text", "text": {"content": "hi"}}}'
                                     + " " * 900_000)
    files["brackets.yaml"] = _markdown_message("[" * 200_000)
    files["image-brackets.yaml"] = _markdown_message("![" * 200_000)
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return files


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("hostile")
    (root / "messages").mkdir()
    return root, _hostile_folder(root / "messages")


@pytest.mark.parametrize("command", [["lint"], ["preview", "-o", "-"], ["send", "--dry-run"]])
def test_no_hostile_file_hangs_exhausts_memory_or_raises(
        hostile: tuple[Path, dict[str, str]], command: list[str]) -> None:
    root, files = hostile
    result = run_limited([*command, "messages"], root)
    assert result.code == 1, result.err
    assert "Traceback" not in result.out + result.err
    if command == ["lint"]:  # the other commands stop at the first problems: lint names them all
        for name in set(files) - {"unique-items.yaml", "trailing-spaces.json"}:  # both are fine
            assert f"messages/{name}:" in result.out, name


@pytest.mark.parametrize("name", ["merge-bomb.yaml", "unique-items.yaml", "brackets.yaml"])
def test_render_of_a_hostile_file_ends_cleanly(hostile: tuple[Path, dict[str, str]], name: str) -> None:
    root, _ = hostile
    result = run_limited(["render", f"messages/{name}"], root)
    assert result.code in (0, 1)
    assert "Traceback" not in result.out + result.err


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_template_work_is_refused_with_a_located_error(tmp_path: Path, name: str) -> None:
    (tmp_path / "m.yaml").write_text(_text_message(f'"{TEMPLATES[name]}"'), encoding="utf-8")
    result = run_limited(["render", "m.yaml"], tmp_path)
    assert result.code == 1
    assert result.err.startswith("m.yaml:5:14: error: "), result.err
    assert "[render-failed]" in result.err and "memory" not in result.err


@pytest.mark.parametrize("where", ["message", "vars-file", "config"])
def test_merge_keys_count_toward_the_alias_limit(tmp_path: Path, where: str) -> None:
    message = _text_message("hi")
    if where == "message":
        message = "description: merge keys\n" + _merge_bomb() + message.split("\n", 1)[1]
    (tmp_path / "m.yaml").write_text(message, encoding="utf-8")
    bomb = {"vars-file": "vars.yaml", "config": "msgspec-dd.yaml"}.get(where, "m.yaml")
    if where != "message":
        (tmp_path / bomb).write_text(_merge_bomb(), encoding="utf-8")
    args = ["render", "m.yaml", *(["--vars-file", "vars.yaml"] if where == "vars-file" else [])]
    result = run_limited(args, tmp_path)
    assert result.code in (1, 2)
    assert f"{bomb}:" in result.err and "aliases expand too far" in result.err


def test_unique_items_and_brackets_are_checked_in_linear_time(hostile: tuple[Path, dict[str, str]]) -> None:
    root, _ = hostile
    result = run_limited(["lint", "messages/unique-items.yaml", "messages/brackets.yaml",
                          "messages/image-brackets.yaml"], root)
    assert "messages/unique-items.yaml:4:3: error: variable 'ids'" not in result.out  # all distinct
    assert "messages/brackets.yaml:2:1: error: rendered body is" in result.out
    assert "messages/image-brackets.yaml:2:1: error: rendered body is" in result.out


def test_a_repeated_unique_item_is_found(tmp_path: Path) -> None:
    objects = ", ".join(f"{{id: {i % 5999}}}" for i in range(6000))
    (tmp_path / "m.yaml").write_text(
        f"description: d\nvars:\n  ids:\n    type: array\n    uniqueItems: true\n    default: [{objects}]\n"
        "message: {msgtype: text, text: {content: '{{ ids|length }}'}}\n", encoding="utf-8")
    result = run_limited(["lint", "m.yaml"], tmp_path)
    assert "m.yaml:3:3: error: variable 'ids': item 5999 repeats an earlier item" in result.out


_ALIAS_BOMB = "[&a [x,x,x,x,x,x,x,x,x,x], " + ", ".join(
    f"&{b} [{','.join([f'*{a}'] * 10)}]" for a, b in zip("abcdef", "bcdefg", strict=True)) + "]"


@pytest.mark.parametrize(("value", "reason"), [
    (_ALIAS_BOMB, "document has more than 50,000 values (aliases expand too far)"),
    ("[" * 900, "document is nested too deeply"),
])
def test_var_values_pass_through_the_loader_and_its_limits(tmp_path: Path, value: str, reason: str) -> None:
    (tmp_path / "m.yaml").write_text(
        "description: d\nvars:\n  ids: {type: array}\nmessage: {msgtype: text, text: {content: '{{ ids }}'}}\n",
        encoding="utf-8")
    result = run_limited(["render", "m.yaml", "--var", f"ids={value}"], tmp_path)
    assert result.code == 1
    assert result.err.startswith("m.yaml:3:3: error: variable 'ids': ")
    assert reason in result.err and "Traceback" not in result.err


def test_symlinks_leading_outside_the_repository_are_not_followed(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / ".git" / "config").write_text(f"[remote]\n url = https://x/?access_token={HEX}\n", encoding="utf-8")
    outside = tmp_path / "config.json"
    outside.write_text('{"auths": {"x": {"auth": "c2VjcmV0"}}}', encoding="utf-8")
    messages = repo / "messages"
    messages.mkdir()
    (messages / "ok.yaml").write_text(_text_message("hi"), encoding="utf-8")
    (messages / "git.yaml").symlink_to("../.git/config")
    (messages / "docker.json").symlink_to(outside)
    (messages / "same.yaml").symlink_to("ok.yaml")
    result = run_limited(["lint", "messages"], repo)
    assert result.code == 0, result.out
    assert "1 file checked, no problems" in result.out + result.err
    for name in ("git.yaml", "docker.json"):
        assert (f"note: messages/{name}: a symbolic link leading outside the repository (or into a "
                "hidden directory such as .git); not followed") in result.err
    assert "c2VjcmV0" not in result.out + result.err and HEX not in result.out + result.err


@pytest.mark.parametrize("value", [_ALIAS_BOMB, "[" * 900])
def test_the_actions_vars_input_passes_through_the_loader(tmp_path: Path, value: str) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("messages/m.yaml", "description: d\nvars:\n  ids: {type: array}\n"
                                  "message: {msgtype: text, text: {content: '{{ ids }}'}}\n")
    repo.commit("a message")
    scratch = tmp_path / "runner"
    env = runner_environ(repo.path, scratch, "push", {})
    for name in ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"):
        env[name] = str(tmp_path / name)
    env.update({"INPUT_COMMAND": "send", "INPUT_DRY_RUN": "true", "INPUT_VARS": f"ids={value}\n"})
    proc = subprocess.run([sys.executable, "-m", "msgspec_dd.action"], cwd=repo.path, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=TIME_LIMIT,
                          preexec_fn=_limit_memory)
    assert proc.returncode == 1
    assert "messages/m.yaml" in proc.stdout + proc.stderr and "variable 'ids'" in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
