"""Question packs on disk -> validated schema -> domain objects."""

from bot.bank.loader import (
    BankProblem,
    InvalidQuestionBank,
    check_path,
    load_pack,
    load_packs,
    near_duplicates,
)

__all__ = ["BankProblem", "InvalidQuestionBank", "check_path", "load_pack", "load_packs", "near_duplicates"]
