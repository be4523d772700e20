"""Whatever YAML a contributor writes, the loader answers with a bank or a validation error."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.bank import InvalidQuestionBank, load_pack
from bot.domain.pack import ExamPack
from tests.packs import question, write_pack

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(["A", "B", "single", "multiple", "1", "1.1", "https://x.org/a", ""]),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10) | st.integers(), inner, max_size=6)
    ),
    max_leaves=25,
)
field_names = st.sampled_from([*question(), "choose", "retired", "extra"])
mutated_questions = st.builds(
    lambda base, edits: {**base, **edits},
    st.just(question()),
    st.dictionaries(field_names, values, max_size=4),
)


class _NoAliases(yaml.SafeDumper):
    """Writes a shared object out in full each time: question files may not use anchors and aliases, and
    the questions drawn here share their unedited fields."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def _dump(document: object) -> str:
    return yaml.dump(document, Dumper=_NoAliases, allow_unicode=True)


def _load_text(text: str) -> ExamPack | None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_pack(Path(tmp), [])
        (folder / "q1.yaml").write_text(text, encoding="utf-8")
        try:
            return load_pack(folder)
        except InvalidQuestionBank as exc:
            assert exc.problems, "an InvalidQuestionBank always lists at least one problem"
            return None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_arbitrary_text(text: str) -> None:
    _load_text(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values)
def test_arbitrary_yaml_documents(document: object) -> None:
    _load_text(_dump(document))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(mutated_questions, max_size=3))
def test_questions_with_arbitrary_fields(questions: list[dict]) -> None:
    _load_text(_dump({"questions": questions}))
