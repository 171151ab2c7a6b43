"""Things that are slow to build and rebuildable, pickled in the user's cache (config.user_cache_dir)
in a file named after a digest of what they are built from: a changed input is a new file."""
from __future__ import annotations

import hashlib
import os
import pickle
import sys
from collections.abc import Iterable
from pathlib import Path

from news_assets.config import user_cache_dir


def cache_path(kind: str, inputs: Iterable[bytes]) -> Path:
    """<cache>/<kind>-<digest>.pickle, the digest over ``inputs`` (file contents, package versions)
    and this Python's version and pickle protocol."""
    digest = hashlib.sha256()
    for part in inputs:
        digest.update(part + b"\0")
    digest.update(f"python {sys.version_info[:2]} pickle {pickle.HIGHEST_PROTOCOL}".encode())
    return user_cache_dir() / f"{kind}-{digest.hexdigest()[:24]}.pickle"


def load(path: Path, kind: type) -> object | None:
    """The object pickled at ``path`` if it is a ``kind``; None if missing, damaged or foreign."""
    try:
        with open(path, "rb") as f:
            obj = pickle.load(f)
    except Exception:  # noqa: BLE001 - missing, truncated or foreign: rebuilt, never trusted
        return None
    return obj if isinstance(obj, kind) else None


def store(obj: object, path: Path) -> None:
    """Write atomically (processes building at once each rename a whole file into place) and drop
    the files of the same kind built from other inputs. A cache that cannot be written is skipped:
    what was built stands."""
    kind = path.name.rsplit("-", 1)[0]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, path)
        for old in path.parent.glob(f"{kind}-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass
