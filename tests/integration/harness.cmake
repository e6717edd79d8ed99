# chat_test_harness: starts mosquitto with the built plugin (and chatd, once it
# exists) on a free loopback port; MqttProbe is the tests' raw MQTT client.
find_program(CHAT_MOSQUITTO_EXECUTABLE mosquitto PATHS /usr/sbin /usr/local/sbin REQUIRED)

add_library(chat_test_harness STATIC
  harness/test_stack.cc
  harness/mqtt_probe.cc
  harness/raw_mqtt_connection.cc
  harness/test_device.cc)
target_include_directories(chat_test_harness PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(chat_test_harness
  PUBLIC chat_test_support chat_store chat_common PahoMqttCpp::paho-mqttpp3 GTest::gtest)
target_compile_definitions(chat_test_harness PRIVATE
  CHAT_MOSQUITTO_PATH="${CHAT_MOSQUITTO_EXECUTABLE}"
  CHAT_PLUGIN_PATH="$<TARGET_FILE:chat_broker_plugin>")
# Building a test builds the daemons it starts.
add_dependencies(chat_test_harness chat_broker_plugin)
if(TARGET chatd)
  target_compile_definitions(chat_test_harness PRIVATE CHAT_CHATD_PATH="$<TARGET_FILE:chatd>")
  add_dependencies(chat_test_harness chatd)
endif()

if(CHAT_SANITIZE)
  # mosquitto itself is not instrumented: preload the runtimes the plugin needs.
  set(preload "")
  foreach(runtime libasan.so libubsan.so)
    execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=${runtime}
                    OUTPUT_VARIABLE path OUTPUT_STRIP_TRAILING_WHITESPACE)
    get_filename_component(path "${path}" REALPATH)
    if(NOT EXISTS "${path}")
      message(FATAL_ERROR "CHAT_SANITIZE: cannot find ${runtime} (got '${path}')")
    endif()
    list(APPEND preload "${path}")
  endforeach()
  list(JOIN preload ":" preload)
  target_compile_definitions(chat_test_harness PRIVATE CHAT_SANITIZER_PRELOAD="${preload}")
endif()
