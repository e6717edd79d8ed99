chat_test(chatd_test
  SOURCES command_test.cc events_test.cc fanout_batch_test.cc presence_view_test.cc
  LIBS chatd_core
  LABELS unit)
chat_test(store_test
  SOURCES store_test.cc writer_test.cc group_test.cc
  LIBS chatd_core chat_store
  LABELS unit)
