// A flat hash map from broker connections to a small record: one array of
// slots and no allocation per entry, for state the plugin keeps per connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace chat::plugin {

// One network connection, as the broker knows it (the glue uses the address of
// the broker's client context, so never 0). Only compared, never dereferenced.
using ConnectionId = std::uintptr_t;

// Open addressing with linear probing; 0 marks an empty slot, so id 0 is never
// stored (Insert ignores it, Find and Take miss it). The table grows past 3/4
// full and shrinks below 1/8, so it follows the number of live connections.
// `Value` must be default-constructible and movable; an erased slot is reset
// to Value{} so that it holds no memory. Not thread-safe.
template <typename Value>
class ConnectionMap {
 public:
  Value* Find(ConnectionId id) {
    std::size_t slot = SlotOf(id);
    return slot == kMissing ? nullptr : &slots_[slot].value;
  }
  const Value* Find(ConnectionId id) const { return const_cast<ConnectionMap*>(this)->Find(id); }

  // Adds `id`, or replaces its value when present.
  void Insert(ConnectionId id, Value value) {
    if (id == 0) return;
    if (Value* known = Find(id)) {
      *known = std::move(value);
      return;
    }
    if ((size_ + 1) * 4 > slots_.size() * 3) Rehash(slots_.empty() ? kMinSlots : slots_.size() * 2);
    Place(id, std::move(value));
    ++size_;
  }

  // Removes `id` and returns its value; nullopt when absent.
  std::optional<Value> Take(ConnectionId id) {
    std::size_t hole = SlotOf(id);
    if (hole == kMissing) return std::nullopt;
    std::optional<Value> taken(std::move(slots_[hole].value));
    // Backward-shift deletion: pull later entries of the probe run into the
    // hole when that is not before their home slot, so no tombstones remain.
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t next = (hole + 1) & mask; slots_[next].id != 0; next = (next + 1) & mask) {
      std::size_t home = Home(slots_[next].id);
      if (((next - home) & mask) >= ((next - hole) & mask)) {
        slots_[hole] = std::move(slots_[next]);
        hole = next;
      }
    }
    slots_[hole] = Slot{};
    --size_;
    if (slots_.size() > kMinSlots && size_ * 8 < slots_.size()) Rehash(slots_.size() / 2);
    return taken;
  }

  std::size_t size() const { return size_; }

 private:
  struct Slot {
    ConnectionId id = 0;
    Value value{};
  };
  static constexpr std::size_t kMinSlots = 16;  // a power of two, like every capacity
  static constexpr std::size_t kMissing = SIZE_MAX;

  // Fibonacci hashing: spreads addresses, whose low bits are all alike.
  std::size_t Home(ConnectionId id) const {
    return static_cast<std::size_t>((static_cast<std::uint64_t>(id) * 0x9E3779B97F4A7C15ULL) >>
                                    32) &
           (slots_.size() - 1);
  }

  std::size_t SlotOf(ConnectionId id) const {
    if (id == 0 || slots_.empty()) return kMissing;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t slot = Home(id);; slot = (slot + 1) & mask) {
      if (slots_[slot].id == id) return slot;
      if (slots_[slot].id == 0) return kMissing;
    }
  }

  // Puts an absent id into the first free slot of its probe run.
  void Place(ConnectionId id, Value value) {
    const std::size_t mask = slots_.size() - 1;
    std::size_t slot = Home(id);
    while (slots_[slot].id != 0) slot = (slot + 1) & mask;
    slots_[slot] = Slot{id, std::move(value)};
  }

  void Rehash(std::size_t slot_count) {
    std::vector<Slot> old = std::exchange(slots_, std::vector<Slot>(slot_count));
    for (Slot& slot : old) {
      if (slot.id != 0) Place(slot.id, std::move(slot.value));
    }
  }

  std::vector<Slot> slots_;  // empty, or a power of two of slots, never full
  std::size_t size_ = 0;
};

}  // namespace chat::plugin
