chat_test(common_test
  SOURCES ids_test.cc token_test.cc json_object_test.cc json_writer_test.cc config_file_test.cc
    tcp_no_delay_test.cc protocol_test.cc presence_format_test.cc
  LIBS chat_common chat_test_support
  LABELS unit)

chat_test(wal_checkpointer_test
  SOURCES wal_checkpointer_test.cc
  LIBS chat_sqlite
  LABELS unit)
