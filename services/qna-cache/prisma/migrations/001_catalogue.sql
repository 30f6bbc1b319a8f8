-- FAQ, financial terms and card products, with trigram indexes for ranked search.
-- Runs with search_path = qna_cache, public (see @chatbot/store migrate).

CREATE TABLE faqs (
  faq_id      text PRIMARY KEY,
  category    text NOT NULL,
  question    text NOT NULL,
  answer      text NOT NULL,
  keywords    text[] NOT NULL DEFAULT '{}',
  views       integer NOT NULL DEFAULT 0,
  -- written by the service with its normaliser (NFKC, spaces, case), so queries and rows agree
  keyword_keys text[] NOT NULL DEFAULT '{}',
  search_text text NOT NULL
);
CREATE INDEX faqs_top ON faqs (views DESC, faq_id);

CREATE TABLE terms (
  term_id       text PRIMARY KEY,
  category      text NOT NULL,
  term          text NOT NULL,
  english       text,
  definition    text NOT NULL,
  related_terms text[] NOT NULL DEFAULT '{}',
  views         integer NOT NULL DEFAULT 0,
  term_key      text NOT NULL,
  search_text   text NOT NULL
);
CREATE INDEX terms_top ON terms (views DESC, term_id);

CREATE TABLE cards (
  product_code        text PRIMARY KEY,
  name                text NOT NULL,
  type                text NOT NULL CHECK (type IN ('credit', 'check')),
  annual_fee_domestic integer NOT NULL,
  annual_fee_overseas integer NOT NULL,
  summary             text NOT NULL,
  benefits            text[] NOT NULL DEFAULT '{}',
  tags                text[] NOT NULL DEFAULT '{}',
  name_key            text NOT NULL,
  search_text         text NOT NULL
);
CREATE UNIQUE INDEX cards_name_unique ON cards (name);

-- pg_trgm is one per database, while every service migrates under its own lock. It goes into
-- public, on every service's search path (pg_trgm is a trusted extension: a role with CREATE on
-- the database may install it even where it may not create objects in public). Another service
-- creating it at the same moment is tolerated, and the indexes use the operator class of wherever
-- it ended up (another service may have installed it into its own schema first).
DO $$
DECLARE
  trgm_schema text;
BEGIN
  BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
  EXCEPTION WHEN unique_violation OR duplicate_object THEN
    NULL; -- created concurrently by another migration; it is visible to the next statement
  END;
  SELECT n.nspname INTO STRICT trgm_schema
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
   WHERE e.extname = 'pg_trgm';
  EXECUTE format('CREATE INDEX faqs_search_trgm ON faqs USING gin (search_text %I.gin_trgm_ops)', trgm_schema);
  EXECUTE format('CREATE INDEX terms_search_trgm ON terms USING gin (search_text %I.gin_trgm_ops)', trgm_schema);
  EXECUTE format('CREATE INDEX cards_name_trgm ON cards USING gin (name_key %I.gin_trgm_ops)', trgm_schema);
  EXECUTE format('CREATE INDEX cards_search_trgm ON cards USING gin (search_text %I.gin_trgm_ops)', trgm_schema);
END
$$;
