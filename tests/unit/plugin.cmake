# Unit tests of the broker plugin's pure core: ACL, authentication, fan-out
# validation, options, presence and its snapshot answer, the per-connection
# map, and the token registry on a real SQLite file.
chat_test(plugin_test
  SOURCES
    plugin_acl_test.cc
    plugin_auth_test.cc
    plugin_connection_map_test.cc
    plugin_fanout_test.cc
    plugin_options_test.cc
    plugin_presence_test.cc
    plugin_presence_snapshot_test.cc
    plugin_registry_test.cc
  LIBS chat_plugin_core chat_store chat_test_support PkgConfig::LIBJWT
  LABELS unit)
