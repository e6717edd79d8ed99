-- 005: when each user was last seen (docs/PROTOCOL.md, "Presence of people"):
-- the time their last device left, as the broker plugin reported it. chatd
-- writes it when a user goes offline, so it survives a restart of chatd or of
-- the broker; a user who never connected has no row.
CREATE TABLE last_seen (
  user_id     TEXT PRIMARY KEY,
  seen_ms     INTEGER NOT NULL
) WITHOUT ROWID;
