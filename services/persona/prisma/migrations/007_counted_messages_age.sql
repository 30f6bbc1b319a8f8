-- counted_messages is pruned by age (USAGE_DEDUPE_DAYS): without an index on counted_at each
-- prune would scan the whole table.
CREATE INDEX counted_messages_counted_at_idx ON counted_messages (counted_at);
