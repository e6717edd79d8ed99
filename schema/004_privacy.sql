-- 004: blocks, mutes and per-user privacy settings (docs/PROTOCOL.md,
-- "Privacy: block, mute, settings"). No row means the default: nobody
-- blocked, nothing muted, presence for everyone, read receipts on.
CREATE TABLE blocks (
  blocker     TEXT NOT NULL,
  blocked     TEXT NOT NULL,
  created_ms  INTEGER NOT NULL,
  PRIMARY KEY (blocker, blocked)
) WITHOUT ROWID;
-- EitherBlocked looks a pair up from both sides.
CREATE INDEX blocks_by_blocked ON blocks(blocked, blocker);

CREATE TABLE mutes (
  user_id     TEXT NOT NULL,
  conv_id     TEXT NOT NULL,
  until_ms    INTEGER NOT NULL,  -- 0: until unmuted
  PRIMARY KEY (user_id, conv_id)
) WITHOUT ROWID;

CREATE TABLE user_settings (
  user_id       TEXT PRIMARY KEY,
  -- Who sees the user's presence: everyone who shares a conversation,
  -- direct-chat partners only, or nobody.
  presence      TEXT NOT NULL DEFAULT 'everyone'
                CHECK (presence IN ('everyone', 'contacts', 'nobody')),
  read_receipts INTEGER NOT NULL DEFAULT 1
) WITHOUT ROWID;
