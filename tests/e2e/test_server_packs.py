"""A server's own question pack, as its admins and members live it."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.db.models import Attempt
from bot.scheduler import reveal_job_id
from tests.e2e.daily_helpers import (
    is_question_post,
    is_reveal,
    post_of,
    post_question,
    question_of,
    react_and_wait,
    right_and_wrong,
    run,
    run_job_now,
    schedule,
    study_server,
)
from tests.integration.test_cli import studybot as studybot_cli

GOOD = (Path(__file__).parent / "data" / "team-pack.csv").read_bytes()


def broken(csv: bytes) -> bytes:
    """Three bad rows: a key that is no option (row 2), no stem (row 3), a reference that is no link
    (row 5)."""
    rows = csv.decode().splitlines()
    rows[1] = rows[1].replace(",A,AWS Direct", ",Z,AWS Direct", 1)
    cells = rows[2].split(",")
    cells[4] = ""
    rows[2] = ",".join(cells)
    rows[4] = rows[4].replace("https://docs.aws.amazon.com/efs", "see the EFS docs", 1)
    return ("\n".join(rows) + "\n").encode()


async def upload(admin, channel, data: bytes, name: str = "team", filename: str = "team-pack.csv"):
    return await command(admin, "pack upload", channel, file=(filename, data), name=name)


async def command(who, command_name: str, channel, **options):
    return await (await who.run_command(command_name, channel=channel, options=options)).response()


async def test_a_server_uploads_its_pack_studies_it_and_no_other_server_sees_it(
    emulator, studybot, database_url: str, tmp_path: Path
) -> None:
    guild, channel, admin, alice, _ = study_server(emulator)
    quiz_channel = guild.add_text_channel("quiz")
    other = emulator.add_guild("Another group")
    other_channel = other.add_text_channel("daily")
    other_admin = other.add_member("other-admin", admin=True)
    bot = await studybot.start()

    refused = await upload(admin, channel, broken(GOOD))
    assert refused.ephemeral and "was not added: 3 problems to fix. Nothing was stored." in refused.content
    problems = [line for line in refused.content.splitlines() if line.startswith("- ")]
    assert len(problems) == 3, refused.content
    assert "row 2" in problems[0] and "net-1-001" in problems[0] and "key" in problems[0]
    assert "row 3" in problems[1] and "stem" in problems[1]
    assert "row 5" in problems[2] and "reference" in problems[2]
    assert (
        "There is no exam called" in (await run(admin, "exam use", channel, exam=f"team@{guild.id}")).content
    )

    added = await upload(admin, channel, GOOD)
    assert f"`team@{guild.id}`" in added.content and "4 questions" in added.content
    listed = await run(admin, "pack list", channel)
    assert f"team@{guild.id}" in listed.content and "team-pack.csv" in listed.content

    await schedule(admin, channel, time="09:00", exam=f"team@{guild.id}")
    post, question = await post_question(bot, emulator, admin, channel)
    assert question.id in {"net-1-001", "net-1-002", "sto-2-001", "sto-2-002"}
    # While the question is being asked, a new file without it is refused: the post would lose its key.
    without = b"\n".join(r for r in GOOD.split(b"\n") if not r.startswith(question.id.encode()))
    refused_update = await upload(admin, channel, without)
    assert (
        f"leaves out questions still being asked: {question.id} (<#{channel.id}>)" in refused_update.content
    )
    for emoji in right_and_wrong(question)[0]:
        await react_and_wait(bot, alice, post, emoji)
    run_job_now(bot, reveal_job_id(post_of(post)[1]))
    await emulator.wait_for_message(channel=channel, predicate=is_reveal)
    async with bot.sessions() as session:
        attempts = (await session.scalars(select(Attempt).where(Attempt.user_id == alice.id))).all()
    assert [(a.pack, a.question_id, a.correct) for a in attempts] == [(f"team@{guild.id}", question.id, True)]

    # Another server can neither choose it nor see it offered.
    refused_elsewhere = await run(other_admin, "exam use", other_channel, exam=f"team@{guild.id}")
    assert "There is no exam called" in refused_elsewhere.content
    assert "no packs of its own" in (await run(other_admin, "pack list", other_channel)).content
    offered = await other_admin.autocomplete("exam use", channel=other_channel, focused="exam", value="")
    assert offered and not [c for c in offered if "team" in c["value"]]
    mine = await admin.autocomplete("exam use", channel=channel, focused="exam", value="team")
    assert [c["value"] for c in mine] == [f"team@{guild.id}"]

    # The maintainer's item analysis finds the server's pack in the database.
    analysed = studybot_cli(
        "questions",
        "analyse",
        f"team@{guild.id}",
        "--min-answers",
        "2",
        cwd=tmp_path,
        DATABASE_URL=database_url,
    )
    assert analysed.returncode == 0, analysed.stderr
    assert f"team@{guild.id}: no question has 2 first answers yet" in analysed.stdout

    # After a restart the pack is there again, and the file comes back as it was uploaded.
    bot = await studybot.restart()
    assert f"team@{guild.id}" in bot.guild_service.packs_for(guild.id)
    downloaded = await command(admin, "pack download", channel, name="team")
    assert downloaded.attachments[0].text() == GOOD.decode()

    # Removing it: refused while a schedule studies it, then while a quiz round still asks from it.
    refused_remove = await command(admin, "pack remove", channel, name="team")
    assert f"Daily schedules use this pack (<#{channel.id}>)" in refused_remove.content
    await run(admin, "daily remove", channel, channel=channel)
    started = await run(alice, "quiz", quiz_channel, rounds=1, exam=f"team@{guild.id}")
    assert "Quiz started" in started.content
    round_post = await emulator.wait_for_message(channel=quiz_channel, predicate=is_question_post)
    asked = await command(admin, "pack remove", channel, name="team")
    assert f"still being asked: {question_of(bot, round_post).id} (<#{quiz_channel.id}>)" in asked.content
    run_job_now(bot, reveal_job_id(post_of(round_post)[1]))
    await emulator.wait_for_message(channel=quiz_channel, predicate=is_reveal)
    removed = await command(admin, "pack remove", channel, name="team")
    assert f"Removed **team@{guild.id}**" in removed.content
    assert "no packs of its own" in (await run(admin, "pack list", channel)).content
    async with bot.sessions() as session:  # the answers given to it stay
        kept = (await session.scalars(select(Attempt).where(Attempt.pack == f"team@{guild.id}"))).all()
    assert [a.user_id for a in kept] == [alice.id]
