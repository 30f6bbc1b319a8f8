-- The messages counted in accounts.usage_count, by id. chat.usage.v1 may bring a message more than
-- once (a redelivery after a crash, a copy past the broker's two-minute de-duplication window): the
-- primary key makes counting it idempotent.
CREATE TABLE counted_messages (
  message_id text           PRIMARY KEY,
  account_id uuid           NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  counted_at timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX counted_messages_account_idx ON counted_messages (account_id);
