# Unit tests of the client library: no broker, the transport is faked.
chat_test(client_test
  SOURCES client_event_test.cc
          client_commands_test.cc
          client_pending_replies_test.cc
          client_chat_client_test.cc
  LIBS chat_client
  LABELS unit)
