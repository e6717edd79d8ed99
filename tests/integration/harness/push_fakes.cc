// Starting the fake APNs and FCM, scripting them and reading their log.
#include "harness/push_fakes.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "chat/support/loopback.h"
#include "harness/text_files.h"

namespace chat::testing {

using support::ChildProcess;
using support::FreeLoopbackPort;

namespace {

constexpr auto kFakesStartTimeout = std::chrono::seconds(15);
constexpr auto kFakesPollInterval = std::chrono::milliseconds(10);
constexpr char kPython[] = "/usr/bin/python3";

nlohmann::json ReadJsonFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  return nlohmann::json::parse(in);
}

// Runs the script to completion (for `keys`); throws with its output on failure.
void RunScript(const std::vector<std::string>& args, const std::string& log_path) {
  ChildProcess::Spec spec;
  spec.path = kPython;
  spec.args = {CHAT_PUSH_FAKES_PATH};
  spec.args.insert(spec.args.end(), args.begin(), args.end());
  spec.log_path = log_path;
  ChildProcess process(spec);
  auto deadline = std::chrono::steady_clock::now() + kFakesStartTimeout;
  while (process.Running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(kFakesPollInterval);
  }
  if (process.Running() || process.status() != "exited with status 0") {
    std::string why = process.Running() ? "did not finish within 15 s" : process.status();
    throw std::runtime_error("push_fakes.py " + args.front() + " " + why + "; its log:\n" +
                             ReadFile(log_path));
  }
}

}  // namespace

PushFakes::PushFakes(const std::string& dir) : dir_(dir) {
  apns_port_ = FreeLoopbackPort();
  do fcm_port_ = FreeLoopbackPort();
  while (fcm_port_ == apns_port_);
  const std::string log_path = dir_ + "/push-fakes.log";
  RunScript({"keys", dir_, "--token-uri", fcm_url() + "/token"}, log_path);
  nlohmann::json apns = ReadJsonFile(dir_ + "/apns.json");
  apns_key_id_ = apns.at("key_id");
  apns_team_id_ = apns.at("team_id");
  fcm_project_ = service_account().at("project_id");
  WriteControl();

  ChildProcess::Spec spec;
  spec.path = kPython;
  spec.args = {CHAT_PUSH_FAKES_PATH,
               "serve",
               "--dir",
               dir_,
               "--apns-port",
               std::to_string(apns_port_),
               "--fcm-port",
               std::to_string(fcm_port_),
               "--log",
               dir_ + "/push-requests.jsonl",
               "--control",
               dir_ + "/push-control.json"};
  spec.log_path = log_path;
  spec.pipe_stdio = true;
  process_ = std::make_unique<ChildProcess>(spec);
  auto line = process_->ReadLine(std::chrono::steady_clock::now() + kFakesStartTimeout);
  if (!line || *line != "ready") {
    process_.reset();
    throw std::runtime_error("push_fakes.py serve was not ready within 15 s; its log:\n" +
                             ReadFile(log_path));
  }
}

PushFakes::~PushFakes() { process_.reset(); }

std::string PushFakes::apns_url() const {
  return "https://127.0.0.1:" + std::to_string(apns_port_);
}
std::string PushFakes::fcm_url() const { return "https://127.0.0.1:" + std::to_string(fcm_port_); }
std::string PushFakes::ca_file() const { return dir_ + "/ca.pem"; }
std::string PushFakes::service_account_path() const { return dir_ + "/fcm-service-account.json"; }
std::string PushFakes::apns_key_path() const { return dir_ + "/apns-key.p8"; }
std::string PushFakes::apns_key_pem() const { return ReadFile(apns_key_path()); }
nlohmann::json PushFakes::service_account() const { return ReadJsonFile(service_account_path()); }
std::string PushFakes::Log() const { return ReadFile(dir_ + "/push-fakes.log"); }

void PushFakes::Script(const std::string& provider, const std::string& token,
                       nlohmann::json outcome) {
  // The fake counts `times` per distinct outcome object: the serial makes each
  // call's outcome distinct.
  outcome["script"] = ++script_serial_;
  if (token == "*") {
    control_[provider + "_default"] = std::move(outcome);
  } else {
    control_[provider][token] = std::move(outcome);
  }
  WriteControl();
}

void PushFakes::SetControl(const std::string& key, nlohmann::json value) {
  control_[key] = std::move(value);
  WriteControl();
}

void PushFakes::ClearScripts() {
  for (const char* key : {"apns", "fcm", "apns_default", "fcm_default"}) control_.erase(key);
  WriteControl();
}

void PushFakes::WriteControl() const {
  // Written whole and renamed into place: the fake never reads half a file.
  const std::string path = dir_ + "/push-control.json";
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << control_.dump() << "\n";
    if (!out.flush()) throw std::runtime_error("cannot write " + temp);
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    throw std::runtime_error("cannot rename " + temp + " to " + path);
  }
}

std::vector<nlohmann::json> PushFakes::Requests(const std::string& provider) const {
  std::vector<nlohmann::json> requests;
  std::istringstream lines(ReadFile(dir_ + "/push-requests.jsonl"));
  std::string line;
  while (std::getline(lines, line)) {
    // The fake writes whole lines; a line still being written lacks its newline.
    if (lines.eof()) break;
    nlohmann::json entry = nlohmann::json::parse(line);
    const std::string& kind = entry.at("provider").get_ref<const std::string&>();
    if (provider.empty() ? kind != "conn" : kind == provider) requests.push_back(std::move(entry));
  }
  return requests;
}

int PushFakes::Connections(const std::string& provider) const {
  std::set<std::string> conns;
  for (const nlohmann::json& request : Requests(provider)) conns.insert(request.at("conn"));
  return static_cast<int>(conns.size());
}

bool PushFakes::WaitForRequests(const std::string& provider, int n,
                                std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (static_cast<int>(Requests(provider).size()) < n) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(kFakesPollInterval);
  }
  return true;
}

}  // namespace chat::testing
