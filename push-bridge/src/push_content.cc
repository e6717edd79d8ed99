// What a push says.
#include "push_content.h"

#include <algorithm>
#include <cstdio>
#include <random>
#include <set>

#include "alert_text.h"
#include "chat/protocol.h"

namespace chat::push {

PushContent::PushContent(Database& db) : db_(db), conversations_(db), messages_(db), privacy_(db) {}

Notification PushContent::Build(const PushRegistration& registration,
                                const std::vector<PushJob>& jobs, int64_t now_ms, int64_t ttl_s) {
  const PushJob& newest = jobs.back();
  Notification n;
  n.id = NewPushId();
  n.platform =
      registration.platform == protocol::push_platform::kApns ? Platform::kApns : Platform::kFcm;
  n.app = registration.app;
  n.sandbox = registration.sandbox;
  n.token = registration.token;
  n.user = registration.user;
  n.device = registration.device;
  n.conv = newest.conv;
  n.seq = newest.seq;
  n.badge = Badge(registration.user);
  n.expires_at_s = ttl_s > 0 ? now_ms / 1000 + ttl_s : 0;
  bool alert = std::any_of(jobs.begin(), jobs.end(),
                           [](const PushJob& j) { return j.kind == PushKind::kAlert; });
  if (newest.kind == PushKind::kClear) {
    n.kind = NotificationKind::kClear;
    return n;
  }
  n.kind = alert ? NotificationKind::kAlert : NotificationKind::kBadge;
  n.count = UnreadIn(newest.conv, registration.user);
  if (!alert) return n;
  std::set<std::string> convs;
  int64_t unread = 0;
  for (const PushJob& job : jobs) {
    if (job.kind == PushKind::kAlert && convs.insert(job.conv).second) {
      unread += UnreadIn(job.conv, registration.user);
    }
  }
  AlertFacts facts;
  facts.conversations = static_cast<int64_t>(convs.size());
  facts.unread = std::max<int64_t>(facts.conversations > 1 ? unread : n.count, 1);
  if (auto message = messages_.After(newest.conv, newest.seq - 1, newest.seq, 1);
      !message.empty()) {
    facts.sender = DisplayName(message[0].from);
    facts.body = message[0].body;
  }
  ConversationInfo info = conversations_.Info(newest.conv);
  facts.group = info.kind == protocol::kind::kGroup;
  facts.group_title = info.title;
  AlertText text = ComposeAlert(facts, privacy_.Settings(registration.user).push_preview);
  n.title = std::move(text.title);
  n.body = std::move(text.body);
  return n;
}

int64_t PushContent::Badge(const std::string& user) {
  int64_t unread = 0;
  for (const auto& [conv, member] : conversations_.ConversationsOf(user)) {
    int64_t from = std::max(member.read_seq, member.joined_seq - 1);
    unread +=
        messages_.CountUnread(conv, user, from, member.VisibleUpTo(conversations_.LastSeq(conv)));
  }
  return unread;
}

int64_t PushContent::UnreadIn(const std::string& conv, const std::string& user) {
  auto member = conversations_.MembershipOf(conv, user);
  if (!member) return 0;
  return messages_.CountUnread(conv, user, std::max(member->read_seq, member->joined_seq - 1),
                               member->VisibleUpTo(conversations_.LastSeq(conv)));
}

std::string PushContent::DisplayName(const std::string& user) {
  auto stmt = db_.Cached("SELECT name FROM users WHERE id = ?1");
  stmt->Bind(1, user);
  if (stmt->Step() == Statement::StepResult::kRow && !stmt->Text(0).empty()) return stmt->Text(0);
  return user;
}

std::string NewPushId() {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  uint64_t high = random();
  uint64_t low = random();
  high = (high & ~uint64_t{0xF000}) | 0x4000;                    // version 4
  low = (low & ~(uint64_t{0xC} << 60)) | (uint64_t{0x8} << 60);  // variant 1
  char text[37];
  std::snprintf(text, sizeof text, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(high >> 32),
                static_cast<unsigned>((high >> 16) & 0xFFFF), static_cast<unsigned>(high & 0xFFFF),
                static_cast<unsigned>(low >> 48),
                static_cast<unsigned long long>(low & 0xFFFFFFFFFFFFULL));
  return text;
}

}  // namespace chat::push
