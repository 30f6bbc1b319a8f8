-- Sign-in with an OpenID Connect provider: an account found by (issuer, subject), the one pair the
-- OpenID Connect Core spec (§5.7) says identifies a user; an account made this way has no password.
ALTER TABLE accounts ALTER COLUMN password_hash DROP NOT NULL;

CREATE TABLE external_identities (
  issuer      text        NOT NULL,
  subject     text        NOT NULL,
  account_id  uuid        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  -- the email the provider asserted (verified) at the first sign-in, for support; not a key
  email       text,
  created_at  timestamptz(3) NOT NULL DEFAULT now(),
  last_used_at timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (issuer, subject)
);
CREATE INDEX external_identities_account_idx ON external_identities (account_id);
