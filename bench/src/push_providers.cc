// Starting the fake push providers and reading their request log.
#include "push_providers.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "broker_process.h"
#include "chat/support/loopback.h"
#include "clock.h"

namespace bench {

namespace {

using chat::support::ChildProcess;
using nlohmann::json;

constexpr char kPython[] = "/usr/bin/python3";
constexpr int64_t kStartTimeoutNs = 15 * kNsPerSecond;

// What a push is about: APNs carries "conv" and "seq" beside "aps", FCM
// carries them as strings in "message.data" (push-bridge/src/payload.h).
void ReadPushSubject(const json& body, ProviderRequest& r) {
  if (!body.is_object()) return;
  if (r.provider == "apns") {
    r.conv = body.value("conv", "");
    r.seq = body.value("seq", int64_t{0});
  } else if (r.provider == "fcm" && body.contains("message")) {
    const json& data = body["message"].value("data", json::object());
    r.conv = data.value("conv", "");
    r.seq = std::stoll(data.value("seq", std::string("0")));
  }
}

}  // namespace

FakePushProviders::FakePushProviders(std::string dir, std::string script_path)
    : dir_(std::move(dir)), script_path_(std::move(script_path)) {
  apns_port_ = chat::support::FreeLoopbackPort();
  do fcm_port_ = chat::support::FreeLoopbackPort();
  while (fcm_port_ == apns_port_);
  const std::string log_path = dir_ + "/push-fakes.log";
  const std::string fcm_url = "https://127.0.0.1:" + std::to_string(fcm_port_);
  int64_t deadline = MonotonicNs() + kStartTimeoutNs;
  {
    ChildProcess keys(
        {kPython, {script_path_, "keys", dir_, "--token-uri", fcm_url + "/token"}, {}, log_path});
    while (keys.Running() && MonotonicNs() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (keys.Running() || keys.status() != "exited with status 0") {
      throw std::runtime_error("push_fakes.py keys " + keys.status() + "; its log:\n" +
                               ReadTextFile(log_path));
    }
  }
  json apns = json::parse(ReadTextFile(dir_ + "/apns.json"));
  apns_key_id_ = apns.at("key_id");
  apns_team_id_ = apns.at("team_id");
  WriteTextFile(dir_ + "/push-control.json", "{}\n");
  WriteTextFile(dir_ + "/push-requests.jsonl", "");

  ChildProcess::Spec spec{
      kPython,
      {script_path_, "serve", "--dir", dir_, "--apns-port", std::to_string(apns_port_),
       "--fcm-port", std::to_string(fcm_port_), "--log", dir_ + "/push-requests.jsonl", "--control",
       dir_ + "/push-control.json"},
      {},
      log_path};
  spec.pipe_stdio = true;
  process_ = std::make_unique<ChildProcess>(spec);
  auto line = process_->ReadLine(SteadyAt(deadline));
  if (!line || *line != "ready") {
    process_.reset();
    throw std::runtime_error("push_fakes.py serve was not ready within 15 s; its log:\n" +
                             ReadTextFile(log_path));
  }
}

FakePushProviders::~FakePushProviders() { process_.reset(); }

std::string FakePushProviders::PushdSettings() const {
  const std::string apns_url = "https://127.0.0.1:" + std::to_string(apns_port_);
  return "fcm_service_account = " + dir_ + "/fcm-service-account.json\n" +
         "fcm_endpoint = https://127.0.0.1:" + std::to_string(fcm_port_) + "\n" +
         "apns_key_file = " + dir_ + "/apns-key.p8\n" + "apns_key_id = " + apns_key_id_ + "\n" +
         "apns_team_id = " + apns_team_id_ + "\n" + "apns_endpoint = " + apns_url + "\n" +
         "apns_sandbox_endpoint = " + apns_url + "\n" + "ca_file = " + dir_ + "/ca.pem\n";
}

std::vector<ProviderRequest> FakePushProviders::TakeNewRequests() {
  std::vector<ProviderRequest> out;
  std::ifstream in(dir_ + "/push-requests.jsonl", std::ios::binary);
  in.seekg(static_cast<std::streamoff>(log_offset_));
  std::string line;
  // A line still being written lacks its newline: it is taken next time.
  while (std::getline(in, line) && !in.eof()) {
    log_offset_ += line.size() + 1;
    json entry = json::parse(line);
    ProviderRequest r;
    r.provider = entry.value("provider", "");
    if (r.provider == "conn") continue;
    r.status = entry.value("status", 0);
    r.t_ms = entry.value("t_ms", int64_t{0});
    ReadPushSubject(entry.value("body", json()), r);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace bench
