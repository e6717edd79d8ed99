if(TARGET chat_test_harness AND TARGET chatd)
  chat_test(messaging_test
    SOURCES messaging_test.cc
    LIBS chat_test_harness chat_store
    LABELS integration)
endif()
