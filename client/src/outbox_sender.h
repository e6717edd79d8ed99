// This is an internal header of the client library, not for apps.
// The send path: a durable Outbox plus the record of what was published
// when, which decides what to (re)publish and in which order.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backoff.h"
#include "chat/client/status.h"
#include "chat/database.h"
#include "outbox.h"

namespace chat::client {

struct OutboxSenderOptions {
  // A published send not answered by then is published again (same cmid).
  std::chrono::milliseconds accept_timeout{10000};
  // At most this many sends are published and unanswered at once; the rest
  // wait their turn, so a reconnect with a long outbox does not flood MQTT.
  std::size_t window = 100;
};

// Contract:
//  - Add stores the send (commit, fsync) before anything is published; a
//    cmid already queued is not stored twice.
//  - While online, entries are published in their order of Add, at most
//    `window` unanswered at a time; an entry unanswered after
//    `accept_timeout` is published again. Going online again (a reconnect)
//    republishes every entry from the first, in order.
//  - Settle removes an entry: on its `accepted`, or on a non-retryable
//    `error` (the caller decides which). Nothing else removes one.
//  - While chatd is away (PROTOCOL.md section 4): HoldAfterUnavailable
//    stops publishing for a while, then every entry is due again from the
//    first; ResendNow (on `ready`) ends a hold and makes every entry due again
//    at once. The refusals of one absence come together, so an `unavailable`
//    during a hold is ignored; a hold that follows another one with no
//    acceptance or `ready` in between waits longer (a backoff from 1 s up
//    to 30 s, if that is longer than the error's retry_after_ms).
// Entries persisted by an earlier process are loaded at construction.
//
// Thread-safe: Add runs on application threads, the rest on the client's
// worker; one mutex guards the outbox, its Database and the publish record,
// and publishing happens under it so that entries leave in order. `publish`
// must not block (Transport::Publish does not wait for a PUBACK).
class OutboxSender {
 public:
  using Clock = std::chrono::steady_clock;
  using PublishFn = std::function<Status(const std::string& payload)>;

  // Takes the state file connection; throws StoreFailure if it cannot be read.
  OutboxSender(Database db, OutboxSenderOptions options, PublishFn publish,
               Backoff::Uniform uniform = {});

  // Stores a validated send (cmid set) and publishes it if its turn has come.
  // Throws StoreFailure when it cannot be stored (then it was not published).
  Outbox::Added Add(const SendRequest& request, int64_t created_ms, Clock::time_point now);
  // Removes the entry with `cmid` and returns it, if it was there.
  std::optional<OutboxEntry> Settle(std::string_view cmid, Clock::time_point now);
  // The cmid of the only published, unanswered entry, if exactly one is
  // (to match an error that carries no ids, PROTOCOL.md rule 7).
  std::optional<std::string> OnlyInFlight() const;
  bool Contains(std::string_view cmid) const;

  // chatd is away: publish nothing for at least `retry_after`, then every
  // entry again from the first.
  void HoldAfterUnavailable(std::chrono::milliseconds retry_after, Clock::time_point now);
  // chatd is back: every entry again from the first, now.
  void ResendNow(Clock::time_point now);

  // Online: every entry is due again from the first. Offline: nothing is published.
  void SetOnline(bool online, Clock::time_point now);
  // Publishes what is due: new entries within the window, timed-out ones again.
  void Pump(Clock::time_point now);
  // When Pump next has a timed-out entry to resend or a hold ends (nullopt:
  // none in flight and no hold).
  std::optional<Clock::time_point> NextDeadline() const;

  std::vector<OutboxEntry> Pending() const;
  std::size_t size() const;

 private:
  struct Slot {
    OutboxEntry entry;
    std::string payload;                       // the encoded `send`
    std::optional<Clock::time_point> sent_at;  // last publish, if since going online
  };

  void PumpLocked(Clock::time_point now);
  bool PublishLocked(Slot& slot, Clock::time_point now);

  const OutboxSenderOptions options_;
  const PublishFn publish_;
  mutable std::mutex mu_;
  Database db_;                                  // guarded by mu_
  Outbox outbox_;                                // guarded by mu_
  std::deque<Slot> slots_;                       // guarded by mu_; in order of Add
  bool online_ = false;                          // guarded by mu_
  std::optional<Clock::time_point> held_until_;  // guarded by mu_; after `unavailable`
  Backoff unavailable_backoff_;                  // guarded by mu_
};

}  // namespace chat::client
