-- Frames released and not published yet get a small table of their own: the outbox. Marking a
-- reply published used to rewrite its `replies` row: a new row version with an entry in each of
-- its indexes, about 60 µs of Postgres time per reply under load. Deleting a row of this table
-- leaves every index alone. No foreign key: it would cost a lookup per insert, and rows are only
-- ever written by the transaction that releases their reply. Only the key: the release time and
-- everything else are the reply's.
CREATE TABLE outbox (
  session_id  uuid NOT NULL,
  seq         integer NOT NULL,
  PRIMARY KEY (session_id, seq)
);

INSERT INTO outbox (session_id, seq)
  SELECT session_id, seq FROM replies WHERE published_at IS NULL AND seq IS NOT NULL;

-- Expand, not contract: `replies.published_at` and `replies_unpublished_idx` stay for the previous
-- release, which runs next to this one during a rolling upgrade (and after a rollback). chat-log
-- now sets `published_at` when it releases a reply, so that release's outbox leaves these frames
-- alone. The next release drops both, after moving any row still unpublished into the outbox.
COMMENT ON COLUMN replies.published_at IS 'deprecated: set at release; read only by the release before the outbox table';
