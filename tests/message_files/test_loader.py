"""The loader: positions, encodings and hostile files, always a Problem and never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from msgspec_dd.message_files.loader import MAX_FILE_BYTES, LoadError, load_document, parse_bytes, parse_yaml


def problem(raw: bytes, name: str = "m.yaml", **kwargs: bool) -> str:
    with pytest.raises(LoadError) as caught:
        parse_bytes(raw, name, **kwargs)
    return caught.value.problem.format()


def test_positions_are_one_based_and_count_characters() -> None:
    doc = parse_bytes("a: 中文\nb: [中文, x]\n".encode(), "m.yaml")
    assert doc.positions.values[("b", 1)] == (2, 9)
    assert doc.positions.keys[("b",)] == (2, 1)
    assert doc.positions.locate(("b", 1, "missing")) == (2, 9)


def test_merge_keys_let_explicit_keys_win_without_a_duplicate_error() -> None:
    doc = parse_bytes(b"base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  x: 3\n", "m.yaml")
    assert doc.data["c"] == {"x": 3, "y": 2}
    assert doc.positions.values[("c", "x")] == (4, 6)


def test_duplicate_key_is_an_error_at_the_second_key() -> None:
    assert problem(b"a: 1\nb: 2\na: 3\n") == (
        "m.yaml:3:1: error: duplicate key 'a'; remove one of them [yaml-syntax]"
    )


def test_gbk_file_is_told_to_be_saved_as_utf8() -> None:
    assert problem("a: 1\nb: 中文\n".encode("gbk")) == (
        "m.yaml:2:4: error: file is not UTF-8 (it looks like GBK/GB18030); save it as UTF-8 [yaml-syntax]"
    )


def test_utf16_and_binary_are_recognised() -> None:
    assert "UTF-16" in problem("a: 1".encode("utf-16"))
    assert "binary" in problem(b"\x00\x01\x02garbage")


def test_utf8_bom_is_accepted() -> None:
    assert parse_bytes(b"\xef\xbb\xbfa: 1\n", "m.yaml").data == {"a": 1}


def test_tabs_get_a_hint() -> None:
    assert "use spaces" in problem(b"a:\n\t- b\n")


def test_file_too_large() -> None:
    assert "larger than" in problem(b"a: " + b"x" * MAX_FILE_BYTES)


def test_billion_laughs_stops_early() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 10) + "]")
    assert "aliases expand too far" in problem("\n".join(lines).encode())


def test_too_many_values_without_aliases_says_to_split_the_file() -> None:
    text = "vars:\n" + "".join(f"  v{i}: {{type: string}}\n" for i in range(30_000))
    message = problem(text.encode())
    assert "split the file" in message and "alias" not in message


def test_deep_nesting_is_refused() -> None:
    assert "nested" in problem(b"a: " + b"[" * 200 + b"]" * 200)


def test_multiple_documents_are_refused() -> None:
    assert "single document" in problem(b"a: 1\n---\nb: 2\n")


def test_json_errors_have_positions() -> None:
    assert problem(b'{\n  "a": 1,\n}', "m.json", json_syntax=True).startswith("m.json:3:1: error: invalid JSON")


def test_json_with_tabs_still_loads() -> None:
    doc = parse_bytes(b'{\n\t"a": {"b": 1}\n}', "m.json", json_syntax=True)
    assert doc.data == {"a": {"b": 1}}


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as caught:
        load_document(tmp_path / "missing.yaml")
    assert "cannot read the file" in str(caught.value)


def test_digest_is_of_the_bytes() -> None:
    import hashlib

    assert parse_bytes(b"a: 1\n", "m.yaml").sha256 == hashlib.sha256(b"a: 1\n").hexdigest()


@pytest.mark.parametrize("value", ["2024-02-30", '!!int "abc"', '!!timestamp "abc"', "!!bool maybe", "9" * 5000])
def test_values_yaml_parses_but_cannot_build_are_problems(value: str) -> None:
    assert "invalid YAML value" in problem(f"description: {value}\n".encode())


def test_a_huge_json_integer_is_a_problem() -> None:
    assert "invalid JSON value" in problem(b'{"a": ' + b"9" * 5000 + b"}", "m.json", json_syntax=True)


@pytest.mark.parametrize("raw", [b'{"a": {"b": "x\\ud800y"}}', b'{"a\\udc80": 1}'])
def test_lone_surrogates_are_refused_at_their_place(raw: bytes) -> None:
    message = problem(raw, "m.json", json_syntax=True)
    assert "unpaired surrogate" in message and message.startswith("m.json:1:")


def test_a_key_that_is_a_list_is_refused_before_its_aliases_are_expanded() -> None:
    levels = ", ".join(f"&l{n} [{', '.join([f'*l{n - 1}'] * 10)}]" for n in range(1, 12))
    message = problem(f"? [&l0 [x, x, x, x, x, x, x, x, x, x], {levels}]\n: v\n".encode())
    assert message == ("m.yaml:1:3: error: invalid YAML: a list or mapping cannot be a key; "
                       "write the key as text [yaml-syntax]")


def test_merge_keys_count_toward_the_alias_limit() -> None:
    lines = ["l0: &l0 {a: 1, b: 2}"]
    lines += [f"l{n}: &l{n} {{<<: [{', '.join([f'*l{n - 1}'] * 10)}]}}" for n in range(1, 11)]
    with pytest.raises(LoadError, match="aliases expand too far"):
        parse_yaml("\n".join(lines) + "\n", "bomb.yaml")


def test_ordinary_merge_keys_still_merge() -> None:
    data, _ = parse_yaml("base: &b {a: 1, b: 2}\nitem: {<<: [*b, *b], b: 3}\n", "m.yaml")
    assert data["item"] == {"a": 1, "b": 3}


@pytest.mark.parametrize(("size", "refused"), [(MAX_FILE_BYTES, False), (MAX_FILE_BYTES + 1, True)])
def test_file_size_is_bounded_as_read(size: int, refused: bool, tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_bytes(b"a: " + b"x" * (size - 4) + b"\n")
    if refused:
        with pytest.raises(LoadError, match="larger than"):
            load_document(path)
    else:
        assert len(load_document(path).data["a"]) == size - 4


@pytest.mark.parametrize(("size", "refused"), [(10, False), (MAX_FILE_BYTES + 1, True)])
def test_a_pipe_has_no_size_but_is_bounded_too(size: int, refused: bool, tmp_path: Path) -> None:
    import os
    import threading

    path = tmp_path / "m.yaml"
    os.mkfifo(path)

    def write() -> None:
        with path.open("wb") as pipe:
            pipe.write(b"a: " + b"x" * (size - 4) + b"\n")

    writer = threading.Thread(target=write)
    writer.start()
    try:
        if refused:
            with pytest.raises(LoadError, match="larger than"):
                load_document(path)
        else:
            assert load_document(path).data == {"a": "x" * (size - 4)}
    finally:
        writer.join(timeout=10)
