-- 006: push notifications (docs/PROTOCOL.md, "Push"; docs/ARCHITECTURE.md,
-- "The push path"). A device registers one push token; chatd writes a push
-- job for every recipient device that is not connected, in the transaction
-- that stores the message (or the read), and pushd sends it.
CREATE TABLE push_tokens (
  user_id     TEXT NOT NULL,
  device_id   TEXT NOT NULL,
  platform    TEXT NOT NULL CHECK (platform IN ('fcm', 'apns')),
  app         TEXT NOT NULL,               -- APNs bundle id (apns-topic); FCM package name
  sandbox     INTEGER NOT NULL DEFAULT 0,  -- APNs development environment
  token       TEXT NOT NULL,
  updated_ms  INTEGER NOT NULL,
  PRIMARY KEY (user_id, device_id),
  FOREIGN KEY (user_id, device_id) REFERENCES devices(user_id, id) ON DELETE CASCADE
) WITHOUT ROWID;
-- A token belongs to one device: registering it elsewhere moves it.
CREATE UNIQUE INDEX push_tokens_by_token ON push_tokens(platform, token);

-- One push owed to one device. kind: 'alert' (a new message, shown), 'badge'
-- (a new message while the user is active on another device: silent), 'clear'
-- (read on another device: silent, removes the conversation's notifications).
-- pushd deletes a job once the provider answered for good, moves due_ms on
-- a retry, and collapses the jobs of one device into one push.
CREATE TABLE push_jobs (
  id          INTEGER PRIMARY KEY,
  user_id     TEXT NOT NULL,
  device_id   TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('alert', 'badge', 'clear')),
  conv_id     TEXT NOT NULL,
  seq         INTEGER NOT NULL,
  created_ms  INTEGER NOT NULL,
  due_ms      INTEGER NOT NULL,
  attempts    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX push_jobs_by_due ON push_jobs(due_ms);
CREATE INDEX push_jobs_by_device ON push_jobs(user_id, device_id);

-- What an alert shows: the message ('full'), only who wrote ('sender'), or
-- only "New message" ('none').
ALTER TABLE user_settings ADD COLUMN push_preview TEXT NOT NULL DEFAULT 'full'
  CHECK (push_preview IN ('full', 'sender', 'none'));
