# tint_add_library(NAME SRCS ... PUBLIC_DEPS ... PRIVATE_DEPS ...)
# Builds src/<name>/ into the static library tint_<name>.
function(tint_add_library NAME)
  cmake_parse_arguments(ARG "" "" "SRCS;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(tint_${NAME} STATIC ${ARG_SRCS})
  target_include_directories(tint_${NAME} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(tint_${NAME} PRIVATE -Wall -Wextra)
  target_link_libraries(tint_${NAME} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# tint_add_test(STAGE NAME SRCS ... DEPS ... [LABELS ...])
# Builds tests/<stage>/<name>.cc and registers it with CTest as <stage>/<name>,
# so a failing test names the folder to look in. Its tier (a CTest label,
# docs/testing.md) is `unit` by default and `cli` for stage cli; LABELS
# replaces it (`slow`, `service` or `python`; docs/testing.md says which) or
# adds `sanitize` (also run by the sanitizer build).
function(tint_add_test STAGE NAME)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS;LABELS" ${ARGN})
  if(ARG_LABELS)
    set(labels ${ARG_LABELS})
  elseif(STAGE STREQUAL "cli")
    set(labels cli)
  else()
    set(labels unit)
  endif()
  set(target ${STAGE}_${NAME})
  add_executable(${target} ${ARG_SRCS})
  target_link_libraries(${target} PRIVATE ${ARG_DEPS} tint_testing GTest::gtest GTest::gtest_main)
  set_target_properties(${target} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/${STAGE})
  add_test(NAME ${STAGE}/${NAME} COMMAND ${target})
  set_tests_properties(${STAGE}/${NAME} PROPERTIES
    ENVIRONMENT "TINT_SOURCE_DIR=${PROJECT_SOURCE_DIR};TINT_BINARY_DIR=${CMAKE_BINARY_DIR}"
    LABELS "${labels}")
endfunction()
