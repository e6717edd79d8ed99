// mosquitto configuration, start-up and memory readings.
#include "broker_process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "chat/protocol.h"
#include "chat/support/loopback.h"
#include "clock.h"

namespace bench {

using chat::support::FreeLoopbackPort;
using chat::support::PortAcceptsConnections;

namespace {

std::string BrokerConfig(const BrokerSettings& s, int port) {
  std::ostringstream conf;
  conf << "# Written by chat-bench (bench/src/broker_process.cc).\n"
       << "per_listener_settings false\n"
       << "listener " << port << " 127.0.0.1\n"
       << "max_connections -1\n"
       << "max_queued_messages 10000\n"
       << "max_queued_bytes 16777216\n"
       << "max_inflight_messages 100\n"
       << "max_packet_size " << chat::protocol::kMaxPacketBytes << "\n"
       << "set_tcp_nodelay true\n"
       << "persistence false\n"
       << "log_dest file " << s.dir << "/" << s.name << ".log\n"
       << "log_type error\nlog_type warning\nlog_type notice\nlog_type information\n"
       << "connection_messages true\n";
  if (::geteuid() == 0) conf << "user root\n";  // else mosquitto drops to `mosquitto`
  if (s.plugin) {
    conf << "allow_anonymous false\n"
         // As deploy/mosquitto.conf: chatd reads keepalive timeouts from it.
         << "log_dest topic\n"
         << "plugin " << s.plugin->plugin_path << "\n"
         << "plugin_opt_key_file " << s.plugin->key_path << "\n"
         << "plugin_opt_db_path " << s.plugin->db_path << "\n"
         << "plugin_opt_max_payload_bytes 65536\n"
         // Each benchmark device publishes far faster than a person: the
         // rate limits would measure themselves, not the path.
         << "plugin_opt_limits false\n";
  } else {
    conf << "allow_anonymous true\n";
  }
  return conf.str();
}

}  // namespace

std::string ReadTextFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void WriteTextFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  if (!out.flush()) throw std::runtime_error("cannot write " + path);
}

long ProcessRssKb(pid_t pid) {
  std::istringstream status(ReadTextFile("/proc/" + std::to_string(pid) + "/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
  }
  return 0;
}

double ProcessCpuSeconds(pid_t pid) {
  std::string stat = ReadTextFile("/proc/" + std::to_string(pid) + "/stat");
  auto close = stat.rfind(')');  // the command name may contain spaces
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::stod(field);  // utime, stime
  }
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

BrokerProcess::BrokerProcess(BrokerSettings settings) : settings_(std::move(settings)) {
  port_ = FreeLoopbackPort();
  std::string conf_path = settings_.dir + "/" + settings_.name + ".conf";
  WriteTextFile(conf_path, BrokerConfig(settings_, port_));
  ChildProcess::Spec spec;
  spec.path = settings_.mosquitto_path;
  spec.args = {"-c", conf_path};
  spec.log_path = settings_.dir + "/" + settings_.name + ".out";
  spec.raise_nofile = true;  // one descriptor per connection
  process_ = std::make_unique<ChildProcess>(spec);
  int64_t deadline = MonotonicNs() + 10 * kNsPerSecond;
  while (!PortAcceptsConnections(port_)) {
    if (!process_->Running() || MonotonicNs() > deadline) {
      std::string why = process_->Running() ? "did not listen within 10 s" : process_->status();
      process_.reset();
      throw std::runtime_error("mosquitto '" + settings_.name + "' " + why + "; log:\n" + Log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

BrokerProcess::~BrokerProcess() { Stop(); }

void BrokerProcess::Stop() {
  if (process_) process_->Stop(SIGTERM);
}

long BrokerProcess::RssKb() const { return ProcessRssKb(process_->pid()); }

std::string BrokerProcess::Log() const {
  return ReadTextFile(settings_.dir + "/" + settings_.name + ".out") +
         ReadTextFile(settings_.dir + "/" + settings_.name + ".log");
}

}  // namespace bench
