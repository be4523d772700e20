"""Every pack that ships loads cleanly, and follows its own blueprint."""

from __future__ import annotations

from bot.bank import load_packs
from bot.config import SHIPPED_QUESTIONS
from bot.domain.pack import QuestionKind


def test_every_shipped_pack_loads() -> None:
    packs = load_packs(SHIPPED_QUESTIONS)
    assert "mls-c01" in packs
    for pack in packs.values():
        assert pack.questions, f"{pack.slug} has questions"


def test_mls_c01_blueprint_is_the_real_exam() -> None:
    bp = load_packs(SHIPPED_QUESTIONS)["mls-c01"].blueprint
    assert bp.code == "MLS-C01"
    assert [(d.id, d.weight) for d in bp.domains] == [("1", 20), ("2", 24), ("3", 36), ("4", 20)]
    assert [len(d.tasks) for d in bp.domains] == [3, 3, 5, 4]
    assert (bp.questions, bp.scale.minimum, bp.scale.maximum, bp.scale.passing) == (65, 100, 1000, 750)


def test_every_mls_c01_domain_has_single_and_multiple_response_questions() -> None:
    pack = load_packs(SHIPPED_QUESTIONS)["mls-c01"]
    for domain in pack.blueprint.domains:
        kinds = [q.kind for q in pack.active_questions if q.domain_id == domain.id]
        assert kinds.count(QuestionKind.SINGLE) >= 3, domain.id
    assert sum(q.kind is QuestionKind.MULTIPLE for q in pack.active_questions) >= 2
