"""Walk a corpus root safely: regular files only, nothing outside the root, reasons for what is skipped.

No Dagster import: used by the raw_documents asset, the new-files sensor and the benchmarks.
"""
from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from stat import S_ISDIR, S_ISLNK, S_ISREG
from typing import NamedTuple

# Extensions we parse. Anything else under the root is recorded as rejected with this reason,
# so "files seen = raw_documents + rejected_documents" holds.
ARTICLE_SUFFIXES = frozenset({".txt", ".text", ".json", ".jsonl", ".ndjson", ".xml", ".trec", ".sgml", ""})


class CorpusFile(NamedTuple):
    """One listed file. A named tuple, not a dataclass: iter_corpus_files builds one per file of
    the corpus (252,830 of them on ANT x8: 0.15 s as frozen dataclasses, 0.06 s as named tuples);
    a refresh's listing is kept as columns instead (ListingPage), with no object per file."""

    path: str            # absolute path as found under the root (not resolved through symlinks)
    bytes: int
    mtime_ns: int
    problem: str | None  # why it cannot be ingested, decided without reading it; None if fine


UNREADABLE = "file is not readable (permission denied)"


def iter_corpus_files(root: Path, check_access: bool = True) -> Iterator[CorpusFile]:
    """Every non-hidden file under root, sorted, with a problem for files we must not read.

    Symlinks are followed only when their target stays inside the root; directories reached
    through symlinks are not walked (as os.walk does by default), so no cycle and no escape. A
    directory that cannot be listed is skipped, as os.walk does. Files come before the
    subdirectories of their directory, each sorted by name (os.walk's top-down order).
    ``check_access=False`` leaves out the read-permission check (a system call a file) for a
    caller that checks only the files it is about to read (ingest: most files of a refresh are
    unchanged and not read).
    """
    for page in _walk(Path(root), check_access):
        yield from map(CorpusFile, page.paths, page.bytes, page.mtime_ns, page.problems)


def _walk(root: Path, check_access: bool) -> Iterator[ListingPage]:
    """iter_corpus_files(root, check_access) as columns, a page per directory with files, in walk order."""
    # Every refresh lists the whole corpus, so this loop is written for speed: one generator over
    # a stack of directories (no nested generator per directory level); each directory is read
    # through a descriptor of its own, so each lstat looks up one name in it (fstatat) rather than
    # the whole path from the root (on the slower machine of 2026-11-29 the listing's kernel time
    # fell from 1.19 to 0.80 s); names from os.listdir, one lstat each, and columns rather than an
    # object per file. Listing ANT x8 (252,830 files) into the pickled chunks a listing made ahead
    # writes took 3.7-4.1 s from os.scandir's entries and a named tuple a file, 2.1-2.3 s this way
    # (the lstat calls alone ~0.8 s; scratch, the same machine).
    root = Path(root).resolve()
    pending = [str(root)]
    while pending:
        directory = pending.pop()
        try:
            fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            continue
        try:
            page, subdirs = _scan(root, directory, fd, check_access)
        finally:
            os.close(fd)
        if len(page):
            yield page
        pending.extend(reversed(subdirs))  # the first subdirectory is walked next


def _scan(root: Path, directory: str, fd: int, check_access: bool) -> tuple[ListingPage, list[str]]:
    """The files of one directory (open as `fd`), sorted by name, and its subdirectories' paths;
    empty when it cannot be listed. Each name's lstat is made relative to `fd`."""
    try:
        names = sorted(name for name in os.listdir(fd) if not name.startswith("."))
    except OSError:
        return ListingPage([], [], [], []), []
    prefix = directory + os.sep
    paths: list[str] = []
    sizes: list[int] = []
    mtimes: list[int] = []
    problems: list[str | None] = []
    subdirs = []
    for name in names:
        path = prefix + name
        try:
            st = os.stat(name, dir_fd=fd, follow_symlinks=False)
        except OSError as exc:
            listed = CorpusFile(path, 0, 0, f"cannot stat file: {exc.strerror}")
        else:
            mode = st.st_mode
            if S_ISDIR(mode):
                subdirs.append(path)
                continue
            if S_ISREG(mode) and not check_access and _suffix(name).lower() in ARTICLE_SUFFIXES:
                paths.append(path)
                sizes.append(st.st_size)
                mtimes.append(st.st_mtime_ns)
                problems.append(None)
                continue
            if S_ISLNK(mode) and _links_to_directory(name, fd):
                continue  # neither listed nor walked, as os.walk leaves it: no cycle, no double
            listed = _describe(root, path, name, st, check_access)
        paths.append(listed.path)
        sizes.append(listed.bytes)
        mtimes.append(listed.mtime_ns)
        problems.append(listed.problem)
    return ListingPage(paths, sizes, mtimes, problems), subdirs


def _links_to_directory(name: str, fd: int) -> bool:
    try:
        return S_ISDIR(os.stat(name, dir_fd=fd).st_mode)
    except OSError:
        return False  # broken or looping: listed with its problem


def _describe(root: Path, path: str, name: str, lst: os.stat_result, check_access: bool) -> CorpusFile:
    """The listed file at `path`, whose lstat is `lst`: symlinks resolved, problems named."""
    if S_ISLNK(lst.st_mode):
        try:
            target = Path(path).resolve(strict=True)
        except (OSError, RuntimeError):
            return CorpusFile(path, 0, lst.st_mtime_ns, "broken or looping symlink")
        if not target.is_relative_to(root):
            return CorpusFile(path, 0, lst.st_mtime_ns, "symlink points outside the corpus root")
        try:
            st = os.stat(path)
        except OSError as exc:
            return CorpusFile(path, 0, lst.st_mtime_ns, f"cannot stat symlink target: {exc.strerror}")
    else:
        st = lst
    if not S_ISREG(st.st_mode):
        return CorpusFile(path, 0, st.st_mtime_ns, "not a regular file")
    suffix = _suffix(name).lower()
    if suffix not in ARTICLE_SUFFIXES:
        return CorpusFile(path, st.st_size, st.st_mtime_ns, f"unsupported file type {suffix!r}")
    if check_access and not os.access(path, os.R_OK):
        return CorpusFile(path, st.st_size, st.st_mtime_ns, UNREADABLE)
    return CorpusFile(path, st.st_size, st.st_mtime_ns, None)


def _suffix(name: str) -> str:
    """What Path(name).suffix gives ('.txt'; '' for 'README' or 'notes.'), without building a Path:
    that was ~40 % of listing ANT x4's 126,415 files (cProfile), which every refresh does."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def corpus_signature(root: Path) -> str:
    """A cheap fingerprint of the listing (paths, sizes, mtimes) for the new-files sensor."""
    import hashlib

    h = hashlib.sha256()
    for f in iter_corpus_files(root):
        h.update(f"{f.path}\0{f.bytes}\0{f.mtime_ns}\n".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


# Listing ahead: `news-assets build` starts a child process that lists the corpus while this one
# imports Dagster and builds its definitions (~1.6 s before the ingest run lists anything), so on
# a machine with a core to spare the listing costs a refresh nothing until it outgrows that start.
# Listing ANT x8 (252,830 files) took 1.3-1.5 s inside the ingest run.
LISTING_AHEAD_MAX_AGE = 60.0  # seconds: an older listing is not used (the corpus may have changed since)
_LISTING_CHUNK = 10_000  # files per pickled chunk: the reader holds one chunk at a time
_LISTINGS_AHEAD: dict[str, "ListingAhead"] = {}
# The child: imports this module from where the parent imported it, writes pickled chunks (the
# four columns of a ListingPage) to stdout and then None (the end marker: a file without it is an
# unfinished listing).
_CHILD = """import sys
sys.path.insert(0, sys.argv[1])
from news_assets.corpus import _write_listing
_write_listing(sys.argv[2], sys.stdout.buffer, int(sys.argv[3]))
"""


class ListingPage:
    """Consecutive listed files as columns: what a refresh compares with the stored rows without
    building an object per file (most files of a refresh are unchanged). ``file(i)`` builds one."""

    __slots__ = ("paths", "bytes", "mtime_ns", "problems")

    def __init__(self, paths: list[str], bytes: list[int], mtime_ns: list[int], problems: list[str | None]):  # noqa: A002
        self.paths, self.bytes, self.mtime_ns, self.problems = paths, bytes, mtime_ns, problems

    def __len__(self) -> int:
        return len(self.paths)

    def file(self, i: int) -> CorpusFile:
        return CorpusFile(self.paths[i], self.bytes[i], self.mtime_ns[i], self.problems[i])


class ListingAhead:
    """The corpus under `root` listed by a child process (iter_corpus_files with
    check_access=False) into an anonymous temporary file, read back a chunk at a time."""

    def __init__(self, root: Path):
        import subprocess
        import sys
        import tempfile

        self.root = str(Path(root).resolve())
        self.started = time.monotonic()
        self._out = tempfile.TemporaryFile()  # unlinked already: nothing to clean up, whatever happens
        package_parent = str(Path(__file__).resolve().parent.parent)
        self._proc = subprocess.Popen([sys.executable, "-c", _CHILD, package_parent, self.root,
                                       str(_LISTING_CHUNK)],
                                      stdin=subprocess.DEVNULL, stdout=self._out, stderr=subprocess.DEVNULL)

    def pages(self) -> Iterator[ListingPage] | None:
        """The listed files, in walk order, as the child wrote them (pages of _LISTING_CHUNK),
        once the child is done; None if it failed."""
        import pickle

        if self._proc.wait() != 0:
            self._out.close()
            return None
        self._out.seek(0)

        def chunks() -> Iterator[ListingPage]:
            with self._out:
                while (chunk := pickle.load(self._out)) is not None:
                    yield ListingPage(*chunk)
        return chunks()

    def discard(self) -> None:
        self._proc.kill()
        self._proc.wait()
        self._out.close()


def start_listing_ahead(root: Path) -> None:
    """List `root` in a child process now, for the next listed_files(root) of this process."""
    try:
        ahead = ListingAhead(root)
    except OSError:
        return  # no child process or temporary file: the ingest lists the corpus itself
    previous = _LISTINGS_AHEAD.pop(ahead.root, None)
    if previous is not None:
        previous.discard()
    _LISTINGS_AHEAD[ahead.root] = ahead


def discard_listings_ahead() -> None:
    """Stop and forget every listing made ahead and not used (a build that failed before ingest)."""
    while _LISTINGS_AHEAD:
        _LISTINGS_AHEAD.popitem()[1].discard()


def listed_files(root: Path) -> tuple[Iterator[CorpusFile], str | None]:
    """Every file under root as iter_corpus_files(root, check_access=False) lists it, taken from the
    listing started ahead for this root (start_listing_ahead) when there is one and it is at most
    LISTING_AHEAD_MAX_AGE seconds old; used once. Also a note when a listing ahead was not used."""
    pages, note = listed_pages(root, _LISTING_CHUNK)
    return (page.file(i) for page in pages for i in range(len(page))), note


def listed_pages(root: Path, size: int) -> tuple[Iterator[ListingPage], str | None]:
    """listed_files(root) as pages of ``size`` files (the last one shorter), in the same order.

    From a listing made ahead, no object is built per file: a refresh of ANT x8 (255,035 files)
    spent 0.31 s turning the pickled chunks into CorpusFile tuples, 0.09 s reading the columns."""
    ahead = _LISTINGS_AHEAD.pop(str(Path(root).resolve()), None)
    note, pages = None, None
    if ahead is not None and time.monotonic() - ahead.started > LISTING_AHEAD_MAX_AGE:
        ahead.discard()
        note = "the listing made ahead was too old: listed again"
    elif ahead is not None:
        pages = ahead.pages()
        if pages is None:
            note = "the listing made ahead failed: listed again"
    if pages is None:
        pages = _walk(Path(root), check_access=False)
    return _repaged(pages, size), note


def _repaged(pages: Iterator[ListingPage], size: int) -> Iterator[ListingPage]:
    """The same files in pages of ``size`` (the last one shorter)."""
    held = ListingPage([], [], [], [])
    for page in pages:
        start = 0
        while start < len(page):
            take = min(size - len(held), len(page) - start)
            for mine, theirs in zip((held.paths, held.bytes, held.mtime_ns, held.problems),
                                    (page.paths, page.bytes, page.mtime_ns, page.problems)):
                mine.extend(theirs[start:start + take])
            start += take
            if len(held) == size:
                yield held
                held = ListingPage([], [], [], [])
    if len(held):
        yield held


def _write_listing(root: str, out, chunk_files: int) -> None:
    import pickle

    for page in _repaged(_walk(Path(root), check_access=False), chunk_files):
        pickle.dump((page.paths, page.bytes, page.mtime_ns, page.problems), out, protocol=pickle.HIGHEST_PROTOCOL)
    pickle.dump(None, out)
    out.flush()
