"""DuckDB storage: locked connections, the schema, and the SQL files under sql/."""
from news_assets.warehouse.db import Warehouse, load_sql, query, run_sql
from news_assets.warehouse.state import RefreshPlan, plan_refresh

__all__ = ["RefreshPlan", "Warehouse", "load_sql", "plan_refresh", "query", "run_sql"]
