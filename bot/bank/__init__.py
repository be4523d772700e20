"""Question packs on disk -> validated schema -> domain objects."""

from bot.bank.loader import (
    BankProblem,
    InvalidQuestionBank,
    LocatedPack,
    QuestionPlace,
    check_path,
    load_pack,
    load_packs,
    locate_path,
    near_duplicates,
    pack_folders,
    skipped_entries,
)

__all__ = [
    "BankProblem",
    "InvalidQuestionBank",
    "LocatedPack",
    "QuestionPlace",
    "check_path",
    "load_pack",
    "load_packs",
    "locate_path",
    "near_duplicates",
    "pack_folders",
    "skipped_entries",
]
