// Starting the real pushd against the push fakes.
#include "harness/pushd_process.h"

#include <chrono>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "harness/text_files.h"

namespace chat::testing {

PushdProcess::PushdProcess(const std::string& dir, const std::string& db_path,
                           const PushFakes& fakes, PushdOptions options)
    : dir_(dir) {
  std::ostringstream conf;
  conf << "# Written by the integration tests.\n"
       << "db_path = " << db_path << "\n"
       << "log_level = debug\n"
       << "fcm_service_account = " << fakes.service_account_path() << "\n"
       << "fcm_endpoint = " << fakes.fcm_url() << "\n"
       << "apns_key_file = " << fakes.apns_key_path() << "\n"
       << "apns_key_id = " << fakes.apns_key_id() << "\n"
       << "apns_team_id = " << fakes.apns_team_id() << "\n"
       << "apns_endpoint = " << fakes.apns_url() << "\n"
       << "apns_sandbox_endpoint = " << fakes.apns_url() << "\n"
       << "ca_file = " << fakes.ca_file() << "\n"
       << "alert_window_ms = " << options.alert_window_ms << "\n"
       << "retry_base_ms = " << options.retry_base_ms << "\n"
       << "poll_interval_ms = " << options.poll_interval_ms << "\n"
       << "give_up_after_s = " << options.give_up_after_s << "\n"
       << "config_fault_tokens = " << options.config_fault_tokens << "\n"
       << "stats_interval_s = 1\n";
  WriteFile(dir_ + "/pushd.conf", conf.str());
  Start();
}

PushdProcess::~PushdProcess() { Stop(); }

void PushdProcess::Start() {
  if (process_ && process_->Running()) throw std::logic_error("pushd is already running");
  std::string log_path = dir_ + "/pushd.log";
  std::size_t log_start = ReadFile(log_path).size();
  support::ChildProcess::Spec spec;
  spec.path = CHAT_PUSHD_PATH;
  spec.args = {"--config", dir_ + "/pushd.conf"};
  spec.log_path = log_path;
  process_ = std::make_unique<support::ChildProcess>(spec);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (ReadFile(log_path).find("pushd ready", log_start) == std::string::npos) {
    if (!process_->Running() || std::chrono::steady_clock::now() > deadline) {
      std::string why = process_->Running() ? "was not ready within 10 s" : process_->status();
      process_.reset();
      throw std::runtime_error("pushd " + why + "; its log:\n" + Log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void PushdProcess::Stop(int signal) {
  if (!process_) return;
  process_->Stop(signal);
  process_.reset();
}

std::string PushdProcess::Log() const { return ReadFile(dir_ + "/pushd.log"); }

}  // namespace chat::testing
