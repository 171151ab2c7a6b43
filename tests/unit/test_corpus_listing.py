"""Listing a corpus root: which files are taken and why others are not (news_assets.corpus)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

import news_assets.corpus as corpus
from news_assets.corpus import _suffix, iter_corpus_files, listed_files, listed_pages, start_listing_ahead


@pytest.mark.parametrize("name", ["a.txt", "A.TXT", "README", "notes.", "a.b.c", "a..", "x.tar.gz", "a.b.", "خبر.json"])
def test_suffix_is_what_pathlib_gives(name: str):
    assert _suffix(name) == Path(name).suffix


def test_listing_is_sorted_skips_hidden_and_gives_reasons(tmp_path: Path):
    (tmp_path / "b").mkdir()
    (tmp_path / ".hidden").mkdir()
    for rel in ["b/2.txt", "b/1.json", "a.txt", "README", "notes.pdf", "x.", ".dot.txt", ".hidden/z.txt"]:
        (tmp_path / rel).write_text("نص", encoding="utf-8")
    listed = {os.path.relpath(f.path, tmp_path): f.problem for f in iter_corpus_files(tmp_path)}
    assert list(listed) == ["README", "a.txt", "notes.pdf", "x.", "b/1.json", "b/2.txt"]
    assert listed["notes.pdf"] == "unsupported file type '.pdf'"
    assert listed["README"] is None and listed["x."] is None  # no suffix: read and sniffed
    assert listed["a.txt"] is None


def test_read_permission_is_checked_unless_the_caller_checks_it_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from news_assets import corpus

    (tmp_path / "a.txt").write_text("نص", encoding="utf-8")
    asked = []
    monkeypatch.setattr(corpus.os, "access", lambda path, mode: asked.append(path) or False)  # as if unreadable
    assert [f.problem for f in iter_corpus_files(tmp_path)] == [corpus.UNREADABLE]
    assert [f.problem for f in iter_corpus_files(tmp_path, check_access=False)] == [None]
    assert len(asked) == 1


def test_walk_order_symlinks_and_special_files(tmp_path: Path):
    # os.walk's top-down order: a directory's files (sorted), then each subdirectory in turn.
    root = tmp_path / "root"
    for rel in ["z.txt", "a/2.txt", "a/b/1.txt", "a/c.txt", "ab/x.txt"]:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("نص", encoding="utf-8")
    (tmp_path / "outside.txt").write_text("خارج", encoding="utf-8")
    (root / "link_in.txt").symlink_to(root / "z.txt")
    (root / "link_out.txt").symlink_to(tmp_path / "outside.txt")
    (root / "broken.txt").symlink_to(root / "missing.txt")
    (root / "linked_dir").symlink_to(root / "a", target_is_directory=True)  # not walked: no cycles, no doubles
    os.mkfifo(root / "pipe.txt")
    listed = [(os.path.relpath(f.path, root), f.problem) for f in iter_corpus_files(root)]
    assert listed == [
        ("broken.txt", "broken or looping symlink"),
        ("link_in.txt", None),
        ("link_out.txt", "symlink points outside the corpus root"),
        ("pipe.txt", "not a regular file"),
        ("z.txt", None),
        ("a/2.txt", None),
        ("a/c.txt", None),
        ("a/b/1.txt", None),
        ("ab/x.txt", None),
    ]
    sizes = {os.path.relpath(f.path, root): f.bytes for f in iter_corpus_files(root)}
    assert sizes["link_in.txt"] == sizes["z.txt"] == len("نص".encode())  # a link inside the root: its target's size


def _tree(root: Path) -> None:
    for rel in ["z.txt", "a/2.txt", "a/b/1.txt", "notes.pdf", "ab/اسم.txt"]:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("نص", encoding="utf-8")
    (root / "out.txt").symlink_to("/etc/hostname")


def test_a_listing_made_ahead_is_the_listing_and_is_used_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    root = tmp_path / "root"
    _tree(root)
    expected = list(iter_corpus_files(root, check_access=False))
    start_listing_ahead(root)
    made = []
    real_pages = corpus.ListingAhead.pages
    monkeypatch.setattr(corpus.ListingAhead, "pages", lambda self: made.append(self) or real_pages(self))
    files, note = listed_files(root / "a" / "..")  # the same root, spelled differently
    assert note is None and made and list(files) == expected
    # Used once: the next listing is made here, and sees what changed since.
    (root / "new.txt").write_text("جديد", encoding="utf-8")
    files, note = listed_files(root)
    assert len(made) == 1 and note is None
    assert [f.path for f in files] == sorted([f.path for f in expected[:3]] + [str(root / "new.txt")]) + \
        [f.path for f in expected[3:]]


def test_a_listing_made_ahead_that_failed_or_is_old_is_made_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    root = tmp_path / "root"
    _tree(root)
    expected = list(iter_corpus_files(root, check_access=False))
    monkeypatch.setattr(corpus, "_CHILD", "raise SystemExit(3)")
    start_listing_ahead(root)
    files, note = listed_files(root)
    assert "failed" in note and list(files) == expected
    monkeypatch.undo()
    start_listing_ahead(root)
    (root / "late.txt").write_text("متأخر", encoding="utf-8")
    monkeypatch.setattr(corpus, "LISTING_AHEAD_MAX_AGE", 0.0)
    files, note = listed_files(root)
    assert "too old" in note and str(root / "late.txt") in [f.path for f in files]


@pytest.mark.parametrize("ahead", [True, False])
def test_listed_pages_hold_the_listing_in_order_whatever_the_chunks_it_was_written_in(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ahead: bool):
    root = tmp_path / "root"
    _tree(root)
    for i in range(4):
        (root / "b" / f"{i}.txt").parent.mkdir(exist_ok=True)
        (root / "b" / f"{i}.txt").write_text("نص", encoding="utf-8")
    expected = list(iter_corpus_files(root, check_access=False))
    monkeypatch.setattr(corpus, "_LISTING_CHUNK", 2)  # listed in chunks of 2 (here or by the child): pages of 3 cross them
    if ahead:
        start_listing_ahead(root)
    pages, note = listed_pages(root, 3)
    pages = list(pages)
    assert note is None and not corpus._LISTINGS_AHEAD
    assert [len(p) for p in pages] == [3] * (len(expected) // 3) + ([len(expected) % 3] if len(expected) % 3 else [])
    assert [p.file(i) for p in pages for i in range(len(p))] == expected
    assert any(f.problem for f in expected)  # the problem column travels too
