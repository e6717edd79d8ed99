// The product's path: device -> broker+plugin -> chatd -> SQLite commit ->
// plugin fan-out -> recipient devices. Devices authenticate as PROTOCOL.md
// says (client id {u}:{d}, username {u}, a registered token), subscribe to
// chat/inbox/{u}/# and chat/dev/{u}/{d}, and publish commands to
// chat/up/{u}/{d}.
#pragma once

#include <memory>
#include <set>
#include <unordered_map>
#include <vector>

#include "chat_deployment.h"
#include "event_fields.h"
#include "event_loop.h"
#include "traffic_path.h"

namespace bench {

// Chat devices of `users` (device "d1" each), provisioned in `deployment`,
// and the request/reply plumbing both chat paths share.
class ChatDevices {
 public:
  ChatDevices(EventLoop& loop, ChatDeployment& deployment, int port, MqttHandler& handler,
              const std::vector<std::string>& users);
  // Connects every device; "" or why not.
  std::string Connect(int64_t deadline_ns);
  MqttClient& client(std::size_t i) { return *clients_[i]; }
  const Device& device(std::size_t i) const { return devices_[i]; }
  std::size_t size() const { return clients_.size(); }
  // Publishes a command on device i's up topic.
  void Command(std::size_t i, std::string_view json);
  // Starts connecting device i alone (its state shows when it is ready);
  // false when the connect could not even start.
  bool StartConnect(std::size_t i);
  // Ends device i's connection, with a DISCONNECT when `clean`, else by
  // closing its socket; either way not a lost connection of the loop. The
  // device can StartConnect again (a fresh client with the same identity).
  void Drop(std::size_t i, bool clean);

 private:
  EventLoop& loop_;
  MqttHandler& handler_;
  std::vector<Device> devices_;
  std::vector<std::string> up_topics_;
  std::vector<std::unique_ptr<MqttClient>> clients_;
};

// `pairs` direct conversations s{i} -> r{i}; confirmation is the sender's
// `accepted` event.
class ChatDirectPath : public TrafficPath {
 public:
  ChatDirectPath(EventLoop& loop, ChatDeployment& deployment, PathConfig config, int pairs,
                 std::string name = "chat 1:1");
  std::string name() const override { return name_; }
  int senders() const override { return pairs_; }
  int copies_per_message() const override { return 1; }
  std::string Setup(int64_t deadline_ns) override;
  void Send(int sender, const BodyMarker& marker) override;
  void OnMessage(MqttClient& client, std::string_view topic, std::string_view payload) override;

 private:
  EventLoop& loop_;
  PathConfig config_;
  int pairs_;
  std::string name_;
  ChatDevices devices_;  // senders are 0..pairs-1, recipients pairs..2*pairs-1
  std::vector<std::string> convs_;
  uint64_t next_cmid_ = 0;
};

// The seqs of one conversation a device holds: every one up to
// contiguous(), and some beyond it. What a device needs to drop a second
// copy of a message and to ask `sync` for the rest (contiguous() is its
// cursor). Pure state, no I/O.
class HeldSeqs {
 public:
  // Holds `seq`; false when it was held already.
  bool Hold(int64_t seq);
  // Everything up to `seq` is held or will never come (a sync page's cursor).
  void HoldUpTo(int64_t seq);
  int64_t contiguous() const { return contiguous_; }
  int64_t highest() const { return above_.empty() ? contiguous_ : *above_.rbegin(); }
  // Some seq below highest() is missing.
  bool has_gap() const { return !above_.empty(); }

 private:
  void Absorb();  // moves the run that follows contiguous_ out of above_
  int64_t contiguous_ = 0;
  std::set<int64_t> above_;
};

// What the members of a group received since the path was made: live
// copies and copies in `sync` pages (the first copy of each message per
// member only), copies held already, `head` hints and the syncs and pages
// they caused.
struct GroupCopies {
  uint64_t live = 0, by_sync = 0, repeated = 0, hints = 0, syncs = 0, pages = 0;
  GroupCopies operator-(const GroupCopies& earlier) const;
};

// One group of `members` users; member 0 sends. A message is confirmed when
// every other member holds it, live or by `sync`. Setup reports "not
// available" when chatd does not know `group.create` yet. Members can also
// send `read` receipts; an `error` a member gets is a path error.
//
// The members fill gaps as PROTOCOL.md asks of a device: a live copy whose
// seq skips one, or a `head` hint ({"type":"head","conv":c,"seq":n}, which an
// overloaded chatd sends in place of live copies of a large group) above
// what the member holds, makes it send one `sync` with its cursor (the
// highest contiguous seq it holds) and page through the replies until
// `more` is false; a copy it holds already is counted and dropped. One sync
// at a time per member: a gap or hint meanwhile makes it sync once more
// after the last page, and a page unanswered for 10 s is asked for again.
class ChatGroupPath : public TrafficPath {
 public:
  ChatGroupPath(EventLoop& loop, ChatDeployment& deployment, PathConfig config, int members);
  std::string name() const override { return "chat group"; }
  int senders() const override { return 1; }
  int copies_per_message() const override { return static_cast<int>(devices_.size()) - 1; }
  std::string Setup(int64_t deadline_ns) override;
  void Send(int sender, const BodyMarker& marker) override;
  void OnMessage(MqttClient& client, std::string_view topic, std::string_view payload) override;

  int members() const { return static_cast<int>(devices_.size()); }
  // Member `member` (1..members-1) marks the group read up to the last
  // message it received (PROTOCOL.md section 5, `read`). False, and nothing
  // sent, when it has received none yet.
  bool MarkRead(std::size_t member);
  // `receipt` events received by all members together, and by member 0
  // alone (the sender of every message read, so it gets one per cursor
  // move chatd applied).
  uint64_t receipt_events() const { return receipt_events_; }
  uint64_t receipts_applied() const { return receipts_applied_; }
  const GroupCopies& copies() const { return copies_; }

 private:
  struct Member {
    HeldSeqs held;
    int64_t head = 0;          // the highest seq it has heard of
    bool syncing = false;      // a `sync` is unanswered
    int64_t sync_sent_ns = 0;  // when its last page was asked for
    bool sync_again = false;   // a new gap or hint came while syncing
  };
  void OnLiveCopy(std::size_t m, std::string_view payload);
  void OnHint(std::size_t m, std::string_view payload);
  void OnSyncPage(std::size_t m, std::string_view payload);
  void RequestSync(std::size_t m);
  void SendSync(std::size_t m);
  // A first copy reached a member: delivered, and confirmed with the last.
  void Deliver(std::string_view text);

  EventLoop& loop_;
  PathConfig config_;
  ChatDevices devices_;
  std::string conv_;
  std::string setup_error_;
  uint64_t next_cmid_ = 0;
  std::unordered_map<uint64_t, int> copies_seen_;
  std::vector<Member> members_;
  GroupCopies copies_;
  uint64_t receipt_events_ = 0, receipts_applied_ = 0;
};

// A `send` command on `conv` whose total size is about `message_bytes`.
std::string SendCommand(const std::string& conv, uint64_t cmid, const BodyMarker& marker,
                        std::size_t message_bytes);

}  // namespace bench
