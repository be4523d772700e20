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


def test_aip_c01_blueprint_is_the_live_exam() -> None:
    pack = load_packs(SHIPPED_QUESTIONS)["aip-c01"]
    bp = pack.blueprint
    assert (bp.code, bp.retired_on) == ("AIP-C01", None)
    assert [(d.id, d.weight) for d in bp.domains] == [("1", 31), ("2", 26), ("3", 20), ("4", 12), ("5", 11)]
    assert [len(d.tasks) for d in bp.domains] == [6, 5, 4, 3, 2]
    assert (bp.questions, bp.minutes, bp.scale.minimum, bp.scale.maximum, bp.scale.passing) == (
        75,
        180,
        100,
        1000,
        750,
    )
    assert [pack.count_by_domain()[d.id] for d in bp.domains] == [62, 52, 40, 24, 22]


def test_a_new_server_studies_a_live_exam_by_default() -> None:
    from bot.config import Settings

    default = Settings.model_fields["default_pack"].default
    assert load_packs(SHIPPED_QUESTIONS)[default].blueprint.retired_on is None


def test_aif_c01_blueprint_is_guide_v1_1() -> None:
    pack = load_packs(SHIPPED_QUESTIONS)["aif-c01"]
    bp = pack.blueprint
    assert (bp.code, bp.retired_on) == ("AIF-C01", None)
    assert [(d.id, d.weight) for d in bp.domains] == [("1", 20), ("2", 24), ("3", 28), ("4", 14), ("5", 14)]
    assert [len(d.tasks) for d in bp.domains] == [3, 3, 4, 2, 2]
    assert (bp.questions, bp.minutes, bp.scale.passing) == (65, 90, 700)
