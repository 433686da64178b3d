# gridpilot_add_test(NAME SRCS file... DEPS lib...): one GoogleTest binary, one ctest entry.
function(gridpilot_add_test name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES ENVIRONMENT
    "GRIDPILOT_SOURCE_DIR=${PROJECT_SOURCE_DIR};GRIDPILOT_BIN_DIR=${CMAKE_BINARY_DIR}/bin")
endfunction()
