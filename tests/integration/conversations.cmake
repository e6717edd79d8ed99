if(TARGET chat_test_harness AND TARGET chatd)
  chat_test(conversations_test
    SOURCES conversations_test.cc
    LIBS chat_test_harness chat_store
    LABELS integration)
endif()
