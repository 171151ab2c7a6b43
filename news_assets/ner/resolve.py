"""Mention type, stable entity ids and within-text resolution of canonical keys/names."""
from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass

__all__ = ["Mention", "entity_id", "RawMention", "resolve_mentions"]


@dataclass(frozen=True, slots=True)
class Mention:
    start: int  # char offsets into the text given; text[start:end] == surface
    end: int
    surface: str
    entity_type: str  # 'PERS' | 'LOC' | 'ORG' | 'MISC'
    canonical_key: str  # normalised name, clitics and titles stripped; equal keys = same entity
    canonical_name: str  # best display form of that entity in this text


def entity_id(entity_type: str, canonical_key: str) -> str:
    """Stable id across runs and documents: first 16 hex chars of sha256("TYPE|key")."""
    return hashlib.sha256(f"{entity_type}|{canonical_key}".encode("utf-8")).hexdigest()[:16]


@dataclass(slots=True)
class RawMention:
    """A selected span before keys are unified across the text."""

    start: int
    end: int
    entity_type: str
    norm: tuple[str, ...]  # normalised name tokens (no clitic, no title)
    key: str | None  # key fixed by a gazetteer (aliases), else None
    display: str | None  # display form fixed by a gazetteer (people table), else None
    restore_al: bool = False  # the surface lost its ال to a لل clitic (للأمم -> أمم)


def resolve_mentions(text: str, raws: list[RawMention], people_display: dict[str, str]) -> list[Mention]:
    """Give every mention its canonical key and display name.

    Persons: a mention whose tokens are the last token / a suffix / the whole of a
    longer person name in the same text takes that (most complete) name's key, so
    "ماكرون" and "إيمانويل ماكرون" share one key. Gazetteer keys (aliases, the
    well-known-people table) take precedence because they are cross-document.
    """
    # Most complete person names first, so shorter ones link to them.
    full_names: list[tuple[tuple[str, ...], str]] = []  # (tokens, key)
    for r in sorted((r for r in raws if r.entity_type == "PERS"), key=lambda r: -len(r.norm)):
        key = r.key or " ".join(r.norm)
        linked = None
        for toks, k in full_names:
            if len(r.norm) < len(toks) and _is_part(r.norm, toks):
                linked = k
                break
        if linked is not None:
            r.key = linked
        else:
            r.key = key
            full_names.append((r.norm, key))
            if r.key != " ".join(r.norm):
                # a table alias (ماكرون -> إيمانويل ماكرون): the full form links too
                full_names.append((tuple(r.key.split()), r.key))

    surfaces: dict[tuple[str, str], Counter] = {}
    for r in raws:
        if r.key is None:
            r.key = " ".join(r.norm)
        s = text[r.start : r.end]
        if r.restore_al:
            s = "ال" + s
        surfaces.setdefault((r.entity_type, r.key), Counter())[s] += 1

    best: dict[tuple[str, str], str] = {}
    for k, cnt in surfaces.items():
        # most complete (most tokens, then longest), then most frequent
        best[k] = max(cnt.items(), key=lambda kv: (len(kv[0].split()), len(kv[0]), kv[1]))[0]
        if k[0] == "PERS" and k[1] in people_display and len(people_display[k[1]].split()) > len(best[k].split()):
            best[k] = people_display[k[1]]
    return [
        Mention(r.start, r.end, text[r.start : r.end], r.entity_type, r.key, best[(r.entity_type, r.key)])
        for r in raws
    ]


def _is_part(short: tuple[str, ...], full: tuple[str, ...]) -> bool:
    """True if `short` is a suffix of `full` (surname, or given+surname of a longer name)
    or its first token when that is a multi-token compound (عبد الله)."""
    n = len(short)
    return full[-n:] == short or (n >= 2 and full[:n] == short)
