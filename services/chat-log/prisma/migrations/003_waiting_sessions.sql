-- Sessions with a stored turn not released yet, for the release-deadline and re-drive sweeps.
-- They found them through a partial index on sessions (WHERE next_turn > released_turn + 1), so
-- every move of a session's cursors was a non-HOT update: a new index entry per update, and index
-- scans over a busy session's dead row versions. Locking and updating sessions cost about 80 µs
-- of Postgres time per message in the cache-hit bench, a fifth of it. Rows here are written
-- under the session's row lock, by the statements that move its cursors.
CREATE TABLE waiting_sessions (
  session_id uuid PRIMARY KEY
);

INSERT INTO waiting_sessions (session_id) SELECT id FROM sessions WHERE next_turn > released_turn + 1;

DROP INDEX sessions_waiting_idx;
-- room on each page for the new version of an updated row (HOT), for pages written from now on
ALTER TABLE sessions SET (fillfactor = 70);
