"""Repository functions: each takes a session and never commits; services own the transaction.

One module per aggregate (servers, posts and answers, scores, mocks, boards, progress, privacy, question
feedback); every function is also importable from here, so services write ``repo.claim_post``.
"""

from bot.db.repo.boards import *  # noqa: F403
from bot.db.repo.feedback import *  # noqa: F403
from bot.db.repo.guilds import *  # noqa: F403
from bot.db.repo.mocks import *  # noqa: F403
from bot.db.repo.posts import *  # noqa: F403
from bot.db.repo.privacy import *  # noqa: F403
from bot.db.repo.progress import *  # noqa: F403
from bot.db.repo.scores import *  # noqa: F403
from bot.db.repo.server_packs import *  # noqa: F403
