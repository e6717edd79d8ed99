# No loss and no duplicates while chatd is killed and the broker restarts.
if(TARGET chat_test_harness AND TARGET chatd AND TARGET chat_client)
  chat_test(fault_test
    SOURCES fault_test.cc
    LIBS chat_test_harness chat_client
    LABELS integration)
endif()
