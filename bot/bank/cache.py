"""Parsed question files kept between starts.

Reading YAML is most of a large bank's load time (libyaml composes every node with its position, then
every value is built), and the files rarely change between restarts. The cache keeps each file's parsed
data and field line numbers as JSON, keyed by a hash of the file's bytes: a changed file is simply a
miss. Validation still runs on every load, so the cache can only save the parse, never let a bad
question through. A file whose data JSON cannot carry exactly (YAML dates, keys that are not
strings) is never cached. A missing, unreadable or stale cache is just a slower start.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from pathlib import Path
from typing import Any

import orjson

log = logging.getLogger(__name__)

#: Bump when the cached shape (the loader's parsed data or line index) or what the loader accepts
#: before caching changes. 2: nested field lines; files with YAML anchors are no longer accepted, so
#: entries parsed from them before must not be served.
FORMAT = 2


class ParsedFileCache:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._entries: dict[str, Any] = {}
        self._used: set[str] = set()
        self._changed = False
        try:
            stored = orjson.loads(path.read_bytes())
            if stored.get("format") == FORMAT:
                self._entries = dict(stored["files"])
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            pass  # no cache yet, or not one we can read: parse everything

    @staticmethod
    def key(content: bytes) -> str:
        return hashlib.sha256(content).hexdigest()

    def get(self, key: str) -> Any | None:
        entry = self._entries.get(key)
        if entry is not None:
            self._used.add(key)
        return entry

    def put(self, key: str, entry: Any) -> None:
        try:
            exact = orjson.loads(orjson.dumps(entry)) == entry
        except TypeError:
            exact = False
        if exact:
            self._entries[key] = entry
            self._used.add(key)
            self._changed = True

    def save(self) -> None:
        """Write the entries this load used (files since removed drop out), if anything changed."""
        if not self._changed and self._used == set(self._entries):
            return
        files = {key: self._entries[key] for key in sorted(self._used)}
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(orjson.dumps({"format": FORMAT, "files": files}))
            temporary.replace(self.path)  # atomic: a crash leaves the old cache or the new one
        except OSError as exc:
            log.warning("could not save the question cache %s: %s", self.path, exc)
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
