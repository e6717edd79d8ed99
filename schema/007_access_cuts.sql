-- 007: access taken away while a device may be connected (a token revoked,
-- a user banned, a device kicked: chatctl). chatd reads these rows every
-- second and has the open connection closed on every broker node
-- (docs/ARCHITECTURE.md, "Access cuts"); the broker's token check refuses a
-- revoked or banned device at its next connect, a kicked one may come back.
-- The rows are a log: nothing deletes them.
CREATE TABLE access_cuts (
  id         INTEGER PRIMARY KEY,
  user_id    TEXT NOT NULL,
  device_id  TEXT NOT NULL DEFAULT '',  -- '': every device of the user
  reason     TEXT NOT NULL CHECK (reason IN ('revoked', 'banned', 'kicked')),
  at_s       INTEGER NOT NULL
);
