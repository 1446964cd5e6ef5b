"""Match a file's header to the schema: fix near-exact names, suggest the closest for the rest.

The columns kept are the schema's plus the channel table's columns outside it (a
``spend_column`` such as ``TV_Spend``, or a channel's exposure column that the
published file does not have); see :func:`channel_columns`.

Fixable: a column named ``Week`` (taken as ``Date``), case/space/hyphen differences
(``sales units`` -> ``Sales_Units``), other columns (ignored, listed) and column order.
Fatal: a schema or channel column that is missing (with the closest name in the file as
a suggestion; a channel column's message names its ``data_config.yaml`` key) and a
column that appears twice in the header.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping

import pandas as pd

from mmm_analytics.channels import Channels
from mmm_analytics.data import schema
from mmm_analytics.data.issues import Issue, Rule, fatal, fixed
from mmm_analytics.errors import InputError

#: Other names accepted for a schema column (lower-case, underscores).
ALIASES: dict[str, str] = {
    "week": schema.DATE,
    "week_start": schema.DATE,
    "date_week": schema.DATE,
    "region": schema.GEO,  # the commands and reports call a geo a region
}
#: How close (0-1, difflib ratio) a file's column must be to be suggested for a missing one.
SUGGESTION_CUTOFF = 0.6
#: How a message names the role of a schema column a channel may not use.
_ROLE_WORDS: dict[schema.Role, str] = {schema.Role.KPI: "sales", schema.Role.ID: "identifier"}
_MANGLED = re.compile(r"^(?P<name>.+)\.(?P<copy>\d+)$")


def canonical_key(name: str) -> str:
    """Lower-case name with spaces and hyphens as underscores and invisible format characters (a zero-width
    space pasted from a web page, a soft hyphen) dropped: ``' Sales Units'`` -> ``'sales_units'``."""
    visible = "".join(ch for ch in str(name) if unicodedata.category(ch) != "Cf")
    return re.sub(r"[\s\-]+", "_", visible.strip()).lower()


def shown_name(name: str) -> str:
    """``name`` for a message, its invisible or unprintable characters escaped (``Sales\\u200b_Value``):
    a header that differs from the schema's only by one of those looks the same on screen otherwise."""
    return "".join(
        ch if ch.isprintable() and unicodedata.category(ch) != "Cf" else ch.encode("unicode_escape").decode("ascii")
        for ch in str(name)
    )


def closest_column(name: str, candidates: list[str]) -> str | None:
    """The candidate most similar to ``name`` (case-insensitive), or None if none is close."""
    keyed = {canonical_key(c): c for c in candidates}
    match = difflib.get_close_matches(canonical_key(name), list(keyed), n=1, cutoff=SUGGESTION_CUTOFF)
    return keyed[match[0]] if match else None


def channel_columns(channels: Channels | None) -> dict[str, str]:
    """The channel table's data columns outside the schema -> the ``data_config.yaml`` key naming each.

    Keys are in the table's order (exposure columns, then spend columns), e.g.
    ``{"TV_Spend": "channels.TV.spend_column"}``; empty for ``None`` or a table that only
    names schema columns.
    """
    if channels is None:
        return {}
    named = [(column, f"channels.{name}.column") for name, column in zip(channels.names, channels.columns, strict=True)]
    named += [
        (spend, f"channels.{name}.spend_column")
        for name, spend in zip(channels.names, channels.spend_column, strict=True)
        if spend is not None
    ]
    found: dict[str, str] = {}
    for column, key in named:
        if column not in schema.COLUMNS and column not in found:
            found[column] = key
    return found


def check_channel_columns(channels: Channels) -> None:
    """A channel's ``column`` or ``spend_column`` may be a schema media column or a column outside
    the schema, never another schema column (sales, a price, a promotion, a control): the model
    would read that column as the channel's media.

    Raises
    ------
    InputError
        Naming the ``data_config.yaml`` key, the column and what it holds.
    """
    media = schema.columns_with_role(schema.Role.MEDIA)
    for name, column, spend in zip(channels.names, channels.columns, channels.spend_column, strict=True):
        for key, value in (("column", column), ("spend_column", spend)):
            if value is None or value not in schema.COLUMNS or value in media:
                continue
            role, unit = schema.COLUMNS[value]
            wanted = (
                f"the channel's own exposure column (media columns: {', '.join(media)})"
                if key == "column"
                else "a column of the channel's weekly spend in INR outside the schema (e.g. TV_Spend)"
            )
            raise InputError(
                f"data_config.yaml: channels.{name}.{key} is '{value}', the schema's "
                f"{_ROLE_WORDS.get(role, role.value)} column ({unit}), not the channel's media; set it to {wanted}"
            )


def _renames(columns: list[str], source: str, wanted: list[str]) -> tuple[dict[str, str], list[Issue]]:
    known = {canonical_key(c): c for c in wanted} | ALIASES
    renames: dict[str, str] = {}
    issues: list[Issue] = []
    for column in columns:
        target = known.get(canonical_key(column))
        if column in wanted or target is None or target in columns or target in renames.values():
            continue
        renames[column] = target
        detail = f"read from the file's column '{shown_name(column)}'"
        issues.append(fixed(Rule.RENAMED_COLUMN, source, target, 1, column, detail))
    return renames, issues


def _duplicated_header(columns: list[str], source: str) -> list[Issue]:
    issues = []
    for column in columns:
        found = _MANGLED.match(column)
        if found and found["name"] in columns:
            name = found["name"]
            issues.append(
                fatal(
                    Rule.DUPLICATE_COLUMN,
                    source,
                    name,
                    2,
                    name,
                    "appears more than once in the header; keep one and rename or delete the others",
                )
            )
    return issues


def _missing(columns: list[str], source: str, channel_keys: Mapping[str, str]) -> list[Issue]:
    unknown = [c for c in columns if c not in schema.COLUMNS and c not in channel_keys]
    issues = []
    for column in (c for c in schema.ALL_COLUMNS if c not in columns):
        suggestion = closest_column(column, unknown)
        hint = (
            f"the file has '{shown_name(suggestion)}': rename it to '{column}'"
            if suggestion
            else "add it (the panel needs all 28 columns of the MMM Weekly India schema)"
        )
        issues.append(fatal(Rule.MISSING_COLUMN, source, column, 0, suggestion or "", f"is missing; {hint}"))
    media = [c for c in columns if c in schema.columns_with_role(schema.Role.MEDIA)]
    for column, key in channel_keys.items():
        if column in columns:
            continue
        # an exposure column may be a misspelt schema media column; a spend column is not one
        suggestion = closest_column(column, unknown + media if key.endswith(".column") else unknown)
        if suggestion is None:
            hint = "add the column to the file or correct that key"
        elif suggestion in schema.COLUMNS:
            hint = f"did you mean '{suggestion}'? set {key}: {suggestion}"
        else:
            hint = f"the file has '{shown_name(suggestion)}': rename it to '{column}' or set {key}: {suggestion}"
        detail = f"is missing; data_config.yaml key '{key}' names it: {hint}"
        issues.append(fatal(Rule.MISSING_COLUMN, source, column, 0, suggestion or "", detail))
    return issues


def normalise_columns(
    raw: pd.DataFrame, source: str, channel_keys: Mapping[str, str] | None = None
) -> tuple[pd.DataFrame, list[Issue]]:
    """Rename, drop and reorder columns so the frame has exactly the schema and channel columns.

    Parameters
    ----------
    raw : DataFrame
        The file as read, any header.
    source : str
        File name used in messages.
    channel_keys : mapping or None
        Channel columns outside the schema -> their ``data_config.yaml`` key
        (:func:`channel_columns`); each must be in the file and is kept.

    Returns
    -------
    frame : DataFrame with columns ``schema.ALL_COLUMNS`` then the ``channel_keys`` columns
        (empty when a fatal issue was found).
    issues : list of Issue, fatal and fixed.
    """
    channel_keys = dict(channel_keys or {})
    wanted = [*schema.ALL_COLUMNS, *channel_keys]
    columns = [str(c) for c in raw.columns]
    frame = raw.set_axis(columns, axis=1)
    issues = _duplicated_header(columns, source)
    renames, rename_issues = _renames(columns, source, wanted)
    issues += rename_issues
    frame = frame.rename(columns=renames)
    present = list(frame.columns)
    issues += _missing(present, source, channel_keys)
    if any(issue.fatal for issue in issues):
        return frame.iloc[:0], issues
    extra = [c for c in present if c not in schema.COLUMNS and c not in channel_keys]
    for column in extra:
        issues.append(fixed(Rule.EXTRA_COLUMN, source, column, 1, "", "is not in the schema and was ignored"))
    if [c for c in present if c in schema.COLUMNS] != list(schema.ALL_COLUMNS):
        issues.append(fixed(Rule.COLUMN_ORDER, source, "(header)", 1, "", "columns were put in the schema order"))
    return frame[wanted], issues
