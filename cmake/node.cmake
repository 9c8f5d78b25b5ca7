# The Node.js for the web viewer and the JavaScript tests, chosen by scripts/node.sh: the
# pinned one in .tools/node once `make deps` installed it (when the node on PATH is too old
# for the viewer's tools, as Debian 12's 18.20 is), else the node on PATH.
#
# Sets REEL_NODE and REEL_NPM (empty when there is no supported node), REEL_NODE_BIN_DIR
# (their folder), REEL_NODE_PATH_ENV (for a test's ENVIRONMENT_MODIFICATION: that folder
# first on PATH, so a `node` the test runs is this one) and REEL_NODE_PROBLEM (why there is
# no supported node, with what to do).
execute_process(COMMAND bash ${PROJECT_SOURCE_DIR}/scripts/node.sh --bin-dir
                OUTPUT_VARIABLE REEL_NODE_BIN_DIR ERROR_VARIABLE REEL_NODE_PROBLEM
                RESULT_VARIABLE _reel_node_status OUTPUT_STRIP_TRAILING_WHITESPACE)
string(STRIP "${REEL_NODE_PROBLEM}" REEL_NODE_PROBLEM)
set(REEL_NODE "")
set(REEL_NPM "")
if(_reel_node_status EQUAL 0)
  set(REEL_NODE ${REEL_NODE_BIN_DIR}/node)
  if(EXISTS ${REEL_NODE_BIN_DIR}/npm)
    set(REEL_NPM ${REEL_NODE_BIN_DIR}/npm)
  else()
    find_program(_reel_npm_on_path npm NO_CACHE)
    if(_reel_npm_on_path)
      set(REEL_NPM ${_reel_npm_on_path})
    else()
      set(REEL_NODE_PROBLEM "npm not found (apt-get install npm)")
    endif()
  endif()
  set(REEL_NODE_PATH_ENV "PATH=path_list_prepend:${REEL_NODE_BIN_DIR}")
  message(STATUS "node for the viewer and JS tests: ${REEL_NODE} (npm: ${REEL_NPM})")
else()
  set(REEL_NODE_BIN_DIR "")
  set(REEL_NODE_PATH_ENV "")
endif()
