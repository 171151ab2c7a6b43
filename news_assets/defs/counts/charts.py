"""Charts: pictures of the counts for the UI (top entities per day, the co-occurrence network)."""
import dagster as dg

from news_assets.defs.charts import markdown_image
from news_assets.defs.counts.assets import entity_cooccurrence, mention_counts_daily
from news_assets.defs.entities.assets import entities
from news_assets.defs.resources import WarehouseResource
from news_assets.versions import COUNTS_VERSION
from news_assets.warehouse import run_sql

CHART_DAYS = 30


@dg.asset(
    group_name="counts",
    kinds={"duckdb", "python"},
    owners=["team:news-data"],
    code_version=COUNTS_VERSION,
    deps=[mention_counts_daily, entity_cooccurrence, entities],
)
def entity_charts(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """PNG charts of the last 30 publication days: top entities' daily mentions and the co-occurrence network."""
    # matplotlib takes ~0.5 s to import: only this asset pays it, not every run and worker.
    from news_assets.charts import cooccurrence_network_png, top_entities_daily_png

    wh = warehouse.get()
    with wh.connect() as con:
        first, last = run_sql(con, "counts/chart_window", days=CHART_DAYS).fetchone()
        if last is None:
            return dg.MaterializeResult(metadata={"status": "no dated mentions yet"})
        top_png = top_entities_daily_png(con, first, last)
        network_png = cooccurrence_network_png(con, first, last)
    # Also written beside the warehouse, for people who want the files.
    folder = wh.published_path.parent / "charts"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "top_entities_daily.png").write_bytes(top_png)
    (folder / "cooccurrence_network.png").write_bytes(network_png)
    return dg.MaterializeResult(metadata={
        "window": f"{first} … {last}",
        "top_entities_chart": markdown_image(top_png, "top entities, daily mentions"),
        "cooccurrence_chart": markdown_image(network_png, "co-occurrence network"),
        "files": dg.MetadataValue.path(str(folder)),
    })
