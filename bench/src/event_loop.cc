// epoll driver of libmosquitto clients.
#include "event_loop.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>

#include "clock.h"

namespace bench {

namespace {
constexpr int kMaxEvents = 256;
constexpr int64_t kMiscIntervalNs = kNsPerSecond;  // keepalive bookkeeping
}  // namespace

EventLoop::EventLoop() : epoll_fd_(epoll_create1(EPOLL_CLOEXEC)) {
  if (epoll_fd_ < 0) throw std::runtime_error("epoll_create1 failed");
}

EventLoop::~EventLoop() {
  for (MqttClient* client : watched_) {
    client->watched = false;
    client->loop = nullptr;
  }
  ::close(epoll_fd_);
}

bool EventLoop::Connect(MqttClient& client) {
  if (client.StartConnect() != MOSQ_ERR_SUCCESS || client.fd() < 0) {
    client.MarkLost();
    ++lost_;
    return false;
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = &client;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, client.fd(), &ev) != 0) {
    client.MarkLost();
    ++lost_;
    return false;
  }
  client.watched = true;
  client.loop = this;
  client.write_armed = false;
  watched_.push_back(&client);
  MarkDirty(client);  // the CONNECT packet may still be queued
  return true;
}

void EventLoop::Forget(MqttClient& client) {
  if (!client.watched) return;
  if (client.fd() >= 0) epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, client.fd(), nullptr);
  client.watched = false;
  client.loop = nullptr;
  std::erase(watched_, &client);
  std::erase(dirty_, &client);  // RunOnce flushes a swapped-out copy
  client.dirty = false;
}

void EventLoop::MarkDirty(MqttClient& client) {
  if (!client.watched || client.dirty) return;
  client.dirty = true;
  dirty_.push_back(&client);
}

void EventLoop::HandleLoss(MqttClient& client) {
  if (client.state() != MqttClient::State::kRefused) {
    client.MarkLost();
    ++lost_;
  }
  Forget(client);
}

void EventLoop::Rearm(MqttClient& client, bool want_write) {
  if (want_write == client.write_armed) return;
  epoll_event ev{};
  ev.events = EPOLLIN | (want_write ? EPOLLOUT : 0u);
  ev.data.ptr = &client;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, client.fd(), &ev);
  client.write_armed = want_write;
}

void EventLoop::Flush(MqttClient& client) {
  client.dirty = false;
  if (!client.watched) return;
  if (client.WantWrite() && client.LoopWrite() != MOSQ_ERR_SUCCESS) {
    HandleLoss(client);
    return;
  }
  Rearm(client, client.WantWrite());
}

void EventLoop::FlushDirty() {
  std::vector<MqttClient*> batch;
  batch.swap(dirty_);  // Forget() may edit dirty_ meanwhile
  for (MqttClient* client : batch) {
    if (client->watched && client->dirty) Flush(*client);
  }
}

void EventLoop::RunOnce(int64_t timeout_ns) {
  FlushDirty();  // output queued by the caller since the last round
  epoll_event events[kMaxEvents];
  timespec timeout{timeout_ns / kNsPerSecond, timeout_ns % kNsPerSecond};
  int n = epoll_pwait2(epoll_fd_, events, kMaxEvents, timeout_ns < 0 ? nullptr : &timeout, nullptr);
  if (n < 0 && errno != EINTR) throw std::runtime_error("epoll_pwait2 failed");
  for (int i = 0; i < n; ++i) {
    auto* client = static_cast<MqttClient*>(events[i].data.ptr);
    if (!client->watched) continue;
    if (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
      if (client->LoopRead() != MOSQ_ERR_SUCCESS) {
        HandleLoss(*client);
        continue;
      }
    }
    MarkDirty(*client);
  }
  // Callbacks may have queued output on any client (PUBACKs, replies).
  FlushDirty();
  int64_t now = MonotonicNs();
  if (now >= next_misc_ns_) {
    next_misc_ns_ = now + kMiscIntervalNs;
    for (std::size_t i = 0; i < watched_.size(); ++i) watched_[i]->LoopMisc();
  }
}

bool EventLoop::RunUntil(const std::function<bool()>& done, int64_t deadline_ns) {
  while (!done()) {
    int64_t now = MonotonicNs();
    if (now >= deadline_ns) return false;
    RunOnce(std::min<int64_t>(deadline_ns - now, 50 * kNsPerMs));
  }
  return true;
}

bool EventLoop::RunWhileProgressing(const std::function<bool()>& done,
                                    const std::function<uint64_t()>& progress, int64_t stall_ns,
                                    int64_t deadline_ns) {
  uint64_t seen = progress();
  int64_t last_progress = MonotonicNs();
  while (!done()) {
    int64_t now = MonotonicNs();
    if (now >= deadline_ns || now - last_progress >= stall_ns) return false;
    RunOnce(std::min<int64_t>(deadline_ns - now, 50 * kNsPerMs));
    if (uint64_t p = progress(); p != seen) {
      seen = p;
      last_progress = MonotonicNs();
    }
  }
  return true;
}

std::size_t ConnectAll(EventLoop& loop, const std::vector<MqttClient*>& clients,
                       std::size_t max_pending, int64_t deadline_ns) {
  using State = MqttClient::State;
  auto settled = [](const MqttClient* c) {
    return c->state() == State::kReady || c->state() == State::kRefused ||
           c->state() == State::kLost;
  };
  std::size_t next = 0;
  std::size_t settled_count = 0;
  std::vector<MqttClient*> pending;
  while (MonotonicNs() < deadline_ns) {
    std::erase_if(pending, [&](MqttClient* c) {
      if (!settled(c)) return false;
      ++settled_count;
      return true;
    });
    while (pending.size() < max_pending && next < clients.size()) {
      MqttClient* c = clients[next++];
      loop.Connect(*c);
      pending.push_back(c);
    }
    if (settled_count == clients.size()) break;
    loop.RunOnce(20 * kNsPerMs);
  }
  return static_cast<std::size_t>(
      std::count_if(clients.begin(), clients.end(),
                    [](const MqttClient* c) { return c->state() == State::kReady; }));
}

}  // namespace bench
