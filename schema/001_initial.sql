-- 001: accounts, tokens, conversations, members, messages.
CREATE TABLE users (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL DEFAULT '',
  created_ms  INTEGER NOT NULL,
  disabled    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE devices (
  user_id     TEXT NOT NULL REFERENCES users(id),
  id          TEXT NOT NULL,
  platform    TEXT NOT NULL DEFAULT '',
  created_ms  INTEGER NOT NULL,
  PRIMARY KEY (user_id, id)
) WITHOUT ROWID;

-- Every issued device token; the broker plugin refuses a jti that is absent
-- or revoked, so revocation takes effect at the next connect.
CREATE TABLE tokens (
  jti         TEXT PRIMARY KEY,
  user_id     TEXT NOT NULL,
  device_id   TEXT NOT NULL,
  issued_s    INTEGER NOT NULL,
  expires_s   INTEGER NOT NULL,
  revoked_s   INTEGER,
  FOREIGN KEY (user_id, device_id) REFERENCES devices(user_id, id)
) WITHOUT ROWID;
CREATE INDEX tokens_by_device ON tokens(user_id, device_id);

CREATE TABLE conversations (
  id          TEXT PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (kind IN ('direct', 'group')),
  -- For direct conversations: "lower_user:higher_user", unique per pair.
  direct_key  TEXT UNIQUE,
  last_seq    INTEGER NOT NULL DEFAULT 0,
  created_ms  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE members (
  conv_id     TEXT NOT NULL REFERENCES conversations(id),
  user_id     TEXT NOT NULL REFERENCES users(id),
  role        TEXT NOT NULL DEFAULT 'member',
  joined_ms   INTEGER NOT NULL,
  PRIMARY KEY (conv_id, user_id)
) WITHOUT ROWID;
CREATE INDEX members_by_user ON members(user_id, conv_id);

CREATE TABLE messages (
  conv_id     TEXT NOT NULL,
  seq         INTEGER NOT NULL,
  sender      TEXT NOT NULL,
  device      TEXT NOT NULL,
  cmid        TEXT NOT NULL,
  ts_ms       INTEGER NOT NULL,
  body        TEXT NOT NULL,
  PRIMARY KEY (conv_id, seq),
  UNIQUE (conv_id, sender, cmid)
) WITHOUT ROWID;
