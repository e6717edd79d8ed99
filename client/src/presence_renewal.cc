// The presence requests repeated after every connect.
#include "presence_renewal.h"

#include "command_encoding.h"

namespace chat::client {

void PresenceRenewal::SetWatched(std::vector<std::string> users) {
  std::lock_guard lock(mu_);
  watched_ = std::move(users);
}

void PresenceRenewal::SetAway(bool away) {
  std::lock_guard lock(mu_);
  away_ = away;
}

std::vector<std::string> PresenceRenewal::Commands() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> commands;
  if (!watched_.empty()) commands.push_back(EncodePresenceWatch("", watched_));
  if (away_) commands.push_back(EncodePresenceSet(/*away=*/true));
  return commands;
}

}  // namespace chat::client
