-- 007: access taken away while a device may be connected (a token revoked,
-- a user banned: chatctl). The broker's token check refuses such a device at
-- its next connect; chatd reads these rows every second and has its open
-- connection closed on every broker node (docs/ARCHITECTURE.md, "Access
-- cuts"). The rows are a log: nothing deletes them.
CREATE TABLE access_cuts (
  id         INTEGER PRIMARY KEY,
  user_id    TEXT NOT NULL,
  device_id  TEXT NOT NULL DEFAULT '',  -- '': every device of the user
  reason     TEXT NOT NULL CHECK (reason IN ('revoked', 'banned')),
  at_s       INTEGER NOT NULL
);
