// Telling a misconfigured app from dead tokens.
#include "config_fault.h"

namespace chat::push {

void ConfigFaultDetector::Success(const std::string& app) { apps_.erase(app); }

bool ConfigFaultDetector::Failure(const std::string& app, const std::string& reason,
                                  const std::string& token) {
  Failing& failing = apps_[app];
  if (failing.reason != reason) failing = {reason, {}};  // a different story starts
  if (failing.tokens.size() < static_cast<std::size_t>(threshold_)) failing.tokens.insert(token);
  return failing.tokens.size() >= static_cast<std::size_t>(threshold_);
}

}  // namespace chat::push
