"""Build small exam packs on disk for tests."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

BLUEPRINT: dict[str, Any] = {
    "code": "TST-C01",
    "name": "Test Exam",
    "questions": 10,
    "minutes": 20,
    "score": {"min": 100, "max": 1000, "pass": 750},
    "question_types": ["single", "multiple"],
    "domains": [
        {"id": "1", "name": "Data", "weight": 40, "tasks": [{"id": "1.1", "name": "Store"}]},
        {
            "id": "2",
            "name": "Models",
            "weight": 60,
            "tasks": [{"id": "2.1", "name": "Train"}, {"id": "2.2", "name": "Tune"}],
        },
    ],
}


def question(qid: str = "tst-1.1-001", **changes: Any) -> dict[str, Any]:
    """A valid single-answer question; keyword arguments replace fields (None removes one)."""
    q: dict[str, Any] = {
        "id": qid,
        "domain": "1",
        "task": "1.1",
        "type": "single",
        "difficulty": 2,
        "tags": ["s3"],
        "stem": f"A team needs durable storage for question {qid}. What should it use?",
        "options": {"A": "Amazon S3", "B": "Instance store", "C": "Amazon EBS io2", "D": "Amazon EFS"},
        "key": "A",
        "explanation": "S3 is durable object storage.",
        "why_wrong": {
            "B": "Ephemeral.",
            "C": "Block storage for one instance.",
            "D": "File storage, costlier.",
        },
        "references": ["https://docs.aws.amazon.com/s3/"],
    }
    for name, value in changes.items():
        if value is None:
            q.pop(name, None)
        else:
            q[name] = value
    return q


def multiple(qid: str = "tst-2.1-001", **changes: Any) -> dict[str, Any]:
    q = question(
        qid,
        domain="2",
        task="2.1",
        type="multiple",
        choose=2,
        options={
            "A": "Dropout",
            "B": "L2 penalty",
            "C": "More epochs",
            "D": "Bigger network",
            "E": "Higher learning rate",
        },
        key=["A", "B"],
        why_wrong={"C": "Overfits more.", "D": "Adds capacity.", "E": "Unstable."},
    )
    q.update(changes)
    return q


def ordering(qid: str = "tst-2.2-001", **changes: Any) -> dict[str, Any]:
    """A valid ordering question: four steps, the key their order."""
    q = question(
        qid,
        domain="2",
        task="2.2",
        type="ordering",
        stem="Put the steps of training a model in order.",
        items={
            "A": "Evaluate the model",
            "B": "Collect data",
            "C": "Train the model",
            "D": "Deploy the model",
        },
        key="BCAD",
        why_wrong="Evaluating before training has nothing to evaluate.",
        options=None,
    )
    q.update(changes)
    return q


def matching(qid: str = "tst-2.2-002", **changes: Any) -> dict[str, Any]:
    """A valid matching question: three prompts, four responses, one unused."""
    q = question(
        qid,
        domain="2",
        task="2.2",
        type="matching",
        stem="Match each need to the service that meets it.",
        prompts={1: "Object storage", 2: "A relational database", 3: "Archive storage"},
        responses={"A": "Amazon S3", "B": "Amazon RDS", "C": "Amazon S3 Glacier", "D": "Amazon EC2"},
        key={1: "A", 2: "B", 3: "C"},
        why_wrong="EC2 runs servers; it stores nothing by itself.",
        options=None,
    )
    q.update(changes)
    return q


SEQUENCED_BLUEPRINT: dict[str, Any] = {
    **BLUEPRINT,
    "question_types": ["single", "multiple", "ordering", "matching"],
}


def write_pack(
    root: Path,
    questions: list[dict[str, Any]] | None = None,
    *,
    slug: str = "tst",
    files: int = 1,
    blueprint: dict[str, Any] | None = None,
) -> Path:
    """Write a pack folder; questions are spread round-robin over `files` question files."""
    folder = root / slug
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pack.yaml").write_text(yaml.safe_dump(copy.deepcopy(blueprint or BLUEPRINT), sort_keys=False))
    items = questions if questions is not None else [question(), multiple()]
    for n in range(files):
        chunk = items[n::files]
        (folder / f"q{n + 1}.yaml").write_text(
            yaml.safe_dump({"questions": chunk}, sort_keys=False, allow_unicode=True)
        )
    return folder
