"""Turning a validated message body (JSON or multipart) into stored message fields.

Channel messages, interaction responses and webhook follow-ups all accept the same message
body, so they share this code: which fields are taken, which flags may be set, and how
``attachments`` + ``files[n]`` map onto stored :class:`~.models.Attachment` objects (on edit,
``attachments`` lists what to keep, as in API v10).
"""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import FormErrors, too_large
from .models import (
    FLAG_COMPONENTS_V2,
    FLAG_EPHEMERAL,
    FLAG_SUPPRESS_EMBEDS,
    FLAG_SUPPRESS_NOTIFICATIONS,
    Attachment,
)

if TYPE_CHECKING:
    from .state import EmulatorState

#: Default upload limit for a server without boosts (``attachment_size_limit`` in interactions).
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
ATTACHMENTS_MAX = 10

CHANNEL_MESSAGE_FLAGS = FLAG_SUPPRESS_EMBEDS | FLAG_SUPPRESS_NOTIFICATIONS | FLAG_COMPONENTS_V2
INTERACTION_MESSAGE_FLAGS = CHANNEL_MESSAGE_FLAGS | FLAG_EPHEMERAL


@dataclass
class Upload:
    """A ``files[n]`` part of a multipart request."""

    index: int
    filename: str
    content_type: str
    data: bytes


def _normalise_embed(embed: Mapping[str, Any]) -> dict[str, Any]:
    data = dict(embed)
    data.setdefault("type", "rich")
    return data


def message_fields(payload: Mapping[str, Any], *, allowed_flags: int, editing: bool) -> dict[str, Any]:
    """The model fields a body sets; on edit, absent keys leave the message unchanged."""
    fields: dict[str, Any] = {}
    if "content" in payload or not editing:
        fields["content"] = payload.get("content") or ""
    if "embeds" in payload or not editing:
        fields["embeds"] = [_normalise_embed(e) for e in payload.get("embeds") or []]
    if "components" in payload or not editing:
        fields["components"] = [dict(c) for c in payload.get("components") or []]
    if "flags" in payload and payload["flags"] is not None:
        fields["flags"] = int(payload["flags"]) & allowed_flags
    elif not editing:
        fields["flags"] = 0
    return fields


def build_attachments(
    state: EmulatorState,
    channel_id: int,
    payload: Mapping[str, Any],
    uploads: Sequence[Upload],
    *,
    existing: Sequence[Attachment] = (),
    ephemeral: bool = False,
) -> list[Attachment] | None:
    """Attachments after this request, or None when the request does not touch them."""
    for upload in uploads:
        if len(upload.data) > ATTACHMENT_SIZE_LIMIT:
            raise too_large()
    described = {}
    keep_ids: set[int] | None = None
    if payload.get("attachments") is not None:
        keep_ids = set()
        for item in payload["attachments"]:
            try:
                ident = int(item.get("id"))
            except (TypeError, ValueError):
                continue
            described[ident] = item
            keep_ids.add(ident)
    if keep_ids is None and not uploads:
        return None
    result = [a for a in existing if keep_ids is None or a.id in keep_ids]
    for upload in uploads:
        meta = described.get(upload.index, {})
        filename = meta.get("filename") or upload.filename
        guessed = mimetypes.guess_type(filename)[0]
        content_type = guessed or upload.content_type or "application/octet-stream"
        if content_type.startswith("text/"):
            content_type += "; charset=utf-8"
        att_id = state.ids.next()
        attachment = Attachment(
            id=att_id,
            filename=filename,
            content_type=content_type,
            data=upload.data,
            url=f"{state.base_url}/attachments/{channel_id}/{att_id}/{filename}",
            description=meta.get("description"),
            ephemeral=ephemeral,
        )
        state.uploads[att_id] = attachment
        result.append(attachment)
    if len(result) > ATTACHMENTS_MAX:
        errors = FormErrors()
        errors.max_length(("attachments",), ATTACHMENTS_MAX)
        errors.raise_if_any()
    return result
