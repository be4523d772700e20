"""The parsed-file cache: it saves the parse on the next load, never serves a changed file, never lets a
bad question through, and a broken or unwritable cache only means a slower load."""

from __future__ import annotations

import orjson
import pytest

from bot.bank import InvalidQuestionBank, load_packs
from tests.packs import question, write_pack


@pytest.fixture
def bank(tmp_path):
    root = tmp_path / "questions"
    write_pack(root, [question(f"tst-1.1-{n:03d}", stem=f"Storage {n}?") for n in range(4)], files=2)
    return root


def _stems(packs) -> list[str]:
    return [q.stem for q in packs["tst"].questions]


def test_a_second_load_reads_the_cache_and_gets_the_same_bank(bank, tmp_path) -> None:
    cache = tmp_path / "data" / "cache.json"
    first = load_packs(bank, cache)
    stored = orjson.loads(cache.read_bytes())
    assert len(stored["files"]) == 2, "both question files are cached"
    # Prove the cached parse is what the next load uses: change it there (the files stay as they are).
    for entry in stored["files"].values():
        for item in entry["data"]["questions"]:
            item["stem"] = "From the cache: " + item["stem"]
    cache.write_bytes(orjson.dumps(stored))
    second = load_packs(bank, cache)
    assert _stems(second) == ["From the cache: " + s for s in _stems(first)]


def test_an_edited_file_is_parsed_again_not_served_from_the_cache(bank, tmp_path) -> None:
    cache = tmp_path / "cache.json"
    load_packs(bank, cache)
    edited = bank / "tst" / "q1.yaml"
    edited.write_text(edited.read_text().replace("Storage 0?", "Storage zero?"))
    assert "Storage zero?" in _stems(load_packs(bank, cache))
    assert len(orjson.loads(cache.read_bytes())["files"]) == 2, "the old entry is dropped"


def test_a_cached_bad_question_is_still_refused_with_its_line(tmp_path) -> None:
    root = tmp_path / "questions"
    write_pack(root, [question(), question("tst-1.1-002", key="Z")])
    cache = tmp_path / "cache.json"
    problems = []
    for _ in range(2):
        with pytest.raises(InvalidQuestionBank) as refused:
            load_packs(root, cache)
        problems.append([(p.question_id, p.field, p.line) for p in refused.value.problems])
    assert orjson.loads(cache.read_bytes())["files"], "the second load came from the cache"
    assert problems[0] == problems[1]
    assert problems[0][0][:2] == ("tst-1.1-002", "key") and problems[0][0][2] is not None


@pytest.mark.parametrize("content", [b"", b"not json", b'{"format": 999, "files": {}}', b'{"files": 3}'])
def test_a_broken_or_foreign_cache_is_ignored_and_rewritten(bank, tmp_path, content: bytes) -> None:
    cache = tmp_path / "cache.json"
    cache.write_bytes(content)
    assert len(load_packs(bank, cache)["tst"].questions) == 4
    assert len(orjson.loads(cache.read_bytes())["files"]) == 2


def test_an_unwritable_cache_folder_only_costs_the_cache(bank, tmp_path, caplog) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    assert len(load_packs(bank, blocker / "cache.json")["tst"].questions) == 4
    assert "could not save the question cache" in caplog.text


def test_yaml_that_json_cannot_carry_exactly_is_not_cached(tmp_path) -> None:
    root = tmp_path / "questions"
    write_pack(root, [question(tags=["s3"])])
    path = root / "tst" / "q1.yaml"
    path.write_text(path.read_text() + "# reviewed\n")
    dated = root / "tst" / "q2.yaml"
    dated.write_text(path.read_text().replace("tst-1.1-001", "tst-1.1-002").replace("- s3", "- 2026-01-01"))
    cache = tmp_path / "cache.json"
    with pytest.raises(InvalidQuestionBank):
        load_packs(root, cache)  # a date is not a tag; the file is refused, as without a cache
    assert len(orjson.loads(cache.read_bytes())["files"]) == 1, "only the plain file is cached"
