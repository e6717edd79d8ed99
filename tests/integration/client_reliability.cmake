# The client library's guarantees on the real stack: outbox, reconnect,
# dedupe and ordering, sync; and chat-cli on top of them.
if(TARGET chat_test_harness AND TARGET chatd AND TARGET chat_client)
  chat_test(client_reliability_test
    SOURCES client_reliability_test.cc client_reliability_cli_test.cc
    LIBS chat_test_harness chat_client nlohmann_json::nlohmann_json
    LABELS integration)
  target_compile_definitions(client_reliability_test PRIVATE
    CHAT_CLI_PATH="$<TARGET_FILE:chat-cli>")
  add_dependencies(client_reliability_test chat-cli)
endif()
