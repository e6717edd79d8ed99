-- 002: groups (title, roles, visibility ranges), receipts cursors, system messages.
ALTER TABLE conversations ADD COLUMN title TEXT NOT NULL DEFAULT '';

-- A member sees seq joined_seq..removed_seq (removed_seq NULL: still a member).
ALTER TABLE members ADD COLUMN joined_seq INTEGER NOT NULL DEFAULT 1;
ALTER TABLE members ADD COLUMN removed_seq INTEGER;
-- Per-user receipt cursors; they only move forward.
ALTER TABLE members ADD COLUMN delivered_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE members ADD COLUMN read_seq INTEGER NOT NULL DEFAULT 0;

CREATE TABLE device_cursors (
  conv_id       TEXT NOT NULL,
  user_id       TEXT NOT NULL,
  device_id     TEXT NOT NULL,
  delivered_seq INTEGER NOT NULL,
  PRIMARY KEY (conv_id, user_id, device_id)
) WITHOUT ROWID;

-- 'user' messages carry a body; 'system' messages carry a JSON event
-- (membership changes) so that every device sees the same history.
ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'user';
ALTER TABLE messages ADD COLUMN event TEXT;
