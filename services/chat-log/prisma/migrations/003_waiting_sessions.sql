-- Sessions with a stored turn not released yet, for the release-deadline and re-drive sweeps.
-- They found them through a partial index on sessions (WHERE next_turn > released_turn + 1), so
-- every move of a session's cursors was a non-HOT update: a new index entry per update, and index
-- scans over a busy session's dead row versions. Locking and updating sessions cost about 80 µs
-- of Postgres time per message in the cache-hit bench, a fifth of it.
CREATE TABLE waiting_sessions (
  session_id uuid PRIMARY KEY
);

-- Kept by the database, so that every writer keeps it right: this release, the previous one
-- during a rolling upgrade or after a rollback, a hand-made fix. The triggers fire only when a
-- session starts or stops waiting (twice per answered message), not on other updates.
CREATE FUNCTION chat_log.track_waiting_session() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.next_turn > NEW.released_turn + 1 THEN
    INSERT INTO chat_log.waiting_sessions (session_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
  ELSE
    DELETE FROM chat_log.waiting_sessions WHERE session_id = NEW.id;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER sessions_waiting_on_insert AFTER INSERT ON sessions
  FOR EACH ROW WHEN (NEW.next_turn > NEW.released_turn + 1)
  EXECUTE FUNCTION chat_log.track_waiting_session();

CREATE TRIGGER sessions_waiting_on_update AFTER UPDATE OF next_turn, released_turn ON sessions
  FOR EACH ROW WHEN ((OLD.next_turn > OLD.released_turn + 1) IS DISTINCT FROM (NEW.next_turn > NEW.released_turn + 1))
  EXECUTE FUNCTION chat_log.track_waiting_session();

INSERT INTO waiting_sessions (session_id) SELECT id FROM sessions WHERE next_turn > released_turn + 1;

-- The previous release's sweeps still work without it (a sequential scan of sessions).
DROP INDEX sessions_waiting_idx;
-- room on each page for the new version of an updated row (HOT), for pages written from now on
ALTER TABLE sessions SET (fillfactor = 70);
