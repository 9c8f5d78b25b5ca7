# reel_module(NAME DEPENDS <module>... [LINKS <target>...] [TEST_LINKS <target>...])
#
# Declares the module in the current folder (src/NAME) as the static library reel_NAME:
# every *.cpp of the folder except *_test.cpp, *_fuzz.cpp and *_benchmark.cpp. It links the
# reel_<module> libraries of DEPENDS publicly (a module's public headers may use theirs) and
# the external LINKS privately. Its tests, the folder's *_test.cpp, are one GoogleTest
# program NAME_test linked against the module alone (labels "cpp;NAME"); a test needing a
# module that is not a dependency belongs in tests/.
#
# DEPENDS is the module graph: reel_module records it, and the CTest check `module_graph`
# (cmake/check_includes.py) fails on any #include in src/, include/ and python/src that
# the graph does not allow.
set(REEL_MODULE_GRAPH_FILE ${CMAKE_BINARY_DIR}/module_graph.txt)
file(WRITE ${REEL_MODULE_GRAPH_FILE} "")
define_property(GLOBAL PROPERTY REEL_CORE_MODULES BRIEF_DOCS "reel modules in reel::reel"
                FULL_DOCS "The modules the public reel::reel target links, in order.")

function(reel_module name)
  cmake_parse_arguments(ARG "NOT_IN_REEL" "" "DEPENDS;LINKS;TEST_LINKS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  list(FILTER sources EXCLUDE REGEX "_(test|benchmark|fuzz)\\.cpp$")
  set(target reel_${name})
  if(sources)
    add_library(${target} STATIC ${sources})
    set(scope PUBLIC)
  else()
    add_library(${target} INTERFACE)
    set(scope INTERFACE)
  endif()
  target_include_directories(${target} ${scope}
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<BUILD_INTERFACE:${REEL_GENERATED_DIR}/include>
    $<INSTALL_INTERFACE:include>)
  if(sources)
    target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/src ${REEL_GENERATED_DIR})
  endif()
  foreach(dep ${ARG_DEPENDS})
    if(NOT TARGET reel_${dep})
      message(FATAL_ERROR "module ${name}: dependency '${dep}' is not declared (yet): "
                          "modules are added in dependency order")
    endif()
    target_link_libraries(${target} ${scope} reel_${dep})
  endforeach()
  if(ARG_LINKS)
    if(sources)
      target_link_libraries(${target} PRIVATE ${ARG_LINKS})
    else()
      target_link_libraries(${target} INTERFACE ${ARG_LINKS})
    endif()
  endif()
  list(JOIN ARG_DEPENDS " " deps_text)
  file(APPEND ${REEL_MODULE_GRAPH_FILE} "${name}: ${deps_text}\n")
  if(NOT ARG_NOT_IN_REEL)
    set_property(GLOBAL APPEND PROPERTY REEL_CORE_MODULES ${name})
  endif()

  if(REEL_BUILD_TESTS)
    file(GLOB tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_test.cpp)
    if(tests)
      add_executable(${name}_test ${tests})
      target_include_directories(${name}_test PRIVATE ${PROJECT_SOURCE_DIR}/src ${REEL_GENERATED_DIR})
      target_link_libraries(${name}_test PRIVATE ${target} ${ARG_LINKS} ${ARG_TEST_LINKS}
                            GTest::gtest GTest::gtest_main GTest::gmock)
      reel_discover_tests(${name}_test ${name})
    endif()
  endif()
  if(REEL_BUILD_FUZZ)
    file(GLOB fuzzers CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_fuzz.cpp)
    foreach(source ${fuzzers})
      reel_fuzz_target(${source} ${target} ${ARG_LINKS})
    endforeach()
  endif()
endfunction()
