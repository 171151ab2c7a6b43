"""Charts: pictures of the counts for the UI (top entities per day, the co-occurrence network)."""
import hashlib
import importlib.metadata
import json
import os
from pathlib import Path

import dagster as dg

from news_assets.defs.charts import markdown_image
from news_assets.defs.counts.assets import entity_cooccurrence, mention_counts_daily
from news_assets.defs.entities.assets import entities
from news_assets.defs.resources import WarehouseResource
from news_assets.versions import COUNTS_VERSION
from news_assets.warehouse import run_sql
from news_assets.warehouse.db import load_sql

CHART_DAYS = 30
CHART_FILES = ("top_entities_daily.png", "cooccurrence_network.png")
# Beside the PNGs: what they were drawn from (drawing_key) and their sha256, for the next run.
INPUTS_FILE = ".drawn-from.json"


@dg.asset(
    group_name="counts",
    kinds={"duckdb", "python"},
    owners=["team:news-data"],
    code_version=COUNTS_VERSION,
    deps=[mention_counts_daily, entity_cooccurrence, entities],
)
def entity_charts(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """PNG charts of the last 30 publication days: top entities' daily mentions and the co-occurrence network."""
    wh = warehouse.get()
    folder = wh.published_path.parent / "charts"  # also written there, for people who want the files
    with wh.connect() as con:
        first, last = run_sql(con, "counts/chart_window", days=CHART_DAYS).fetchone()
        if last is None:
            return dg.MaterializeResult(metadata={"status": "no dated mentions yet"})
        key = drawing_key(run_sql(con, "counts/chart_inputs", start=first, end=last).fetchone(), first, last)
        # A run that changed nothing in the window (a backfill of older days, a forced one that
        # found the same mentions) keeps the pictures: drawing them took ~0.5 s, and ~0.4 s more to
        # import matplotlib, in every refresh's serial tail.
        pngs = kept_charts(folder, key)
        drawn = pngs is None
        if drawn:
            from news_assets.charts import cooccurrence_network_png, top_entities_daily_png

            pngs = (top_entities_daily_png(con, first, last), cooccurrence_network_png(con, first, last))
    if drawn:
        write_charts(folder, key, pngs)
    top_png, network_png = pngs
    return dg.MaterializeResult(metadata={
        "window": f"{first} … {last}",
        "top_entities_chart": markdown_image(top_png, "top entities, daily mentions"),
        "cooccurrence_chart": markdown_image(network_png, "co-occurrence network"),
        "files": dg.MetadataValue.path(str(folder)),
        "drawn": "now" if drawn else "kept: the window's counts, pairs and names are those they were drawn from",
    })


def drawing_key(inputs: tuple, first, last) -> str | None:  # noqa: ANN001 - dates
    """What a drawing of the window depends on: its data (counts/chart_inputs), the drawing code and
    its libraries. None when it cannot be told (an entity without a row in `entities`)."""
    counts, pairs, names, named, mentioned = inputs
    if named != mentioned:
        return None
    code = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for path in (here.parent.parent / "charts.py", Path(__file__).resolve()):
        code.update(path.read_bytes())
    for name in ("top_entities_daily", "cooccurrence_nodes", "cooccurrence_edges", "entity_names"):
        code.update(load_sql(f"charts/{name}").encode())
    versions = [importlib.metadata.version(p) for p in ("matplotlib", "pillow", "numpy")]
    return json.dumps([str(first), str(last), counts, pairs, names, code.hexdigest(), versions])


def kept_charts(folder: Path, key: str | None) -> tuple[bytes, bytes] | None:
    """The PNGs in ``folder`` when they were drawn from ``key`` and are still the files written."""
    if key is None:
        return None
    try:
        record = json.loads((folder / INPUTS_FILE).read_text())
        pngs = tuple((folder / name).read_bytes() for name in CHART_FILES)
    except (OSError, ValueError):
        return None
    if record.get("key") != key or record.get("sha256") != [hashlib.sha256(p).hexdigest() for p in pngs]:
        return None
    return pngs


def write_charts(folder: Path, key: str | None, pngs: tuple[bytes, bytes]) -> None:
    """The PNGs, then the record of what they were drawn from (last: a run killed between the two
    leaves a record that does not match the files, and the next run draws again)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / INPUTS_FILE).unlink(missing_ok=True)
    for name, png in zip(CHART_FILES, pngs, strict=True):
        (folder / name).write_bytes(png)
    if key is not None:
        tmp = folder / f"{INPUTS_FILE}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps({"key": key, "sha256": [hashlib.sha256(p).hexdigest() for p in pngs]}))
        os.replace(tmp, folder / INPUTS_FILE)
