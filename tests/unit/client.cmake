# Unit tests of the client library: no broker, the transport is faked.
chat_test(client_test
  SOURCES client_event_test.cc
          client_event_kinds_test.cc
          client_command_encoding_test.cc
          client_pending_replies_test.cc
          client_chat_client_test.cc
          client_reconnect_test.cc
          client_backoff_test.cc
          client_sequencer_test.cc
          client_sync_driver_test.cc
          client_conversation_list_test.cc
          client_outbox_test.cc
          client_receiver_test.cc
  LIBS chat_client nlohmann_json::nlohmann_json
  LABELS unit)
# The unit tests reach the library's internal headers, as chatd's reach its src/.
target_include_directories(client_test PRIVATE ${PROJECT_SOURCE_DIR}/client/src)
