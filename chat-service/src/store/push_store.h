// Push tokens and push jobs (schema/006_push.sql; docs/ARCHITECTURE.md, "The
// push path"). chatd's writer registers tokens and adds jobs inside its batch
// transactions; pushd reads due jobs, and deletes or reschedules them, on its
// own connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "chat/database.h"

namespace chat {

// One device's push registration.
struct PushRegistration {
  std::string user;
  std::string device;
  std::string platform;  // protocol::push_platform: "fcm" or "apns"
  std::string app;       // APNs bundle id (apns-topic); FCM package name
  bool sandbox = false;  // APNs development environment
  std::string token;

  bool operator==(const PushRegistration&) const = default;
};

enum class PushKind {
  kAlert,  // a new message for a user with no connected device: shown
  kBadge,  // a new message for a user active on another device: silent
  kClear,  // read on another device: silent, removes shown notifications
};
std::string_view PushKindName(PushKind kind);

struct PushJob {
  int64_t id = 0;  // assigned by AddJob
  std::string user;
  std::string device;
  PushKind kind = PushKind::kAlert;
  std::string conv;
  int64_t seq = 0;
  int64_t created_ms = 0;
  int64_t due_ms = 0;
  int64_t attempts = 0;

  bool operator==(const PushJob&) const = default;
};

// A device of a conversation's member that has a push token.
struct PushTarget {
  std::string user;
  std::string device;
};

class PushStore {
 public:
  explicit PushStore(Database& db);

  // --- Registration ---
  // Sets the device's token, replacing its earlier one; a token that another
  // device had registered moves to this one (the app was reinstalled or the
  // phone changed hands), and that device's jobs go with it.
  void Register(const PushRegistration& registration, int64_t now_ms);
  // Removes the device's token and the jobs still owed to it. False if it had none.
  bool Unregister(const std::string& user, const std::string& device);
  std::optional<PushRegistration> RegistrationOf(const std::string& user,
                                                 const std::string& device);
  // Removes the device's token only while it is still `token` (pushd after
  // the provider said it is no longer valid; the app may have registered a
  // new one meanwhile). True if removed.
  bool RemoveStaleToken(const std::string& user, const std::string& device,
                        const std::string& token);

  // --- Planning (chatd's writer) ---
  // The devices with a push token of the active members of `conv` but
  // `except_user`, leaving out members who muted `conv` at `now_ms`.
  std::vector<PushTarget> TargetsOf(const std::string& conv, const std::string& except_user,
                                    int64_t now_ms);
  // The devices of `user` with a push token, but `except_device`.
  std::vector<std::string> DevicesWithTokens(const std::string& user,
                                             const std::string& except_device);
  // Stores `job` (due at once unless due_ms is set) and sets its id.
  void AddJob(PushJob& job);
  // Stores `job` as AddJob does without reading its id back: the insert is
  // deferred (Statement::RunDeferred), for the writer's batches.
  void AddJobDeferred(const PushJob& job);

  // --- Prefetching (chatd's writer) ---
  // Reads TargetsOf these conversations at `now_ms` in a few statements;
  // TargetsOf answers from that until ForgetPrefetched (the caller forgets
  // before any change of members, mutes or tokens: chatd/batch_prefetch.h).
  void PrefetchTargets(const std::vector<std::string>& convs, int64_t now_ms);
  void ForgetPrefetched();

  // --- Sending (pushd) ---
  // Jobs due at `now_ms`, oldest first, at most `limit`.
  std::vector<PushJob> DueJobs(int64_t now_ms, int64_t limit);
  // Every job owed to the device, oldest first.
  std::vector<PushJob> JobsOf(const std::string& user, const std::string& device);
  void DeleteJob(int64_t id);
  void Reschedule(int64_t id, int64_t due_ms, int64_t attempts);
  int64_t QueueDepth();

 private:
  Database& db_;
  // conv -> the devices with a token of its active members who have not muted it
  std::unordered_map<std::string, std::vector<PushTarget>> targets_;
};

}  // namespace chat
