# The plugin on a real mosquitto: authentication, topic ACLs, size limit, fan-out.
chat_test(auth_acl_test
  SOURCES auth_acl_test.cc
  LIBS chat_test_harness nlohmann_json::nlohmann_json
  LABELS integration)
