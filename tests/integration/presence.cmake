# Presence on a real mosquitto: chat/sys/presence/{u} from device connections,
# takeovers, dropped connections and keepalive timeouts; the snapshot a
# service asks for; chatd's view across its own and the broker's restarts.
chat_test(presence_test
  SOURCES presence_test.cc
  LIBS chat_test_harness nlohmann_json::nlohmann_json
  LABELS integration)
