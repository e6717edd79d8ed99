// Batched reads by a VALUES list of keys.
#include "store/key_lookup.h"

#include <algorithm>

namespace chat {

namespace {

// Chunk sizes: small batches pad little, large ones take few round trips.
constexpr std::size_t kChunkSizes[] = {4, 16, 64};

std::size_t ChunkSizeFor(std::size_t remaining) {
  for (std::size_t size : kChunkSizes) {
    if (remaining <= size) return size;
  }
  return kChunkSizes[std::size(kChunkSizes) - 1];
}

std::string LookupSql(const std::string& columns, std::size_t width, std::size_t rows,
                      const std::string& select, const std::string& suffix) {
  // Padding repeats a key: `keys` holds each once.
  std::string sql = "WITH listed(" + columns + ") AS (VALUES ";
  int parameter = 0;
  for (std::size_t r = 0; r < rows; ++r) {
    sql += r ? ", (" : "(";
    for (std::size_t c = 0; c < width; ++c) {
      sql += (c ? ", CAST(?" : "CAST(?") + std::to_string(++parameter) + " AS TEXT)";
    }
    sql += ")";
  }
  return sql + "), keys AS (SELECT DISTINCT * FROM listed) " + select + suffix;
}

}  // namespace

void LookUpKeys(Database& db, const std::string& columns, std::vector<Key> keys,
                const std::string& select, const std::function<void(Statement&)>& row,
                const std::string& suffix) {
  // Sorted, so that rows a lookup locks are locked in one order by everyone.
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  if (keys.empty()) return;
  const std::size_t width = keys.front().size();
  for (std::size_t first = 0; first < keys.size();) {
    const std::size_t rows = ChunkSizeFor(keys.size() - first);
    auto stmt = db.Cached(LookupSql(columns, width, rows, select, suffix));
    int parameter = 0;
    for (std::size_t r = 0; r < rows; ++r) {
      const Key& key = keys[std::min(first + r, keys.size() - 1)];
      for (const std::string& value : key) stmt->Bind(++parameter, value);
    }
    while (stmt->Step() == Statement::StepResult::kRow) row(*stmt);
    first += rows;
  }
}

}  // namespace chat
