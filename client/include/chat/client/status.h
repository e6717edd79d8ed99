// This is a public header of the client library: it includes only public headers.
// Error values of the client library: expected failures are returned, not
// thrown. The project's one Status (chat/status.h), named in this namespace.
#pragma once

#include "chat/status.h"

namespace chat::client {

using Status = chat::Status;

}  // namespace chat::client
