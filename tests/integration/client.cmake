if(TARGET chat_test_harness AND TARGET chatd AND TARGET chat_client)
  chat_test(client_integration_test
    SOURCES client_integration_test.cc
    LIBS chat_test_harness chat_client
    LABELS integration)
  target_compile_definitions(client_integration_test PRIVATE
    CHAT_CLI_PATH="$<TARGET_FILE:chat-cli>")
  add_dependencies(client_integration_test chat-cli)
endif()
