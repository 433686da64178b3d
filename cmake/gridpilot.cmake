# gridpilot_add_test(NAME SRCS file... DEPS lib...): one GoogleTest binary, one ctest entry.
function(gridpilot_add_test name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES ENVIRONMENT
    "GRIDPILOT_SOURCE_DIR=${PROJECT_SOURCE_DIR};GRIDPILOT_BIN_DIR=${CMAKE_BINARY_DIR}/bin")
endfunction()

# gridpilot_core_library(NAME DEPS lib...): the library of one core/ folder, gridpilot_core_<NAME>
# (a '/' in NAME becomes '_'), built from that folder's .cc files. DEPS are the lower core
# layers it may include (named without the prefix) and any external libraries; the layering
# test reads these calls, so a folder includes only what it declares here.
function(gridpilot_core_library name)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  string(REPLACE "/" "_" target "gridpilot_core_${name}")
  file(GLOB srcs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/core/${name}/*.cc)
  add_library(${target} STATIC ${srcs})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
  set(deps "")
  foreach(dep ${ARG_DEPS})
    if(EXISTS ${PROJECT_SOURCE_DIR}/core/${dep})
      string(REPLACE "/" "_" dep "gridpilot_core_${dep}")
    endif()
    list(APPEND deps ${dep})
  endforeach()
  target_link_libraries(${target} PUBLIC ${deps})
endfunction()
