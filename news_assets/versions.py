"""Code versions of each stage. Bump one when its output for the same input changes: Dagster then
shows downstream data as stale, and the bookkeeping tables make the next run redo that stage."""

INGEST_VERSION = "1"
PARSER_VERSION = "1"
EXTRACTOR_VERSIONS = {"rules": "rules-3", "model": "model-8", "camel": "camel-1"}
ENTITIES_VERSION = "1"
DUPLICATES_VERSION = "1"
COUNTS_VERSION = "2"
