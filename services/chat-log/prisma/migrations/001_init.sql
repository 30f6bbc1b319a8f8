-- chat-log: sessions, the messages they sent, the replies they were given.
-- Applied with search_path set to the service schema (chat_log).

CREATE TYPE reply_kind AS ENUM ('answer', 'push', 'failure');

CREATE TABLE sessions (
  id            uuid PRIMARY KEY,
  created_at    timestamptz NOT NULL DEFAULT now(),
  next_turn     integer NOT NULL DEFAULT 1,
  released_turn integer NOT NULL DEFAULT 0,
  last_seq      integer NOT NULL DEFAULT 0,
  CONSTRAINT sessions_counters_check CHECK (next_turn >= 1 AND released_turn >= 0 AND released_turn < next_turn AND last_seq >= 0)
);
-- Sessions with a stored turn still waiting for its reply: what the release-deadline sweep scans.
CREATE INDEX sessions_waiting_idx ON sessions (id) WHERE next_turn > released_turn + 1;

CREATE TABLE messages (
  message_id       text PRIMARY KEY,
  session_id       uuid NOT NULL REFERENCES sessions (id),
  turn             integer NOT NULL CHECK (turn >= 1),
  text             text NOT NULL,
  client_timestamp text,
  received_at      timestamptz NOT NULL,
  stored_at        timestamptz NOT NULL DEFAULT now(),
  inbound_seq      bigint NOT NULL,
  UNIQUE (session_id, turn)
);

CREATE TABLE replies (
  id                uuid PRIMARY KEY,
  session_id        uuid NOT NULL REFERENCES sessions (id),
  kind              reply_kind NOT NULL,
  prompt_message_id text UNIQUE REFERENCES messages (message_id),
  turn              integer,
  reply_id          text NOT NULL UNIQUE,
  frame_message_id  text NOT NULL,
  message           text NOT NULL,
  login_required    boolean NOT NULL DEFAULT false,
  card_list         jsonb,
  related_questions jsonb,
  tool_name         text,
  usage             jsonb,
  source            text NOT NULL,
  error_code        text,
  seq               integer,
  created_at        timestamptz NOT NULL DEFAULT now(),
  released_at       timestamptz,
  published_at      timestamptz,
  is_helpful        boolean,
  feedback_at       timestamptz,
  UNIQUE (session_id, turn),
  UNIQUE (session_id, seq),
  -- a push answers no prompt and has no turn; answers and failures have both
  CONSTRAINT replies_prompt_check CHECK ((kind = 'push') = (prompt_message_id IS NULL) AND (prompt_message_id IS NULL) = (turn IS NULL)),
  CONSTRAINT replies_release_check CHECK ((seq IS NULL) = (released_at IS NULL) AND (published_at IS NULL OR seq IS NOT NULL))
);
-- feedback: the newest reply shown under a message id
CREATE INDEX replies_frame_message_id_created_at_idx ON replies (frame_message_id, created_at DESC);
-- release: committed replies still waiting for their turn
CREATE INDEX replies_unreleased_idx ON replies (session_id, turn) WHERE seq IS NULL;
-- outbox: released but not yet published
CREATE INDEX replies_unpublished_idx ON replies (released_at) WHERE published_at IS NULL AND seq IS NOT NULL;
-- push addressing: the latest reply that asked the session to log in
CREATE INDEX replies_login_required_idx ON replies (session_id, turn DESC) WHERE login_required AND turn IS NOT NULL;
