"""The board through which range runs side by side share their batches (news_assets.sharing)."""
from __future__ import annotations

import subprocess
import sys
import time

import pytest

from news_assets.sharing import Board, batch_bounds, current_board, using_board


@pytest.mark.parametrize("n,batch,parts", [(0, 10, 4), (1, 10, 4), (3, 10, 4), (10, 10, 4), (25, 10, 1), (25, 10, 4),
                                           (2500, 2500, 4), (31_523, 2500, 4), (7, 2, 4)])
def test_batch_bounds_cover_every_item_once_in_order(n, batch, parts):
    bounds = batch_bounds(n, batch, parts)
    assert [i for a, b in bounds for i in range(a, b)] == list(range(n))
    assert all(0 < b - a <= batch for a, b in bounds)
    if parts > 1 and n > batch >= parts:
        # The last `batch` items come in `parts` pieces; the ones before them in whole batches.
        assert len(bounds[-parts:]) == parts and bounds[-parts][0] == n - batch
        assert all(b - a == batch for a, b in bounds[:-parts - 1])


def test_batch_bounds_without_a_board_are_the_plain_batches():
    assert batch_bounds(25, 10) == [(0, 10), (10, 20), (20, 25)]
    assert batch_bounds(25, 10, 4) == [(0, 10), (10, 15), (15, 17), (17, 20), (20, 22), (22, 25)]


def _claim_in_another_process(folder, key: str, i: int, then: str) -> subprocess.Popen:
    """A process that claims batch i and then either writes a result and lets go ("done"), or
    exits without one ("die"), after 0.5 s; it prints whether it got the claim."""
    code = (
        "import os, sys, time\n"
        "from news_assets.sharing import Board\n"
        f"b = Board({str(folder)!r})\n"
        f"with b.claim({key!r}, {i}) as got:\n"
        "    print(got, flush=True)\n"
        "    time.sleep(0.5)\n"
        f"    if got and {then!r} == 'die':\n"
        "        os._exit(0)\n"
        f"    if got:\n"
        f"        b.done({key!r}, {i}, (7, 1))\n"
    )
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)


def test_a_batch_is_claimed_once_and_its_result_waits_for_the_holder(tmp_path):
    board = Board(tmp_path)
    board.publish("r", {"units": [(["a"], None), (["b"], None)]})
    helper = _claim_in_another_process(tmp_path, "r", 1, "done")
    assert helper.stdout.readline().strip() == "True"
    with board.claim("r", 1) as ours:
        assert not ours  # the helper has it
    with board.claim("r", 0) as ours:
        assert ours
    assert board.taken("r", 0) and board.taken("r", 1)
    started = time.monotonic()
    assert board.result("r", 1) == (7, 1)  # waited for the helper to write it and let go
    assert time.monotonic() - started > 0.2
    helper.wait(10)
    assert [key for key, _ in board.open_plans()] == ["r"]
    board.finish("r")
    assert board.open_plans() == []


def test_a_helper_that_dies_leaves_no_result_and_the_owner_runs_the_batch(tmp_path):
    board = Board(tmp_path)
    helper = _claim_in_another_process(tmp_path, "r", 3, "die")
    assert helper.stdout.readline().strip() == "True"
    assert board.result("r", 3) is None  # its lock went with its process
    helper.wait(10)


def test_the_board_is_set_for_a_block_only(tmp_path):
    assert current_board() is None
    with using_board(tmp_path) as board:
        assert current_board() is board and board.folder == tmp_path
        with using_board(None):
            assert current_board() is None
        assert current_board() is board
    assert current_board() is None
