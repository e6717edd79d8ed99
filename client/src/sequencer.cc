// Ordering and deduplication by (conv, seq).
#include "sequencer.h"

#include <utility>

namespace chat::client {

Sequencer::Sequencer(std::map<std::string, int64_t> cursors) {
  for (auto& [conv, seq] : cursors) streams_[conv].cursor = seq;
}

void Sequencer::Release(Stream& stream, Event event, std::vector<Event>& out) {
  stream.cursor = event.seq;
  out.push_back(std::move(event));
}

void Sequencer::Drain(Stream& stream, std::vector<Event>& out) {
  auto& held = stream.held;
  while (!held.empty()) {
    auto first = held.begin();
    if (stream.cursor && first->first <= *stream.cursor) {
      held.erase(first);  // covered meanwhile (a sync page or a jump)
      --held_count_;
      continue;
    }
    if (!stream.cursor || first->first != *stream.cursor + 1) return;
    Event event = std::move(first->second);
    held.erase(first);
    --held_count_;
    Release(stream, std::move(event), out);
  }
}

void Sequencer::MoveTo(Stream& stream, int64_t target, std::vector<Event>& out) {
  // Held events below the target are real messages the server sent us: they
  // go out first, still in seq order, rather than being lost.
  while (!stream.held.empty() && stream.held.begin()->first <= target) {
    auto first = stream.held.begin();
    Event event = std::move(first->second);
    stream.held.erase(first);
    --held_count_;
    if (stream.cursor && event.seq <= *stream.cursor) continue;
    Release(stream, std::move(event), out);
  }
  if (!stream.cursor || *stream.cursor < target) stream.cursor = target;
}

Sequencer::Outcome Sequencer::Offer(Event event) {
  Outcome outcome;
  if (!event.IsSequenced() || event.seq < 1) return outcome;
  Stream& stream = streams_[event.conv];
  if (stream.cursor && event.seq <= *stream.cursor) return outcome;  // duplicate
  if (!stream.cursor && event.seq == 1) stream.cursor = 0;           // the very start
  if (stream.cursor && event.seq == *stream.cursor + 1) {
    outcome.verdict = Verdict::kReleased;
    Release(stream, std::move(event), outcome.released);
    Drain(stream, outcome.released);
    return outcome;
  }
  if (stream.held.count(event.seq) != 0) return outcome;  // already held: duplicate
  outcome.verdict = Verdict::kHeld;
  outcome.gap_opened = stream.held.empty();
  int64_t seq = event.seq;
  stream.held.emplace(seq, std::move(event));
  ++held_count_;
  return outcome;
}

std::vector<Event> Sequencer::ApplySyncPage(std::vector<Event> messages,
                                            const std::map<std::string, int64_t>& cursors) {
  std::vector<Event> out;
  for (Event& message : messages) {
    if (!message.IsSequenced() || message.seq < 1) continue;
    Stream& stream = streams_[message.conv];
    if (stream.cursor && message.seq <= *stream.cursor) continue;  // duplicate
    // Complete page: whatever lies between the cursor and this message is not
    // visible to us, so the cursor moves up to just before it.
    MoveTo(stream, message.seq - 1, out);
    Release(stream, std::move(message), out);
    Drain(stream, out);
  }
  for (const auto& [conv, seq] : cursors) {
    Stream& stream = streams_[conv];
    if (stream.cursor && seq <= *stream.cursor) continue;
    MoveTo(stream, seq, out);
    Drain(stream, out);
  }
  return out;
}

std::vector<Event> Sequencer::AdoptHeldStarts() {
  std::vector<Event> out;
  for (auto& [conv, stream] : streams_) {
    if (stream.cursor || stream.held.empty()) continue;
    stream.cursor = stream.held.begin()->first - 1;
    Drain(stream, out);
  }
  return out;
}

std::optional<int64_t> Sequencer::Cursor(const std::string& conv) const {
  auto it = streams_.find(conv);
  if (it == streams_.end()) return std::nullopt;
  return it->second.cursor;
}

std::map<std::string, int64_t> Sequencer::Cursors() const {
  std::map<std::string, int64_t> out;
  for (const auto& [conv, stream] : streams_) {
    if (stream.cursor) out[conv] = *stream.cursor;
  }
  return out;
}

}  // namespace chat::client
