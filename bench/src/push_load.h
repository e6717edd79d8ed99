// The push scenario: messages to people whose only device is offline and
// has a push token, which chatd turns into push jobs in the message's
// transaction and pushd into requests to FCM and APNs (here the local
// fakes). How many pushes per second reach the providers, how long after the
// commit, and does a push load slow 1:1 throughput (issue 19)?
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "chat_paths.h"
#include "closed_loop.h"
#include "open_loop.h"
#include "push_providers.h"

namespace bench {

// What a message to an offline device confirms when it is `accepted`: the
// open-loop runner counts the acceptance as the "delivery" (so its latency
// is send -> commit); the push itself is counted from the fakes' log.
struct PushCommit {
  std::string conv;
  int64_t seq = 0;
  int64_t ts_ms = 0;  // the message's ts: chatd's wall clock at the commit
};

// `senders` connected devices ps{i} write to `recipients` users po{j}, whose
// one device d1 never connects and has a push token (APNs for even j, FCM
// for odd j). Recipient j is written to by sender j mod senders, which
// cycles through its recipients, so that consecutive messages go to
// different devices. Setup opens the conversations (`conv.create`).
class ChatPushPath : public TrafficPath {
 public:
  ChatPushPath(EventLoop& loop, ChatDeployment& deployment, PathConfig config, int senders,
               int recipients);
  std::string name() const override { return "chat to offline devices"; }
  int senders() const override { return static_cast<int>(devices_.size()); }
  int copies_per_message() const override { return 1; }
  std::string Setup(int64_t deadline_ns) override;
  void Send(int sender, const BodyMarker& marker) override;
  void OnMessage(MqttClient& client, std::string_view topic, std::string_view payload) override;

  int recipients() const { return static_cast<int>(convs_.size()); }
  // The messages accepted since the last call.
  std::vector<PushCommit> TakeCommits();

 private:
  struct Pending {
    std::size_t recipient;
    BodyMarker marker;
  };
  void SendCreates();

  EventLoop& loop_;
  PathConfig config_;
  ChatDevices devices_;
  std::vector<std::string> convs_;  // per recipient
  std::vector<std::size_t> next_;   // per sender, its next recipient
  std::size_t creates_sent_ = 0, creates_answered_ = 0;
  std::unordered_map<uint64_t, Pending> pending_;  // by cmid
  uint64_t next_cmid_ = 0;
  std::vector<PushCommit> commits_;
};

struct PushOptions {
  double burst_per_s = 2000;  // the burst: one message to each recipient at this rate
  double rate_per_s = 200;    // the steady push load, beside 1:1 and alone
  int rounds = 3;             // of raw, 1:1 alone and 1:1 beside the push load
  ClosedLoopOptions closed;   // of raw and 1:1: window, warm-up, measured time, watched processes
  ProcessList watch;          // for the push phases' CPU (with pushd and the fakes)
  double push_wait_s = 60;    // after a phase, how long its pushes may take to arrive
};

// The pushes of one phase: the messages accepted in it against the push
// requests the fakes answered for them (matched by conversation and seq).
struct PushPhase {
  double offered_per_s = 0;
  uint64_t messages = 0;  // accepted
  uint64_t pushes = 0;    // the fakes answered 200, one per message at most
  uint64_t refused = 0;   // other answers to requests for these messages
  uint64_t missing = 0;   // messages without a push by the end of the wait
  double span_s = 0;      // the first push request to the last
  double pushes_per_s = 0;
  double commit_to_last_push_s = 0;  // the first message's commit to the last push
  LatencySummary commit_to_request;  // ts of the message -> the fake's t_ms
  CpuShares cpu_percent;             // from the first send to the last push
};

struct PushResult {
  std::string error;  // non-empty: not (fully) measured, and why
  int recipients = 0, senders = 0;
  int64_t poll_interval_ms = 0;
  PushPhase burst;                // one message to each recipient, as fast as offered
  PushPhase alone;                // the steady load without 1:1 (phase C)
  std::vector<PushPhase> beside;  // the steady load next to 1:1, per round (phase B)
  std::vector<ThroughputResult> raw, one_to_one_alone, one_to_one_beside;  // per round
  double alone_to_raw = 0, beside_to_raw = 0;  // medians over the rounds
  double beside_to_alone = 0;                  // median over the rounds of B / A (1:1 confirmed/s)
};

// Runs the burst, rounds of the raw broker, 1:1 alone (A) and 1:1 next to
// the steady push load (B, the push load on a second thread driving
// `push_loop`), then the steady push load alone (C). `raw` and
// `one_to_one` run on `loop`; every path is set up and pushd is running.
PushResult RunPush(EventLoop& loop, TrafficPath& raw, TrafficPath& one_to_one, EventLoop& push_loop,
                   ChatPushPath& pushes, FakePushProviders& providers, const PushOptions& options);

// Issue 19's target: 1:1 throughput next to the push load moves by less
// than 10 % (the median of the rounds' ratios), and every push arrived.
bool PushTargetMet(const PushResult& result);

}  // namespace bench
