// "Every token of one app fails the same way" is our configuration, not the
// tokens: a wrong bundle id, the sandbox key in production, another
// project's service account. Then nothing may be deleted or dropped: the
// operator fixes the config and the pushes go out. Counted per app (platform
// and app id) since that app's last success.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

namespace chat::push {

class ConfigFaultDetector {
 public:
  // `threshold`: how many distinct tokens of one app must fail with the same
  // reason, with no success in between, to call it a configuration fault.
  explicit ConfigFaultDetector(int threshold) : threshold_(threshold) {}

  void Success(const std::string& app);
  // Records a refusal of `token`; true when `app` now counts as misconfigured
  // for `reason` (and stays so until its next success).
  bool Failure(const std::string& app, const std::string& reason, const std::string& token);

 private:
  struct Failing {
    std::string reason;
    std::set<std::string> tokens;
  };
  int threshold_;
  std::map<std::string, Failing> apps_;
};

}  // namespace chat::push
