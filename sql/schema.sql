-- The warehouse contract: tables and columns analysts, CI and outside checks rely on.
-- Names here are public: extend, never rename. Times are UTC (TIMESTAMP without zone holds UTC).
-- Idempotent: run on every write connection that finds the schema missing.

CREATE TABLE IF NOT EXISTS raw_documents (
    doc_id      VARCHAR NOT NULL,  -- sha256 of the file bytes (content address)
    sha256      VARCHAR NOT NULL,
    path        VARCHAR NOT NULL,  -- absolute path; one row per path
    format      VARCHAR NOT NULL,
    encoding    VARCHAR NOT NULL,
    bytes       BIGINT  NOT NULL,
    mtime_ns    BIGINT  NOT NULL,
    ingested_at TIMESTAMP NOT NULL,
    run_id      VARCHAR
);
COMMENT ON TABLE raw_documents IS 'Every readable file under the corpus root, content-addressed. A file that could not be read or decoded is in rejected_documents instead.';
COMMENT ON COLUMN raw_documents.doc_id IS 'sha256 (hex) of the file bytes; identical files at two paths share it and are parsed once';
COMMENT ON COLUMN raw_documents.sha256 IS 'sha256 (hex) of the file bytes, for row-level lineage';
COMMENT ON COLUMN raw_documents.path IS 'absolute path of the file when it was ingested; unique';
COMMENT ON COLUMN raw_documents.format IS 'detected format: plain | trec | json | jsonl';
COMMENT ON COLUMN raw_documents.encoding IS 'detected text encoding: utf-8 | utf-8-sig | utf-16 | cp1256';
COMMENT ON COLUMN raw_documents.bytes IS 'file size in bytes';
COMMENT ON COLUMN raw_documents.mtime_ns IS 'file modification time (ns); with bytes, lets a refresh skip unchanged files without reading them';
COMMENT ON COLUMN raw_documents.ingested_at IS 'UTC time this version of the file was first ingested';
COMMENT ON COLUMN raw_documents.run_id IS 'Dagster run that wrote the row';

CREATE TABLE IF NOT EXISTS rejected_documents (
    path     VARCHAR NOT NULL,
    sha256   VARCHAR,
    reason   VARCHAR NOT NULL,
    seen_at  TIMESTAMP NOT NULL,
    stage    VARCHAR NOT NULL,
    bytes    BIGINT,
    mtime_ns BIGINT,
    run_id   VARCHAR
);
COMMENT ON TABLE rejected_documents IS 'Quarantine: files that could not be ingested (stage=ingest) or that held no parseable article (stage=parse), with the reason.';
COMMENT ON COLUMN rejected_documents.path IS 'absolute path of the file';
COMMENT ON COLUMN rejected_documents.sha256 IS 'sha256 of the bytes when they could be read, else NULL';
COMMENT ON COLUMN rejected_documents.reason IS 'why it was rejected, in words';
COMMENT ON COLUMN rejected_documents.seen_at IS 'UTC time the rejection was recorded';
COMMENT ON COLUMN rejected_documents.stage IS 'ingest: not in raw_documents; parse: in raw_documents but yielded no article';
COMMENT ON COLUMN rejected_documents.run_id IS 'Dagster run that wrote the row';

CREATE TABLE IF NOT EXISTS parsed_documents (
    doc_id         VARCHAR NOT NULL,
    parser_version VARCHAR NOT NULL,
    status         VARCHAR NOT NULL,
    reason         VARCHAR,
    articles       INTEGER NOT NULL,
    parsed_at      TIMESTAMP NOT NULL
);
COMMENT ON TABLE parsed_documents IS 'Bookkeeping: which document was parsed by which parser version (a new parser version re-parses).';

CREATE TABLE IF NOT EXISTS articles (
    article_id        VARCHAR NOT NULL,
    doc_id            VARCHAR NOT NULL,
    parent_article_id VARCHAR,
    article_index     INTEGER NOT NULL,
    title             VARCHAR NOT NULL,
    title_derived     BOOLEAN NOT NULL,
    published_at      TIMESTAMP,
    published_date    DATE,
    date_raw          VARCHAR,
    date_status       VARCHAR NOT NULL,
    source            VARCHAR,
    url               VARCHAR,
    author            VARCHAR,
    category          VARCHAR,
    keywords          VARCHAR[] NOT NULL,
    body              VARCHAR NOT NULL,
    body_hash         VARCHAR NOT NULL,
    external_id       VARCHAR,
    format            VARCHAR NOT NULL,
    parsed_at         TIMESTAMP NOT NULL,
    run_id            VARCHAR
);
COMMENT ON TABLE articles IS 'Parsed articles, one row each; a "read also" article is its own row linked to its parent.';
COMMENT ON COLUMN articles.article_id IS 'first 16 hex of doc_id, a dash, the article index within the document';
COMMENT ON COLUMN articles.doc_id IS 'raw_documents.doc_id of the file it came from';
COMMENT ON COLUMN articles.parent_article_id IS 'for a related article printed under another: that article''s id; else NULL';
COMMENT ON COLUMN articles.article_index IS '0-based position of the article within its document';
COMMENT ON COLUMN articles.title IS 'headline as printed (or derived, see title_derived)';
COMMENT ON COLUMN articles.title_derived IS 'true when the source gave no headline and title is the first words of the body';
COMMENT ON COLUMN articles.published_at IS 'publication time in UTC; NULL when missing or not understood (see date_status)';
COMMENT ON COLUMN articles.published_date IS 'UTC date of published_at: the partition key of downstream assets';
COMMENT ON COLUMN articles.date_raw IS 'the date string as printed';
COMMENT ON COLUMN articles.date_status IS 'ok | missing | unparsed | out_of_range (a date before NEWS_PARTITIONS_START or after tomorrow: kept in published_at, published_date NULL)';
COMMENT ON COLUMN articles.source IS 'publishing outlet as printed (a related article inherits its parent''s)';
COMMENT ON COLUMN articles.url IS 'article URL when the document gives one';
COMMENT ON COLUMN articles.keywords IS 'keyword strings as printed';
COMMENT ON COLUMN articles.body IS 'original body text; entity offsets index into it (0-based, code points)';
COMMENT ON COLUMN articles.body_hash IS 'sha256 of body; entity extraction is redone only when it or the extractor changes';
COMMENT ON COLUMN articles.external_id IS 'identifier the document gives (TREC DOCNO, JSON id)';
COMMENT ON COLUMN articles.run_id IS 'Dagster run that wrote the row';

CREATE TABLE IF NOT EXISTS article_duplicates (
    article_id           VARCHAR NOT NULL,
    cluster_id           VARCHAR NOT NULL,
    canonical_article_id VARCHAR NOT NULL,
    duplicate_kind       VARCHAR NOT NULL,
    similarity           DOUBLE NOT NULL
);
COMMENT ON TABLE article_duplicates IS 'One row per article: its duplicate cluster (same normalised body, or a wire story republished with small edits).';
COMMENT ON COLUMN article_duplicates.cluster_id IS 'id of the cluster = article_id of its canonical article';
COMMENT ON COLUMN article_duplicates.canonical_article_id IS 'the earliest published article of the cluster (ties: smallest article_id)';
COMMENT ON COLUMN article_duplicates.duplicate_kind IS 'canonical | exact (same normalised body) | near (word 5-shingle Jaccard >= 0.8)';
COMMENT ON COLUMN article_duplicates.similarity IS 'exact shingle Jaccard with the canonical article (1.0 for canonical and exact)';

CREATE TABLE IF NOT EXISTS entity_mentions (
    mention_id     VARCHAR NOT NULL,
    article_id     VARCHAR NOT NULL,
    doc_id         VARCHAR NOT NULL,
    entity_id      VARCHAR NOT NULL,
    entity_type    VARCHAR NOT NULL,
    surface        VARCHAR NOT NULL,
    start_char     INTEGER NOT NULL,
    end_char       INTEGER NOT NULL,
    canonical_key  VARCHAR NOT NULL,
    canonical_name VARCHAR NOT NULL,
    extractor      VARCHAR NOT NULL,
    published_date DATE,
    run_id         VARCHAR
);
COMMENT ON TABLE entity_mentions IS 'Named-entity mentions in article bodies. substr(body, start_char+1, end_char-start_char) = surface.';
COMMENT ON COLUMN entity_mentions.mention_id IS 'article_id, a colon, start_char';
COMMENT ON COLUMN entity_mentions.article_id IS 'articles.article_id';
COMMENT ON COLUMN entity_mentions.doc_id IS 'raw_documents.doc_id (lineage to path and sha256)';
COMMENT ON COLUMN entity_mentions.entity_id IS 'entities.entity_id: one id for every spelling of the entity';
COMMENT ON COLUMN entity_mentions.entity_type IS 'PERS | LOC | ORG | MISC';
COMMENT ON COLUMN entity_mentions.surface IS 'the text as it appears in the body (clitics and titles excluded)';
COMMENT ON COLUMN entity_mentions.start_char IS '0-based code-point offset of the first character in articles.body';
COMMENT ON COLUMN entity_mentions.end_char IS '0-based code-point offset just past the last character';
COMMENT ON COLUMN entity_mentions.canonical_key IS 'normalised resolution key the entity_id is derived from';
COMMENT ON COLUMN entity_mentions.canonical_name IS 'the fullest form of the name the extractor saw in this article';
COMMENT ON COLUMN entity_mentions.extractor IS 'extractor and version that found it, e.g. rules-1';
COMMENT ON COLUMN entity_mentions.published_date IS 'articles.published_date (NULL for undated articles, written by asset undated_entity_mentions)';
COMMENT ON COLUMN entity_mentions.run_id IS 'Dagster run that wrote the row';

CREATE TABLE IF NOT EXISTS extraction_log (
    article_id        VARCHAR NOT NULL,
    body_hash         VARCHAR NOT NULL,
    extractor_version VARCHAR NOT NULL,
    mentions          INTEGER NOT NULL,
    published_date    DATE,
    extracted_at      TIMESTAMP NOT NULL,
    run_id            VARCHAR
);
COMMENT ON TABLE extraction_log IS 'Bookkeeping: which article body was run through which extractor version, so a refresh extracts only what is new.';

CREATE TABLE IF NOT EXISTS entities (
    entity_id        VARCHAR NOT NULL,
    canonical_name   VARCHAR NOT NULL,
    entity_type      VARCHAR NOT NULL,
    aliases          VARCHAR[] NOT NULL,
    canonical_key    VARCHAR NOT NULL,
    mentions         BIGINT NOT NULL,
    articles         BIGINT NOT NULL,
    undated_mentions BIGINT NOT NULL,
    first_seen       DATE,
    last_seen        DATE
);
COMMENT ON TABLE entities IS 'Canonical entities: one row per entity_id, with totals over all mentions, dated or not.';
COMMENT ON COLUMN entities.canonical_name IS 'the most complete common form of the name';
COMMENT ON COLUMN entities.aliases IS 'every distinct surface form seen, sorted';
COMMENT ON COLUMN entities.mentions IS 'all mentions, including those in undated articles';
COMMENT ON COLUMN entities.articles IS 'distinct articles mentioning it, dated or not';
COMMENT ON COLUMN entities.undated_mentions IS 'mentions in articles with no usable date (not in mention_counts_daily)';
COMMENT ON COLUMN entities.first_seen IS 'first published_date with a mention';
COMMENT ON COLUMN entities.last_seen IS 'last published_date with a mention';

CREATE TABLE IF NOT EXISTS mention_counts_daily (
    published_date DATE NOT NULL,
    entity_id      VARCHAR NOT NULL,
    entity_type    VARCHAR NOT NULL,
    source         VARCHAR NOT NULL,
    mentions       BIGINT NOT NULL,
    articles       BIGINT NOT NULL,
    mentions_unique BIGINT NOT NULL,
    articles_unique BIGINT NOT NULL
);
COMMENT ON TABLE mention_counts_daily IS 'Mentions per day x entity x source; reconciles with entity_mentions for dated articles.';
COMMENT ON COLUMN mention_counts_daily.source IS 'articles.source, or (unknown)';
COMMENT ON COLUMN mention_counts_daily.mentions IS 'number of mentions';
COMMENT ON COLUMN mention_counts_daily.articles IS 'distinct articles with at least one mention';
COMMENT ON COLUMN mention_counts_daily.mentions_unique IS 'mentions in canonical articles only (duplicates of another article left out)';
COMMENT ON COLUMN mention_counts_daily.articles_unique IS 'canonical articles only (duplicates left out)';

CREATE TABLE IF NOT EXISTS entity_cooccurrence (
    published_date DATE NOT NULL,
    entity_a       VARCHAR NOT NULL,
    entity_b       VARCHAR NOT NULL,
    articles       BIGINT NOT NULL
);
COMMENT ON TABLE entity_cooccurrence IS 'Pairs of entities mentioned in the same article, per day; entity_a < entity_b.';
COMMENT ON COLUMN entity_cooccurrence.articles IS 'distinct articles that day mentioning both';

CREATE TABLE IF NOT EXISTS counted_articles (
    article_id     VARCHAR NOT NULL,
    published_date DATE NOT NULL,
    extracted_at   TIMESTAMP NOT NULL,
    run_id         VARCHAR,
    source         VARCHAR NOT NULL,
    canonical      BOOLEAN NOT NULL,
    mentions       BIGINT NOT NULL
);
COMMENT ON TABLE counted_articles IS 'Bookkeeping: the articles mention_counts_daily counts, as they were counted (their extraction, source, and whether canonical), so a refresh adds the new ones and moves the changed ones instead of recounting their days whole.';

CREATE TABLE IF NOT EXISTS paired_articles (
    article_id     VARCHAR NOT NULL,
    published_date DATE NOT NULL,
    extracted_at   TIMESTAMP NOT NULL,
    run_id         VARCHAR,
    pairs          BIGINT NOT NULL
);
COMMENT ON TABLE paired_articles IS 'Bookkeeping: the articles entity_cooccurrence counts, as they were counted (their extraction, and how many pairs of entities each adds), so a refresh adds the new ones instead of recounting their days whole.';

CREATE TABLE IF NOT EXISTS article_fingerprints (
    article_id VARCHAR NOT NULL,
    body_hash  VARCHAR NOT NULL,
    text_hash  UBIGINT NOT NULL,
    n_words    INTEGER NOT NULL,
    minhash    UBIGINT[],
    band_keys  UBIGINT[]
);
COMMENT ON TABLE article_fingerprints IS 'Bookkeeping: per article body, the normalised-text hash and MinHash signature duplicate clustering starts from, so a refresh fingerprints only new articles.';

CREATE TABLE IF NOT EXISTS fingerprint_bands (
    band      SMALLINT NOT NULL,
    key       UBIGINT NOT NULL,
    text_hash UBIGINT NOT NULL
);
COMMENT ON TABLE fingerprint_bands IS 'Bookkeeping: the LSH band keys of every stored signature, a row per band and normalised text, so a refresh finds the buckets its new texts fall in without unnesting every signature.';

CREATE TABLE IF NOT EXISTS duplicate_similarities (
    text_hash_a UBIGINT NOT NULL,
    text_hash_b UBIGINT NOT NULL,
    jaccard     DOUBLE
);
COMMENT ON TABLE duplicate_similarities IS 'Bookkeeping: exact shingle Jaccard of candidate duplicate pairs already verified, by normalised-text hashes (a < b), so a refresh re-reads only the bodies of new pairs.';

CREATE TABLE IF NOT EXISTS entity_mention_changes (
    entity_id      VARCHAR NOT NULL,
    entity_type    VARCHAR NOT NULL,
    canonical_key  VARCHAR NOT NULL,
    canonical_name VARCHAR NOT NULL,
    surface        VARCHAR NOT NULL,
    article_id     VARCHAR NOT NULL,
    published_date DATE,
    mentions       BIGINT NOT NULL
);
COMMENT ON TABLE entity_mention_changes IS 'Bookkeeping: mentions written (+) and deleted (-) since entities was last brought up to date, by entity, name, surface and article, so its totals follow the changes instead of re-reading every mention.';

CREATE TABLE IF NOT EXISTS entity_surface_counts (
    entity_id      VARCHAR NOT NULL,
    canonical_name VARCHAR NOT NULL,
    surface        VARCHAR NOT NULL,
    mentions       BIGINT NOT NULL
);
COMMENT ON TABLE entity_surface_counts IS 'Bookkeeping: mentions by entity, resolved name and surface (what entities.canonical_name and aliases come from), kept up to date with entities.';

CREATE TABLE IF NOT EXISTS pipeline_state (
    key   VARCHAR NOT NULL,
    value VARCHAR NOT NULL
);
COMMENT ON TABLE pipeline_state IS 'Bookkeeping of the pipeline itself (e.g. the article fingerprint the duplicate clusters were computed for).';
