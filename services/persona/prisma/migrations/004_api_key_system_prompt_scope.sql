-- API keys may carry the `system_prompt` scope: their chat messages may bring their own system prompt.
ALTER TABLE api_keys DROP CONSTRAINT api_keys_scopes_check;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_scopes_check
  CHECK (scopes <@ ARRAY['chat', 'admin', 'system_prompt']::text[] AND cardinality(scopes) > 0);
