# Used by bench/run.sh only while the top-level CMakeLists.txt lacks
# `add_subdirectory(bench)`: cmake -DCMAKE_PROJECT_mqtt_chat_INCLUDE=<this file>
# adds the bench directory right after the top-level project() call.
add_subdirectory(${CMAKE_CURRENT_LIST_DIR}/.. ${CMAKE_BINARY_DIR}/bench)
