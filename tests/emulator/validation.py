"""Discord's documented payload limits, enforced with Discord's 50035 error shape.

Sources (Discord developer docs):
- message content 2000 chars, up to 10 embeds: "Create Message" (resources/message)
- embed limits (title 256, description 4096, 25 fields, field name 256 / value 1024, footer 2048,
  author name 256, 6000 across all embeds, whitespace trimmed): "Embed Limits" (resources/message)
- components: 5 action rows (legacy), 5 buttons or one select per row, custom_id max 100 and
  unique per message, button label 80, select options 25, option label/value/description 100,
  placeholder 150, min/max values 0..25: "Component Reference" (components/reference)
- command naming regex, lowercase, 1-32 chars, description 1-100, 25 options, required before
  optional, 25 choices, choice name 1-100 and string value up to 100, autocomplete not with
  choices: "Application Commands" (interactions/application-commands)
- 25 autocomplete choices: "Interaction Callback Data Structure" (interactions/receiving-and-responding)
- thread name 1-100 chars, auto_archive_duration one of 60/1440/4320/10080, rate_limit_per_user
  0-21600 or null: "Start Thread from Message" (resources/channel)
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from .errors import FormErrors, empty_message
from .models import AUTO_ARCHIVE_DURATIONS

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELDS_MAX = 25
EMBED_FIELD_NAME_MAX = 256
EMBED_FIELD_VALUE_MAX = 1024
EMBED_FOOTER_MAX = 2048
EMBED_AUTHOR_MAX = 256
EMBED_TOTAL_MAX = 6000
ACTION_ROWS_MAX = 5
ROW_BUTTONS_MAX = 5
CUSTOM_ID_MAX = 100
BUTTON_LABEL_MAX = 80
SELECT_OPTIONS_MAX = 25
SELECT_TEXT_MAX = 100
PLACEHOLDER_MAX = 150
COMPONENTS_V2_TOTAL_MAX = 40
COMMAND_NAME_MAX = 32
COMMAND_DESCRIPTION_MAX = 100
COMMAND_OPTIONS_MAX = 25
CHOICES_MAX = 25
CHOICE_NAME_MAX = 100
CHOICE_STRING_VALUE_MAX = 100
AUTOCOMPLETE_CHOICES_MAX = 25
NONCE_MAX = 25
THREAD_NAME_MAX = 100
RATE_LIMIT_PER_USER_MAX = 21600

FLAG_COMPONENTS_V2 = 1 << 15
BUTTON_STYLES = {1, 2, 3, 4, 5, 6}
LINK_STYLE = 5
PREMIUM_STYLE = 6
SELECT_TYPES = {3, 5, 6, 7, 8}
INTERACTIVE_TYPES = {2, 4} | SELECT_TYPES

SUB_COMMAND = 1
SUB_COMMAND_GROUP = 2
OPTION_TYPES = set(range(1, 12))
CHOICE_TYPES = {3, 4, 10}
CHAT_INPUT = 1


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _measure(value: Any) -> int:
    """Embed lengths are measured after trimming surrounding whitespace."""
    return len(_text(value).strip())


# -- messages -------------------------------------------------------------------------------------


def validate_embeds(embeds: Any, errors: FormErrors) -> None:
    if not isinstance(embeds, list):
        errors.add(("embeds",), "BASE_TYPE_ARRAY", "Must be an array.")
        return
    if len(embeds) > EMBEDS_MAX:
        errors.max_length(("embeds",), EMBEDS_MAX)
    total = 0
    for i, embed in enumerate(embeds):
        path: tuple[str | int, ...] = ("embeds", i)
        if not isinstance(embed, Mapping):
            errors.add(path, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")
            continue
        for key, limit in (("title", EMBED_TITLE_MAX), ("description", EMBED_DESCRIPTION_MAX)):
            size = _measure(embed.get(key))
            total += size
            if size > limit:
                errors.max_length((*path, key), limit)
        fields = embed.get("fields") or []
        if len(fields) > EMBED_FIELDS_MAX:
            errors.max_length((*path, "fields"), EMBED_FIELDS_MAX)
        for j, fld in enumerate(fields):
            for key, limit in (("name", EMBED_FIELD_NAME_MAX), ("value", EMBED_FIELD_VALUE_MAX)):
                size = _measure(fld.get(key))
                total += size
                if size == 0:
                    errors.required((*path, "fields", j, key))
                elif size > limit:
                    errors.max_length((*path, "fields", j, key), limit)
        for key, inner, limit in (("footer", "text", EMBED_FOOTER_MAX), ("author", "name", EMBED_AUTHOR_MAX)):
            part = embed.get(key)
            if isinstance(part, Mapping):
                size = _measure(part.get(inner))
                total += size
                if size > limit:
                    errors.max_length((*path, key, inner), limit)
    if total > EMBED_TOTAL_MAX:
        errors.add(
            ("embeds",), "MAX_EMBED_SIZE_EXCEEDED", f"Embed size exceeds maximum size of {EMBED_TOTAL_MAX}"
        )


def _check_custom_id(
    component: Mapping[str, Any], path: tuple[str | int, ...], seen: set[str], errors: FormErrors
) -> None:
    custom_id = component.get("custom_id")
    if not isinstance(custom_id, str) or not 1 <= len(custom_id) <= CUSTOM_ID_MAX:
        errors.length_between((*path, "custom_id"), 1, CUSTOM_ID_MAX)
        return
    if custom_id in seen:
        errors.add(
            (*path, "custom_id"), "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated"
        )
    seen.add(custom_id)


def _validate_button(
    button: Mapping[str, Any], path: tuple[str | int, ...], seen: set[str], errors: FormErrors
) -> None:
    style = button.get("style")
    if style not in BUTTON_STYLES:
        errors.add((*path, "style"), "BASE_TYPE_CHOICES", f"Value must be one of {sorted(BUTTON_STYLES)}.")
        return
    label = button.get("label")
    if label is not None and len(_text(label)) > BUTTON_LABEL_MAX:
        errors.max_length((*path, "label"), BUTTON_LABEL_MAX)
    if style == LINK_STYLE:
        if not button.get("url"):
            errors.required((*path, "url"))
        if button.get("custom_id") is not None:
            errors.add(
                (*path, "custom_id"),
                "BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED",
                "Link buttons cannot have a custom_id",
            )
    elif style == PREMIUM_STYLE:
        if not button.get("sku_id"):
            errors.required((*path, "sku_id"))
    else:
        if button.get("url"):
            errors.add((*path, "url"), "BUTTON_COMPONENT_URL_NOT_ALLOWED", "Only link buttons can have a url")
        _check_custom_id(button, path, seen, errors)


def _validate_select(
    select: Mapping[str, Any], path: tuple[str | int, ...], seen: set[str], errors: FormErrors
) -> None:
    _check_custom_id(select, path, seen, errors)
    if select.get("placeholder") is not None and len(_text(select.get("placeholder"))) > PLACEHOLDER_MAX:
        errors.max_length((*path, "placeholder"), PLACEHOLDER_MAX)
    min_values = select.get("min_values", 1)
    max_values = select.get("max_values", 1)
    if not 0 <= min_values <= SELECT_OPTIONS_MAX:
        errors.add((*path, "min_values"), "NUMBER_TYPE_MAX", f"int value should be <= {SELECT_OPTIONS_MAX}.")
    if not 1 <= max_values <= SELECT_OPTIONS_MAX or max_values < min_values:
        errors.add((*path, "max_values"), "NUMBER_TYPE_MAX", f"int value should be <= {SELECT_OPTIONS_MAX}.")
    if select.get("type") == 3:
        options = select.get("options") or []
        if not 1 <= len(options) <= SELECT_OPTIONS_MAX:
            errors.length_between((*path, "options"), 1, SELECT_OPTIONS_MAX)
        values: set[str] = set()
        for k, option in enumerate(options):
            for key in ("label", "value", "description"):
                text = option.get(key)
                if key != "description" and not text:
                    errors.required((*path, "options", k, key))
                elif text is not None and len(_text(text)) > SELECT_TEXT_MAX:
                    errors.max_length((*path, "options", k, key), SELECT_TEXT_MAX)
            if option.get("value") in values:
                errors.add(
                    (*path, "options", k, "value"),
                    "SELECT_COMPONENT_OPTION_VALUE_DUPLICATED",
                    "Duplicate value",
                )
            values.add(_text(option.get("value")))
        if len(options) and max_values > len(options):
            errors.add((*path, "max_values"), "NUMBER_TYPE_MAX", f"int value should be <= {len(options)}.")


def _validate_row(
    row: Mapping[str, Any], path: tuple[str | int, ...], seen: set[str], errors: FormErrors
) -> None:
    children = row.get("components") or []
    buttons = [c for c in children if c.get("type") == 2]
    selects = [c for c in children if c.get("type") in SELECT_TYPES]
    if not children:
        errors.length_between((*path, "components"), 1, ROW_BUTTONS_MAX)
    if len(buttons) > ROW_BUTTONS_MAX or (selects and (buttons or len(selects) > 1)):
        errors.add(
            (*path, "components"),
            "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
            "The specified component exceeds the maximum width",
        )
    for k, child in enumerate(children):
        kind = child.get("type")
        if kind == 2:
            _validate_button(child, (*path, "components", k), seen, errors)
        elif kind in SELECT_TYPES:
            _validate_select(child, (*path, "components", k), seen, errors)
        else:
            errors.add(
                (*path, "components", k, "type"),
                "UNION_TYPE_CHOICES",
                'Value of field "type" must be one of (2, 3, 5, 6, 7, 8).',
            )


def _walk_v2(
    components: Sequence[Mapping[str, Any]], path: tuple[str | int, ...], seen: set[str], errors: FormErrors
) -> int:
    count = 0
    for k, component in enumerate(components):
        count += 1
        here = (*path, k)
        kind = component.get("type")
        if kind == 1:
            _validate_row(component, here, seen, errors)
            count += len(component.get("components") or [])
            continue
        if kind == 2:
            _validate_button(component, here, seen, errors)
        elif kind in SELECT_TYPES:
            _validate_select(component, here, seen, errors)
        accessory = component.get("accessory")
        if isinstance(accessory, Mapping):
            count += 1
            if accessory.get("type") == 2:
                _validate_button(accessory, (*here, "accessory"), seen, errors)
        count += _walk_v2(component.get("components") or [], (*here, "components"), seen, errors)
    return count


def validate_components(components: Any, flags: int, errors: FormErrors) -> None:
    if not isinstance(components, list):
        errors.add(("components",), "BASE_TYPE_ARRAY", "Must be an array.")
        return
    seen: set[str] = set()
    if flags & FLAG_COMPONENTS_V2:
        total = _walk_v2(components, ("components",), seen, errors)
        if total > COMPONENTS_V2_TOTAL_MAX:
            errors.max_length(("components",), COMPONENTS_V2_TOTAL_MAX)
        return
    if len(components) > ACTION_ROWS_MAX:
        errors.max_length(("components",), ACTION_ROWS_MAX)
    for i, row in enumerate(components):
        if row.get("type") != 1:
            errors.add(
                ("components", i, "type"), "UNION_TYPE_CHOICES", 'Value of field "type" must be one of (1,).'
            )
            continue
        _validate_row(row, ("components", i), seen, errors)


def validate_allowed_mentions(value: Any, errors: FormErrors) -> None:
    if not isinstance(value, Mapping):
        return
    parse = value.get("parse") or []
    for kind in ("users", "roles"):
        if kind in parse and value.get(kind):
            errors.add(
                ("allowed_mentions", "parse"),
                "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.',
            )


def validate_message(payload: Mapping[str, Any], *, files: int, creating: bool) -> None:
    """Check a message create/edit body; raise 50035 (or 50006 for an empty create)."""
    errors = FormErrors()
    content = payload.get("content")
    if content is not None and len(_text(content)) > CONTENT_MAX:
        errors.max_length(("content",), CONTENT_MAX)
    if payload.get("embeds") is not None:
        validate_embeds(payload["embeds"], errors)
    flags = int(payload.get("flags") or 0)
    if payload.get("components") is not None:
        validate_components(payload["components"], flags, errors)
    if payload.get("allowed_mentions") is not None:
        validate_allowed_mentions(payload["allowed_mentions"], errors)
    nonce = payload.get("nonce")
    if nonce is not None and len(_text(nonce)) > NONCE_MAX:
        errors.max_length(("nonce",), NONCE_MAX)
    if flags & FLAG_COMPONENTS_V2 and (content or payload.get("embeds")):
        errors.add(
            ("content",),
            "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
            "The 'content' and 'embeds' fields cannot be used when using MessageFlags.IS_COMPONENTS_V2",
        )
    errors.raise_if_any()
    if creating and not (
        content
        or payload.get("embeds")
        or payload.get("components")
        or payload.get("sticker_ids")
        or payload.get("poll")
        or files
    ):
        raise empty_message()


# -- threads --------------------------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_thread_start(payload: Any) -> None:
    """Check a Start Thread body (``name``, ``auto_archive_duration``, ``rate_limit_per_user``)."""
    errors = FormErrors()
    if not isinstance(payload, Mapping):
        errors.add((), "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")
        errors.raise_if_any()
        return
    name = payload.get("name")
    if name is None:
        errors.required(("name",))
    elif not isinstance(name, str) or not 1 <= len(name) <= THREAD_NAME_MAX:
        errors.length_between(("name",), 1, THREAD_NAME_MAX)
    duration = payload.get("auto_archive_duration")
    if duration is not None and (not _is_int(duration) or duration not in AUTO_ARCHIVE_DURATIONS):
        errors.add(
            ("auto_archive_duration",),
            "BASE_TYPE_CHOICES",
            f"Value must be one of {list(AUTO_ARCHIVE_DURATIONS)}.",
        )
    slowmode = payload.get("rate_limit_per_user")
    if slowmode is not None:
        if not _is_int(slowmode):
            errors.add(("rate_limit_per_user",), "NUMBER_TYPE_COERCE", f'Value "{slowmode}" is not int.')
        elif slowmode < 0:
            errors.add(("rate_limit_per_user",), "NUMBER_TYPE_MIN", "int value should be >= 0.")
        elif slowmode > RATE_LIMIT_PER_USER_MAX:
            limit = RATE_LIMIT_PER_USER_MAX
            errors.add(("rate_limit_per_user",), "NUMBER_TYPE_MAX", f"int value should be <= {limit}.")
    errors.raise_if_any()


# -- application commands -------------------------------------------------------------------------


def _valid_name_char(char: str) -> bool:
    if char in "-_'":
        return True
    category = unicodedata.category(char)
    if category[0] in "LN":
        return True
    # \p{sc=Deva} and \p{sc=Thai} include combining marks.
    name = unicodedata.name(char, "")
    return category[0] == "M" and (name.startswith("DEVANAGARI") or name.startswith("THAI"))


def valid_chat_input_name(name: Any) -> str | None:
    """None if ``name`` satisfies Discord's CHAT_INPUT naming rule, else the reason."""
    if not isinstance(name, str) or not 1 <= len(name) <= COMMAND_NAME_MAX:
        return f"Must be between 1 and {COMMAND_NAME_MAX} in length."
    if not all(_valid_name_char(c) for c in name):
        return "Command name is invalid"
    if name != name.lower():
        return "Command name must be lowercase"
    return None


def _validate_choices(option: Mapping[str, Any], path: tuple[str | int, ...], errors: FormErrors) -> None:
    choices = option.get("choices")
    if choices is None:
        return
    if option.get("type") not in CHOICE_TYPES:
        errors.add(
            (*path, "choices"),
            "APPLICATION_COMMAND_OPTION_CHOICES_INVALID",
            "Choices are not allowed for this option type",
        )
        return
    if len(choices) > CHOICES_MAX:
        errors.max_length((*path, "choices"), CHOICES_MAX)
    if choices and option.get("autocomplete"):
        errors.add(
            (*path, "autocomplete"),
            "APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_WITH_CHOICES",
            "Autocomplete cannot be used with choices",
        )
    for k, choice in enumerate(choices):
        name = choice.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= CHOICE_NAME_MAX:
            errors.length_between((*path, "choices", k, "name"), 1, CHOICE_NAME_MAX)
        value = choice.get("value")
        if option.get("type") == 3:
            if not isinstance(value, str) or len(value) > CHOICE_STRING_VALUE_MAX:
                errors.max_length((*path, "choices", k, "value"), CHOICE_STRING_VALUE_MAX)
        elif not isinstance(value, (int, float)) or isinstance(value, bool):
            errors.add(
                (*path, "choices", k, "value"), "NUMBER_TYPE_COERCE", f'Value "{value}" is not a number.'
            )


def _validate_options(options: Any, path: tuple[str | int, ...], errors: FormErrors, *, depth: int) -> None:
    if not isinstance(options, list):
        errors.add(path, "BASE_TYPE_ARRAY", "Must be an array.")
        return
    if len(options) > COMMAND_OPTIONS_MAX:
        errors.max_length(path, COMMAND_OPTIONS_MAX)
    names: set[str] = set()
    seen_optional = False
    kinds = {o.get("type") for o in options}
    if kinds & {SUB_COMMAND, SUB_COMMAND_GROUP} and kinds - {SUB_COMMAND, SUB_COMMAND_GROUP}:
        errors.add(
            path,
            "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
            "Sub-command and sub-command group option types are mutually exclusive to all other types",
        )
    for i, option in enumerate(options):
        here = (*path, i)
        kind = option.get("type")
        if kind not in OPTION_TYPES:
            errors.add((*here, "type"), "BASE_TYPE_CHOICES", f"Value must be one of {sorted(OPTION_TYPES)}.")
            continue
        reason = valid_chat_input_name(option.get("name"))
        if reason:
            errors.add((*here, "name"), "APPLICATION_COMMAND_INVALID_NAME", reason)
        elif option["name"] in names:
            errors.add(
                (*here, "name"),
                "APPLICATION_COMMAND_OPTION_NAME_ALREADY_EXISTS",
                "Option names must be unique",
            )
        else:
            names.add(option["name"])
        description = option.get("description")
        if not isinstance(description, str) or not 1 <= len(description) <= COMMAND_DESCRIPTION_MAX:
            errors.length_between((*here, "description"), 1, COMMAND_DESCRIPTION_MAX)
        if kind in (SUB_COMMAND, SUB_COMMAND_GROUP):
            if depth >= (1 if kind == SUB_COMMAND_GROUP else 2):
                errors.add(
                    (*here, "type"),
                    "APPLICATION_COMMAND_OPTIONS_TOO_DEEP",
                    "Sub-commands cannot be nested this deep",
                )
            nested = option.get("options") or []
            if kind == SUB_COMMAND_GROUP and any(o.get("type") != SUB_COMMAND for o in nested):
                errors.add(
                    (*here, "options"),
                    "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                    "Groups may only contain sub-commands",
                )
            _validate_options(nested, (*here, "options"), errors, depth=depth + 1)
            continue
        if option.get("required"):
            if seen_optional:
                errors.add(
                    (*here, "required"),
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            seen_optional = True
        _validate_choices(option, here, errors)
        for key in ("min_length", "max_length"):
            value = option.get(key)
            if value is not None and not (0 if key == "min_length" else 1) <= value <= 6000:
                errors.add((*here, key), "NUMBER_TYPE_MAX", "int value should be <= 6000.")


def validate_commands(commands: Any) -> None:
    """Check a bulk-overwrite body (a list of command definitions); raise 50035 on any violation."""
    errors = FormErrors()
    if not isinstance(commands, list):
        errors.add((), "BASE_TYPE_ARRAY", "Must be an array.")
        errors.raise_if_any()
        return
    seen: set[tuple[int, str]] = set()
    for i, command in enumerate(commands):
        kind = command.get("type", CHAT_INPUT)
        name = command.get("name")
        if kind == CHAT_INPUT:
            reason = valid_chat_input_name(name)
            if reason:
                errors.add((i, "name"), "APPLICATION_COMMAND_INVALID_NAME", reason)
            description = command.get("description")
            if not isinstance(description, str) or not 1 <= len(description) <= COMMAND_DESCRIPTION_MAX:
                errors.length_between((i, "description"), 1, COMMAND_DESCRIPTION_MAX)
            _validate_options(command.get("options") or [], (i, "options"), errors, depth=0)
        elif not isinstance(name, str) or not 1 <= len(name) <= COMMAND_NAME_MAX:
            errors.length_between((i, "name"), 1, COMMAND_NAME_MAX)
        key = (kind, str(name))
        if key in seen:
            errors.add(
                (i, "name"),
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
                f"Application command names must be unique ({name})",
            )
        seen.add(key)
    errors.raise_if_any()


def validate_autocomplete_choices(data: Any) -> list[dict[str, Any]]:
    """Check an APPLICATION_COMMAND_AUTOCOMPLETE_RESULT body and return its choices."""
    errors = FormErrors()
    choices = (data or {}).get("choices")
    if not isinstance(choices, list):
        errors.required(("data", "choices"))
        errors.raise_if_any()
        return []
    if len(choices) > AUTOCOMPLETE_CHOICES_MAX:
        errors.max_length(("data", "choices"), AUTOCOMPLETE_CHOICES_MAX)
    for i, choice in enumerate(choices):
        name = choice.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= CHOICE_NAME_MAX:
            errors.length_between(("data", "choices", i, "name"), 1, CHOICE_NAME_MAX)
        value = choice.get("value")
        if isinstance(value, str) and len(value) > CHOICE_STRING_VALUE_MAX:
            errors.max_length(("data", "choices", i, "value"), CHOICE_STRING_VALUE_MAX)
    errors.raise_if_any()
    return [dict(c) for c in choices]
