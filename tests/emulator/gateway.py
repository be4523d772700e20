"""The gateway websocket: HELLO, IDENTIFY/RESUME, heartbeats, dispatch, and disruptions on demand.

Behaviour follows Discord's Gateway documentation: HELLO carries ``heartbeat_interval``;
IDENTIFY with a wrong token closes with 4004 and with a privileged intent the app has not
enabled closes with 4014; READY lists guilds as unavailable and is followed by one
GUILD_CREATE per guild (or GUILD_DELETE marked unavailable for one in an outage); every
dispatch carries a sequence number; RESUME replays each dispatch the session missed after the
given sequence exactly once, then sends RESUMED; op 7 RECONNECT and op 9 INVALID_SESSION are
sent on request.  Sessions live on after their socket drops, so events that happen while a bot
is disconnected are buffered exactly as Discord buffers them.
Transport compression (``zlib-stream``; ``zstd-stream`` when a zstd module is importable) uses
one compression context per connection, flushed after every message.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import zlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson
from aiohttp import WSMsgType, web

from .intents import ALL_INTENTS, APP_FLAG_FOR_INTENT, PRIVILEGED, Intent, required_intent
from .permissions import Perm

_VIEW_CHANNEL = int(Perm.VIEW_CHANNEL)

if TYPE_CHECKING:
    from .state import EmulatorState

DISPATCH = 0
HEARTBEAT = 1
IDENTIFY = 2
PRESENCE_UPDATE = 3
VOICE_STATE_UPDATE = 4
RESUME = 6
RECONNECT = 7
REQUEST_GUILD_MEMBERS = 8
INVALID_SESSION = 9
HELLO = 10
HEARTBEAT_ACK = 11
REQUEST_SOUNDBOARD_SOUNDS = 31

CLOSE_UNKNOWN_ERROR = 4000
CLOSE_UNKNOWN_OPCODE = 4001
CLOSE_DECODE_ERROR = 4002
CLOSE_NOT_AUTHENTICATED = 4003
CLOSE_AUTHENTICATION_FAILED = 4004
CLOSE_ALREADY_AUTHENTICATED = 4005
CLOSE_INVALID_SHARD = 4010
CLOSE_SHARDING_REQUIRED = 4011
CLOSE_INVALID_API_VERSION = 4012
CLOSE_INVALID_INTENTS = 4013
CLOSE_DISALLOWED_INTENTS = 4014

#: Events that only make sense if the bot can see the channel they happened in.  Threads are
#: included: "Clients will not be informed of a thread through the gateway if they do not have
#: permission to view that thread" (a thread's visibility is its parent channel's).
_CHANNEL_SCOPED = {
    "MESSAGE_CREATE",
    "MESSAGE_UPDATE",
    "MESSAGE_DELETE",
    "MESSAGE_REACTION_ADD",
    "MESSAGE_REACTION_REMOVE",
    "THREAD_CREATE",
    "THREAD_UPDATE",
    "THREAD_DELETE",
    "THREAD_MEMBERS_UPDATE",
}


def _zstd_compressor() -> Callable[[bytes], bytes] | None:
    """A streaming zstd compressor flushed per message, if this Python has zstd."""
    try:
        from compression import zstd  # type: ignore[import-not-found]  # Python 3.14+

        compressor = zstd.ZstdCompressor()
        return lambda data: compressor.compress(data, mode=zstd.ZstdCompressor.FLUSH_BLOCK)
    except ImportError:
        pass
    try:
        import zstandard  # type: ignore[import-not-found]

        cobj = zstandard.ZstdCompressor().compressobj()
        return lambda data: cobj.compress(data) + cobj.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK)
    except ImportError:
        return None


def _zlib_compressor() -> Callable[[bytes], bytes]:
    compressor = zlib.compressobj()
    return lambda data: compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)


@dataclass
class IdentifyRecord:
    """An IDENTIFY the gateway accepted, for tests to inspect (e.g. the intents a bot asked for)."""

    session_id: str
    intents: int
    properties: dict[str, Any]
    shard: list[int] | None
    at: float


@dataclass(eq=False)
class GatewaySession:
    """A gateway session: its intents, its sequence counter, and the dispatches not yet acknowledged."""

    id: str
    intents: int
    seq: int = 0
    log: list[dict[str, Any]] = field(default_factory=list, repr=False)
    connection: GatewayConnection | None = None
    invalid: bool = False
    shard: tuple[int, int] = (0, 1)  # (shard id, shard count)

    def owns(self, guild_id: int | None) -> bool:
        """Discord's rule: a server's events go to shard (guild_id >> 22) % count; DMs to shard 0."""
        shard_id, count = self.shard
        return shard_id == 0 if guild_id is None else (guild_id >> 22) % count == shard_id

    def emit(self, event: str, data: dict[str, Any]) -> None:
        """Sequence and buffer a dispatch, and send it if the session is connected."""
        self.seq += 1
        frame = {"op": DISPATCH, "t": event, "s": self.seq, "d": data}
        self.log.append(frame)
        if self.connection is not None and self.connection.live:
            self.connection.enqueue(frame)

    def acknowledge(self, seq: int | None) -> None:
        """The client has processed everything up to ``seq``; it will never ask for it again."""
        if seq is not None:
            self.log = [f for f in self.log if f["s"] > seq]

    def missed_since(self, seq: int | None) -> list[dict[str, Any]]:
        return [f for f in self.log if seq is None or f["s"] > seq]


class GatewayConnection:
    """One websocket: an ordered outgoing queue drained by a single writer task."""

    def __init__(self, ws: web.WebSocketResponse, request: web.Request, compress: str | None) -> None:
        self.ws = ws
        self.request = request
        self.session: GatewaySession | None = None
        self.live = False
        self.closed_by_server = False
        self._queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self._compress: Callable[[bytes], bytes] | None = None
        if compress == "zlib-stream":
            self._compress = _zlib_compressor()
        elif compress == "zstd-stream":
            self._compress = _zstd_compressor()
        self._writer = asyncio.create_task(self._write_loop(), name="emulator-gateway-writer")

    def enqueue(self, frame: dict[str, Any]) -> None:
        self._queue.put_nowait(frame)

    async def _write_loop(self) -> None:
        while True:
            frame = await self._queue.get()
            if frame is None or self.ws.closed:
                return
            encoded = orjson.dumps(frame)  # compact UTF-8 JSON, as Discord sends
            try:
                if self._compress is not None:
                    await self.ws.send_bytes(self._compress(encoded))
                else:
                    await self.ws.send_str(encoded.decode())
            except (ConnectionError, RuntimeError):
                return

    async def close(self, code: int) -> None:
        """Close from the server side after flushing what was already queued."""
        self.closed_by_server = True
        self.live = False
        self._queue.put_nowait(None)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.shield(self._writer), 1.0)
        await self.ws.close(code=code)

    def abort(self) -> None:
        """Drop the TCP connection without a close frame, like a network failure."""
        self.closed_by_server = True
        self.live = False
        self._queue.put_nowait(None)
        transport = self.request.transport
        if transport is not None:
            transport.abort()

    async def finished(self) -> None:
        self.live = False
        self._queue.put_nowait(None)
        self._writer.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._writer


class Gateway:
    """Serves the gateway websocket and routes dispatches from the state to sessions."""

    def __init__(
        self,
        state: EmulatorState,
        *,
        token: str,
        heartbeat_interval: int,
        enabled_intents: Callable[[], int],
    ) -> None:
        self.state = state
        self.token = token
        self.heartbeat_interval = heartbeat_interval
        self._enabled_intents = enabled_intents
        self.url = ""
        self.sessions: dict[str, GatewaySession] = {}
        self.connections: set[GatewayConnection] = set()
        self.identifies: list[IdentifyRecord] = []
        self.ready_count = 0
        self._disrupted_at = 0
        self._open = asyncio.Event()
        self._open.set()
        self._closing = False
        self._tasks: set[asyncio.Task[None]] = set()

    # -- routing dispatches --------------------------------------------------------------------

    def _bot_sees(self, guild_id: int | None, channel_id: int | None, event: str) -> bool:
        if guild_id is None:
            return True
        guild = self.state.guilds.get(guild_id)
        if guild is None or (not guild.bot_present and event != "GUILD_DELETE"):
            return False
        if channel_id is not None and event in _CHANNEL_SCOPED:
            channel = self.state.channels.get(channel_id)
            return channel is not None and bool(channel.permissions_for(self.state.bot.id) & _VIEW_CHANNEL)
        return True

    def _for_session(
        self, session: GatewaySession, event: str, data: dict[str, Any], private: bool
    ) -> dict[str, Any]:
        """The session's view: no content without MESSAGE_CONTENT, no members without GUILD_MEMBERS."""
        if (
            private
            and not session.intents & Intent.MESSAGE_CONTENT
            and event in ("MESSAGE_CREATE", "MESSAGE_UPDATE")
        ):
            data = dict(data, content="", embeds=[], attachments=[], components=[])
        if event == "GUILD_CREATE" and not session.intents & Intent.GUILD_MEMBERS:
            bot_id = str(self.state.bot.id)
            data = dict(data, members=[m for m in data.get("members", []) if m["user"]["id"] == bot_id])
        return data

    def dispatch(
        self,
        event: str,
        data: dict[str, Any],
        *,
        guild_id: int | None = None,
        channel_id: int | None = None,
        private_content: bool = False,
    ) -> None:
        """Send an event to every session entitled to it (connected now, or buffered for RESUME)."""
        if not self._bot_sees(guild_id, channel_id, event):
            return
        needed = required_intent(event, in_guild=guild_id is not None)
        for session in list(self.sessions.values()):
            if session.invalid or (needed is not None and not session.intents & needed):
                continue
            if not session.owns(guild_id):
                continue
            session.emit(event, self._for_session(session, event, data, private_content))

    # -- the websocket handler -------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        # A short close timeout: a client that vanished must not stall a server-side close.
        ws = web.WebSocketResponse(autoping=True, timeout=2.0, compress=False)
        await ws.prepare(request)
        await self._open.wait()
        if self._closing:
            await ws.close(code=1001)
            return ws
        query = request.query
        compress = query.get("compress")
        conn = GatewayConnection(ws, request, compress)
        self.connections.add(conn)
        try:
            if query.get("v", "10") != "10":
                await conn.close(CLOSE_INVALID_API_VERSION)
                return ws
            if query.get("encoding", "json") != "json" or (
                compress == "zstd-stream" and conn._compress is None
            ):
                await conn.close(CLOSE_DECODE_ERROR)
                return ws
            conn.enqueue(
                {"op": HELLO, "s": None, "t": None, "d": {"heartbeat_interval": self.heartbeat_interval}}
            )
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    if msg.type is WSMsgType.BINARY:
                        await conn.close(CLOSE_DECODE_ERROR)
                    break
                try:
                    frame = json.loads(msg.data)
                except ValueError:
                    await conn.close(CLOSE_DECODE_ERROR)
                    break
                await self._on_frame(conn, frame)
                if conn.closed_by_server:
                    break
        finally:
            await self._connection_ended(conn)
        return ws

    async def _connection_ended(self, conn: GatewayConnection) -> None:
        self.connections.discard(conn)
        await conn.finished()
        session = conn.session
        if session is not None and session.connection is conn:
            session.connection = None
            # A client that closes cleanly (1000/1001) ends its session, as on Discord.
            if not conn.closed_by_server and conn.ws.close_code in (1000, 1001):
                session.invalid = True
        self.state.notify()

    async def _on_frame(self, conn: GatewayConnection, frame: dict[str, Any]) -> None:
        op = frame.get("op")
        data = frame.get("d")
        if op == HEARTBEAT:
            if conn.session is not None and isinstance(data, int):
                conn.session.acknowledge(data)
            conn.enqueue({"op": HEARTBEAT_ACK, "s": None, "t": None, "d": None})
        elif op == IDENTIFY:
            await self._identify(conn, data if isinstance(data, dict) else {})
        elif op == RESUME:
            await self._resume(conn, data if isinstance(data, dict) else {})
        elif conn.session is None:
            await conn.close(CLOSE_NOT_AUTHENTICATED)
        elif op == REQUEST_GUILD_MEMBERS:
            self._request_members(conn.session, data if isinstance(data, dict) else {})
        elif op in (PRESENCE_UPDATE, VOICE_STATE_UPDATE, REQUEST_SOUNDBOARD_SOUNDS):
            return
        else:
            await conn.close(CLOSE_UNKNOWN_OPCODE)

    def _token_ok(self, token: Any) -> bool:
        return isinstance(token, str) and token.removeprefix("Bot ") == self.token

    async def _identify(self, conn: GatewayConnection, data: dict[str, Any]) -> None:
        if conn.session is not None:
            await conn.close(CLOSE_ALREADY_AUTHENTICATED)
            return
        if not self._token_ok(data.get("token")):
            await conn.close(CLOSE_AUTHENTICATION_FAILED)
            return
        intents = data.get("intents")
        if not isinstance(intents, int) or intents < 0 or intents & ~ALL_INTENTS:
            await conn.close(CLOSE_INVALID_INTENTS)
            return
        if intents & PRIVILEGED & ~self._enabled_intents():
            await conn.close(CLOSE_DISALLOWED_INTENTS)
            return
        shard = data.get("shard")
        count = self.state.shard_count
        if shard is None and count > 1:
            await conn.close(CLOSE_SHARDING_REQUIRED)
            return
        valid = isinstance(shard, list) and len(shard) == 2 and all(isinstance(n, int) for n in shard)
        if shard is not None and not (valid and shard[1] == count and 0 <= shard[0] < count):
            await conn.close(CLOSE_INVALID_SHARD)
            return
        session = GatewaySession(secrets.token_hex(16), intents)
        session.shard = (shard[0], shard[1]) if shard is not None else (0, 1)
        self.sessions[session.id] = session
        self.identifies.append(
            IdentifyRecord(
                session.id, intents, dict(data.get("properties") or {}), shard, self.state.clock.now()
            )
        )
        conn.session = session
        session.connection = conn
        conn.live = True
        session.emit("READY", self._ready_payload(session))
        for guild in list(self.state.guilds.values()):
            # As on Discord, READY goes out at once and the guilds stream in after it.
            await asyncio.sleep(0)
            if not (guild.bot_present and session.intents & Intent.GUILDS and session.owns(guild.id)):
                continue
            if guild.arrives_late:
                # A guild in an outage is backfilled as GUILD_DELETE marked unavailable.
                session.emit("GUILD_DELETE", {"id": str(guild.id), "unavailable": True})
                continue
            payload = self.state.guild_create_payload(guild)
            payload = self._for_session(session, "GUILD_CREATE", payload, False)
            session.emit("GUILD_CREATE", payload)
        self.ready_count += 1
        self.state.notify()

    def _ready_payload(self, session: GatewaySession) -> dict[str, Any]:
        state = self.state
        flags = 0
        for bit, app_flag in APP_FLAG_FOR_INTENT.items():
            if self._enabled_intents() & bit:
                flags |= app_flag
        user = state.bot.payload()
        user.update({"verified": True, "mfa_enabled": False, "email": None})
        return {
            "v": 10,
            "user": user,
            "guilds": [
                {"id": str(g.id), "unavailable": True}
                for g in state.guilds.values()
                if g.bot_present and session.owns(g.id)
            ],
            "session_id": session.id,
            "resume_gateway_url": self.url,
            "shard": list(session.shard),
            "application": {"id": str(state.application_id), "flags": flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "user_settings": {},
            "geo_ordered_rtc_regions": [],
            "session_type": "normal",
        }

    async def _resume(self, conn: GatewayConnection, data: dict[str, Any]) -> None:
        if not self._token_ok(data.get("token")):
            await conn.close(CLOSE_AUTHENTICATION_FAILED)
            return
        session = self.sessions.get(str(data.get("session_id")))
        if session is None or session.invalid:
            conn.enqueue({"op": INVALID_SESSION, "s": None, "t": None, "d": False})
            return
        previous = session.connection
        if previous is not None and previous is not conn:
            # The old socket is dead or dying; close it without making this RESUME wait.
            previous.session = None
            if not previous.closed_by_server:
                self._spawn(previous.close(CLOSE_UNKNOWN_ERROR))
        seq = data.get("seq")
        conn.session = session
        session.connection = conn
        for frame in session.missed_since(seq if isinstance(seq, int) else None):
            conn.enqueue(frame)
        conn.live = True
        session.emit("RESUMED", {})
        self.ready_count += 1
        self.state.notify()

    def _request_members(self, session: GatewaySession, data: dict[str, Any]) -> None:
        guild = self.state.guilds.get(int(data.get("guild_id") or 0))
        if guild is None or not guild.bot_present:
            return
        query = str(data.get("query") or "").lower()
        limit = int(data.get("limit") or 0)
        user_ids = {int(u) for u in data.get("user_ids") or []}
        found = []
        for uid in guild.members:
            user = self.state.users[uid]
            if user_ids and uid not in user_ids:
                continue
            if query and not user.name.lower().startswith(query):
                continue
            found.append(guild.member_payload(uid))
        if limit:
            found = found[:limit]
        chunk: dict[str, Any] = {
            "guild_id": str(guild.id),
            "members": found,
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [str(u) for u in user_ids if u not in guild.members],
        }
        if data.get("presences"):
            chunk["presences"] = []
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        session.emit("GUILD_MEMBERS_CHUNK", chunk)

    # -- disruptions on demand -------------------------------------------------------------------

    def _live(self) -> list[GatewayConnection]:
        return [c for c in self.connections if c.session is not None and not c.closed_by_server]

    def mark_disrupted(self) -> None:
        self._disrupted_at = self.ready_count

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def drop_connection(self, code: int | None = None) -> None:
        """Cut every live connection (TCP abort by default, or a close frame with ``code``)."""
        self.mark_disrupted()
        for conn in self._live():
            if code is None:
                conn.abort()
            else:
                self._spawn(conn.close(code))

    def request_reconnect(self) -> None:
        """Send op 7 RECONNECT; the client reconnects and resumes."""
        self.mark_disrupted()
        for conn in self._live():
            conn.enqueue({"op": RECONNECT, "s": None, "t": None, "d": None})

    def invalidate_session(self, *, resumable: bool) -> None:
        """Send op 9 INVALID_SESSION; non-resumable sessions are forgotten, forcing a new IDENTIFY."""
        self.mark_disrupted()
        for conn in self._live():
            if not resumable and conn.session is not None:
                conn.session.invalid = True
            conn.enqueue({"op": INVALID_SESSION, "s": None, "t": None, "d": resumable})

    @contextlib.asynccontextmanager
    async def offline(self, code: int | None = None) -> AsyncIterator[None]:
        """Drop the connection and hold reconnect attempts until the block ends."""
        self._open.clear()
        try:
            self.drop_connection(code)
            yield
        finally:
            self._open.set()

    async def wait_for_ready(self, timeout: float) -> None:
        """Wait for a READY or RESUMED sent after the last disruption (or the first READY)."""
        marker = self._disrupted_at

        def probe() -> bool:
            return self.ready_count > marker and any(c.live for c in self.connections)

        await self.state.signal.wait_for(probe, timeout, "the bot to be (re)connected (READY or RESUMED)")

    async def close(self) -> None:
        self._closing = True
        self._open.set()
        for conn in list(self.connections):
            await conn.close(1001)
        for task in list(self._tasks):
            task.cancel()
