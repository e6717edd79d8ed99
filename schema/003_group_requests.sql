-- 003: group commands remembered by the requesting device's req_id, so that
-- a resend is answered as a duplicate instead of being applied twice
-- (docs/PROTOCOL.md, "Groups"). chatd writes a row in the transaction that
-- applies the command and deletes rows older than 7 days.
CREATE TABLE group_requests (
  user_id     TEXT NOT NULL,
  device_id   TEXT NOT NULL,
  req_id      TEXT NOT NULL,
  command     TEXT NOT NULL,     -- group.create, group.add, ...
  -- Digest of the command's type and parameters: the same req_id with other
  -- parameters is a different command, not a resend.
  fingerprint TEXT NOT NULL,
  conv_id     TEXT NOT NULL,     -- the group the command created or changed
  created_ms  INTEGER NOT NULL,
  PRIMARY KEY (user_id, device_id, req_id)
) WITHOUT ROWID;
CREATE INDEX group_requests_by_created ON group_requests(created_ms);
