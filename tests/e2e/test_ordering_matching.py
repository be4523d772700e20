"""Ordering and matching questions as members answer them: an Answer button on the post opens a private
picker, the answer is built press by press (with Undo), the first submitted answer locks, the picker
survives a restart, and the reveal shows the order, who got it right and the most common wrong answer."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.db.models import Attempt
from bot.scheduler import reveal_job_id
from tests.e2e.daily_helpers import is_reveal, post_of, press, run, run_job_to_end, study_server
from tests.e2e.harness import StudyBotHarness
from tests.packs import SEQUENCED_BLUEPRINT, matching, ordering, write_pack


def sequenced_pack(root: Path, *questions: dict) -> Path:
    write_pack(root, list(questions), blueprint=SEQUENCED_BLUEPRINT)
    return root


async def post_now(emulator, admin, channel):
    """An admin schedules the channel and posts its question at once; the post, with its Answer button."""
    await run(admin, "daily schedule", channel, channel=channel, time="09:00", timezone="UTC")
    posted = await run(admin, "daily post-now", channel, channel=channel)
    assert "Posted in" in posted.content, posted.content
    return await emulator.wait_for_message(channel=channel, predicate=lambda m: bool(m.buttons))


async def build(member, post, letters: str, *, submit: bool = True):
    """Open the picker, press the letters (``-`` is Undo), and submit; the picker as last shown."""
    card = await press(member, post, "Answer")
    assert card.ephemeral
    for letter in letters:
        card = await press(member, card, "Undo" if letter == "-" else letter)
    if submit:
        card = await press(member, card, "Submit")
    return card


async def test_a_daily_ordering_question_answered_through_the_picker(
    emulator, database_url, tmp_path
) -> None:
    guild, channel, admin, alice, bob = study_server(emulator)
    carol = guild.add_member("carol")
    studybot = StudyBotHarness(
        emulator, database_url, questions_dir=sequenced_pack(tmp_path / "q", ordering()), default_pack="tst"
    )
    try:
        bot = await studybot.start()
        post = await post_now(emulator, admin, channel)
        assert "Put all 4 in order" in post.embeds[0]["description"]
        assert not post.reactions, "an order cannot be given with reactions"

        right = await build(alice, post, "BCAD")
        assert "Locked in: B → C → A → D" in right.embeds[0]["description"] and not right.buttons
        await build(bob, post, "CBAD")
        again = await build(alice, post, "CBAD")
        assert "already locked in" in again.embeds[0]["description"]

        # carol changes her mind before submitting, and the bot restarts while her picker is open
        half = await build(carol, post, "BA-C", submit=False)
        assert "1. **B**" in half.embeds[0]["description"] and "2. **C**" in half.embeds[0]["description"]
        bot = await studybot.restart()
        for letter in "AD":
            half = await press(carol, half, letter)
        done = await press(carol, half, "Submit")
        assert "Locked in: B → C → A → D" in done.embeds[0]["description"]

        stale = await press(bob, post, "Answer")  # a picker left open past the close
        _, post_id = post_of(post)
        await run_job_to_end(bot, reveal_job_id(post_id))
        reveal = next(m for m in channel.messages if is_reveal(m))
        embed = reveal.embeds[0]
        fields = {f["name"]: f["value"] for f in embed["fields"]}
        assert embed["title"] == "Answer: B → C → A → D"
        assert fields["Most common wrong answer"] == "C → B → A → D (1 member)"
        assert fields["Got it right"].startswith("2 of 3")
        assert not post.buttons, "the closed post offers no Answer button"
        late = await press(bob, stale, "A")
        assert "closed" in late.content and not late.buttons

        async with bot.sessions() as session:
            graded = {a.user_id: a.correct for a in (await session.scalars(select(Attempt))).all()}
        assert graded == {alice.id: True, bob.id: False, carol.id: True}
    finally:
        await studybot.stop()


async def test_a_matching_question_fills_its_prompts_in_turn(emulator, database_url, tmp_path) -> None:
    _, channel, admin, alice, bob = study_server(emulator)
    seven = matching(
        prompts={n: f"Need {n}" for n in range(1, 8)},
        responses={letter: f"Service {letter}" for letter in "ABCDEFG"},
        key=dict(zip(range(1, 8), "GAGBCDE", strict=True)),
    )
    studybot = StudyBotHarness(
        emulator, database_url, questions_dir=sequenced_pack(tmp_path / "q", seven), default_pack="tst"
    )
    try:
        bot = await studybot.start()
        post = await post_now(emulator, admin, channel)
        card = await press(alice, post, "Answer")
        assert "Which response fits prompt **1**: Need 1?" in card.embeds[0]["description"]
        assert len(card.buttons) == 9, "seven responses, Undo and Submit"
        card = await build(alice, post, "GAGBCDE")
        assert "Locked in: 1 G · 2 A · 3 G · 4 B · 5 C · 6 D · 7 E" in card.embeds[0]["description"]
        incomplete = await build(bob, post, "GAG", submit=False)
        submit = next(b for b in incomplete.buttons if b["label"] == "Submit")
        assert submit.get("disabled"), "an answer can be submitted only once every prompt has a response"

        _, post_id = post_of(post)
        await run_job_to_end(bot, reveal_job_id(post_id))
        reveal = next(m for m in channel.messages if is_reveal(m))
        assert reveal.embeds[0]["title"] == "Answer: 1 G · 2 A · 3 G · 4 B · 5 C · 6 D · 7 E"
        assert "7. Need 7 → **E** Service E" in reveal.embeds[0]["description"]
    finally:
        await studybot.stop()


async def test_a_matching_question_in_a_mock_with_back_and_a_restart(
    emulator, database_url, tmp_path
) -> None:
    from tests.e2e.test_mock import card, current_question, start
    from tests.packs import question

    guild = emulator.add_guild("ML Study Group")
    channel, alice = guild.add_text_channel("practice"), guild.add_member("alice")
    bank = [question(f"tst-1.1-{n:03d}", stem=f"Storage {n}?") for n in range(4)]
    bank += [question(f"tst-2.1-{n:03d}", domain="2", task="2.1", stem=f"Model {n}?") for n in range(2)]
    bank += [ordering(f"tst-2.2-{n:03d}", stem=f"Order {n}.") for n in range(2)]
    bank += [matching(f"tst-2.2-{n:03d}", stem=f"Match {n}.", key={1: "C", 2: "A", 3: "C"}) for n in (2, 3)]
    studybot = StudyBotHarness(
        emulator, database_url, questions_dir=sequenced_pack(tmp_path / "q", *bank), default_pack="tst"
    )
    try:
        bot = await studybot.start()
        message = await start(alice, channel, questions=10)
        while (await current_question(bot, alice, message)).kind.value != "matching":
            message = await press(alice, message, "Next")
        matched = await current_question(bot, alice, message)
        assert "Give each prompt one response" in card(message)["description"]

        message = await press(alice, message, "C")
        message = await press(alice, message, "B")
        message = await press(alice, message, "Undo")  # changed her mind about prompt 2
        message = await press(alice, message, "A")
        assert "Your answer so far: **1 C · 2 A**" in card(message)["description"]
        first = next(b for b in message.buttons if b.get("label") == "Back").get("disabled")
        away, back = ("Next", "Back") if first else ("Back", "Next")  # leave the card, then return to it
        message = await press(alice, message, away)
        message = await press(alice, message, back)
        assert "Your answer so far: **1 C · 2 A**" in card(message)["description"], "kept across Back"

        bot = await studybot.restart()
        message = await press(alice, message, "C")  # the card from before the restart still works
        assert "Your answer so far: **1 C · 2 A · 3 C**" in card(message)["description"]
        assert all(b.get("disabled") for b in message.buttons if len(b.get("label", "")) == 1), "complete"

        message = await press(alice, message, "Finish")
        message = await press(alice, message, "Finish now")
        async with bot.sessions() as session:
            attempt = await session.scalar(select(Attempt).where(Attempt.question_id == matched.id))
        assert attempt is not None and attempt.correct and attempt.source == "mock"
    finally:
        await studybot.stop()


async def test_a_missed_order_comes_back_in_review(emulator, database_url, tmp_path) -> None:
    _, channel, admin, alice, _ = study_server(emulator)
    studybot = StudyBotHarness(
        emulator, database_url, questions_dir=sequenced_pack(tmp_path / "q", ordering()), default_pack="tst"
    )
    try:
        bot = await studybot.start()
        post = await post_now(emulator, admin, channel)
        await build(alice, post, "CBAD")  # wrong
        _, post_id = post_of(post)
        await run_job_to_end(bot, reveal_job_id(post_id))

        review = await run(alice, "review", channel)
        assert "Put all 4 in order" in review.embeds[0]["description"]
        for letter in "BA-CA":
            review = await press(alice, review, "Undo" if letter == "-" else letter)
        early = await press(alice, review, "Check")
        assert "place every item" in early.content, "an incomplete order is not graded"
        review = await press(alice, review, "D")
        result = await press(alice, review, "Check")
        assert result.embeds[0]["title"].endswith("✅ right")
        assert "Key: B → C → A → D** · you answered B → C → A → D" in result.embeds[0]["description"]
    finally:
        await studybot.stop()


async def test_a_case_study_in_a_mock(emulator, database_url, tmp_path) -> None:
    import yaml

    from tests.e2e.test_mock import card, current_question, start
    from tests.packs import question

    guild = emulator.add_guild("ML Study Group")
    channel, alice = guild.add_text_channel("practice"), guild.add_member("alice")
    bank = [question(f"tst-1.1-{n:03d}", stem=f"Storage {n}?") for n in range(4)]
    bank += [question(f"tst-2.1-{n:03d}", domain="2", task="2.1", stem=f"Model {n}?") for n in range(3)]
    root = sequenced_pack(tmp_path / "q", *bank)
    case = {
        "id": "tst-case-1",
        "title": "A retailer's returns",
        "scenario": "A retailer takes 9,000 returns a day.",
    }
    parts = [
        question(
            f"tst-2.1-1{n:02d}", domain="2", task="2.1", case="tst-case-1", stem=f"Part {n} of the case?"
        )
        for n in range(3)
    ]
    (root / "tst" / "case.yaml").write_text(
        yaml.safe_dump({"cases": [case], "questions": parts}, sort_keys=False)
    )
    studybot = StudyBotHarness(emulator, database_url, questions_dir=root, default_pack="tst")
    try:
        bot = await studybot.start()
        message = await start(alice, channel, questions=10)
        while (await current_question(bot, alice, message)).case is None:
            message = await press(alice, message, "Next")
        seen = []
        for _ in range(3):
            description = card(message)["description"]
            assert description.startswith(
                "**Case study: A retailer's returns**\nA retailer takes 9,000 returns"
            )
            seen.append((await current_question(bot, alice, message)).id)
            message = await press(alice, message, "A")  # each part answered, and counted, on its own
            message = await press(alice, message, "Next")
        assert seen == ["tst-2.1-100", "tst-2.1-101", "tst-2.1-102"], "together, in the order written"
        message = await press(alice, message, "Finish")
        message = await press(alice, message, "Finish now")
        async with bot.sessions() as session:
            graded = (await session.scalars(select(Attempt).where(Attempt.question_id.in_(seen)))).all()
        assert len(graded) == 3 and all(a.correct for a in graded)
    finally:
        await studybot.stop()
