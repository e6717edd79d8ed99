// Reads of many keys in few round trips: on PostgreSQL every statement is a
// round trip, so the writer reads what a whole batch needs with one
// statement per chunk of keys instead of one per key (chatd/batch_prefetch.h).
// The keys travel as a VALUES list, which both engines accept.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "chat/database.h"

namespace chat {

// One key: as many text values as the lookup's columns.
using Key = std::vector<std::string>;

// Runs `select` once per chunk of `keys` (duplicates removed), with the
// chunk's keys as the table `keys` of `columns` (e.g. "conv, sender, cmid"),
// and calls `row` for every row: `select` follows "WITH keys(columns) AS
// (...)", e.g. "SELECT ... FROM messages m JOIN keys k ON ...". A chunk is
// padded to one of a few sizes (its last key repeated; `keys` holds it once),
// so that a handful of prepared statements serve every batch. `suffix` ends
// every statement (e.g. a lock clause). Keys are text.
void LookUpKeys(Database& db, const std::string& columns, std::vector<Key> keys,
                const std::string& select, const std::function<void(Statement&)>& row,
                const std::string& suffix = "");

}  // namespace chat
