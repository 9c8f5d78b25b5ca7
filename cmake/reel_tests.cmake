# reel_discover_tests(TARGET LABEL): registers a GoogleTest program's tests with CTest.
# Normal builds label them "cpp" and LABEL; ThreadSanitizer builds (REEL_SANITIZE=thread)
# register only the tests named *Concurrent*, labelled "concurrency", of the programs that
# have some; the target `concurrency_tests` builds those programs.
#
# The two labels are set by a CTest include file read after the discovered tests, not through
# gtest_discover_tests(... PROPERTIES LABELS "cpp;x"): the discovery script splits that list
# into separate arguments and the tests would get only "cpp".
function(reel_discover_tests target label)
  if(REEL_SANITIZE STREQUAL "thread")
    # Only programs with such tests are registered, and listed for the target
    # `concurrency_tests` (make test-tsan builds that, not every program).
    get_target_property(sources ${target} SOURCES)
    get_target_property(source_dir ${target} SOURCE_DIR)
    set(has_concurrent FALSE)
    foreach(source ${sources})
      if(NOT IS_ABSOLUTE "${source}")
        set(source "${source_dir}/${source}")
      endif()
      if(EXISTS "${source}")
        file(STRINGS "${source}" hits REGEX "Concurrent" LIMIT_COUNT 1)
        if(hits)
          set(has_concurrent TRUE)
        endif()
      endif()
    endforeach()
    if(has_concurrent)
      gtest_discover_tests(${target} DISCOVERY_TIMEOUT 60 TEST_FILTER "*Concurrent*"
                           PROPERTIES LABELS "concurrency")
      set_property(GLOBAL APPEND PROPERTY REEL_CONCURRENCY_TEST_TARGETS ${target})
    endif()
    return()
  endif()
  gtest_discover_tests(${target} DISCOVERY_TIMEOUT 60 TEST_LIST ${target}_TESTS)
  set(labels_file "${CMAKE_CURRENT_BINARY_DIR}/${target}_labels.cmake")
  file(WRITE "${labels_file}" "if(${target}_TESTS)\n"
       "  set_tests_properties(\${${target}_TESTS} PROPERTIES LABELS \"cpp;${label}\")\n"
       "endif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${labels_file}")
endfunction()
