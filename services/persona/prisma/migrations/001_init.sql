-- Applied by @chatbot/store migrate() with search_path set to the service's schema (persona).

CREATE TABLE clusters (
  cluster_id          integer PRIMARY KEY,
  label               text    NOT NULL,
  dominant_categories text[]  NOT NULL DEFAULT '{}',
  cards               jsonb   NOT NULL CHECK (jsonb_typeof(cards) = 'array')
);

CREATE TABLE personas (
  id               integer PRIMARY KEY,
  name             text    NOT NULL,
  description      text,
  cluster_id       integer NOT NULL REFERENCES clusters (cluster_id),
  usage_count_r3m  integer NOT NULL CHECK (usage_count_r3m >= 0),
  usage_amount_r3m bigint  NOT NULL CHECK (usage_amount_r3m >= 0),
  amount_shopping  bigint  NOT NULL CHECK (amount_shopping >= 0),
  amount_food      bigint  NOT NULL CHECK (amount_food >= 0),
  amount_transport bigint  NOT NULL CHECK (amount_transport >= 0),
  amount_medical   bigint  NOT NULL CHECK (amount_medical >= 0),
  amount_payment   bigint  NOT NULL CHECK (amount_payment >= 0),
  amount_education bigint  NOT NULL CHECK (amount_education >= 0),
  amount_leisure   bigint  NOT NULL CHECK (amount_leisure >= 0),
  amount_social    bigint  NOT NULL CHECK (amount_social >= 0),
  amount_daily     bigint  NOT NULL CHECK (amount_daily >= 0),
  amount_overseas  bigint  NOT NULL CHECK (amount_overseas >= 0)
);

CREATE TABLE session_bindings (
  session_id uuid        PRIMARY KEY,
  persona_id integer     NOT NULL REFERENCES personas (id),
  bound_at   timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz(3) NOT NULL DEFAULT now()
);

CREATE INDEX session_bindings_persona_id_idx ON session_bindings (persona_id);
