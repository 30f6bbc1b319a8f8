-- Accounts, their refresh tokens, login throttling and API keys.
-- Applied by @chatbot/store migrate() with search_path set to the service's schema (persona).

CREATE TABLE accounts (
  id                  uuid        PRIMARY KEY,
  -- lower-cased by the contract, so one address is one account
  email               text        NOT NULL UNIQUE CHECK (email = lower(email)),
  name                text        NOT NULL,
  -- argon2id in PHC string form (algorithm, parameters and salt inside)
  password_hash       text        NOT NULL,
  role                text        NOT NULL DEFAULT 'customer' CHECK (role IN ('customer', 'agent', 'admin')),
  picture             text,
  usage_count         integer     NOT NULL DEFAULT 0 CHECK (usage_count >= 0),
  created_at          timestamptz(3) NOT NULL DEFAULT now(),
  updated_at          timestamptz(3) NOT NULL DEFAULT now(),
  password_changed_at timestamptz(3) NOT NULL DEFAULT now()
);

-- Opaque refresh tokens, stored only as their SHA-256. A login starts a family; each refresh uses
-- one token (used_at) and adds the next; a used token presented again revokes the whole family.
CREATE TABLE refresh_tokens (
  id          uuid        PRIMARY KEY,
  family_id   uuid        NOT NULL,
  account_id  uuid        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  token_hash  text        NOT NULL UNIQUE,
  created_at  timestamptz(3) NOT NULL DEFAULT now(),
  expires_at  timestamptz(3) NOT NULL,
  used_at     timestamptz(3),
  revoked_at  timestamptz(3)
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_account_idx ON refresh_tokens (account_id);

-- Failed logins per key (a hash of the account's email or of the client address) in a fixed window.
CREATE TABLE login_throttles (
  key          text        PRIMARY KEY,
  failures     integer     NOT NULL CHECK (failures >= 0),
  window_start timestamptz(3) NOT NULL
);

-- API keys: the secret is shown once; stored are its SHA-256 and a short public prefix for lookup.
CREATE TABLE api_keys (
  id           uuid        PRIMARY KEY,
  account_id   uuid        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  name         text        NOT NULL,
  prefix       text        NOT NULL UNIQUE,
  secret_hash  text        NOT NULL,
  scopes       text[]      NOT NULL CHECK (scopes <@ ARRAY['chat', 'admin']::text[] AND cardinality(scopes) > 0),
  created_at   timestamptz(3) NOT NULL DEFAULT now(),
  expires_at   timestamptz(3) NOT NULL,
  revoked_at   timestamptz(3),
  last_used_at timestamptz(3)
);
CREATE INDEX api_keys_account_idx ON api_keys (account_id);
