// The one exception of the project: a storage engine failing in a way that is
// not the caller's input (I/O error, corrupt file, a schema newer than this
// binary). Expected failures are values (chat/status.h); this one is thrown by
// chat/database.h and caught at the edge of each thread. Its own header, so
// that an app catching it from the client library needs no SQLite header.
#pragma once

#include <stdexcept>

namespace chat {

class StoreFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace chat
