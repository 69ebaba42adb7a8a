# Every external dependency of tint is found here, and only here.
# All come from Debian 12 packages (see scripts/install_deps.sh).

find_package(OpenCV 4.5 REQUIRED COMPONENTS
  core imgproc imgcodecs flann ximgproc xphoto dnn quality video)
find_package(Eigen3 3.3 REQUIRED NO_MODULE)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(tomlplusplus 3 REQUIRED)
find_package(Threads REQUIRED)
find_package(OpenSSL 3 REQUIRED COMPONENTS Crypto)  # SHA-256
find_package(PkgConfig REQUIRED)
find_package(TIFF 4 REQUIRED)  # libtiff: a TIFF's size as OpenCV's decoder will read it
# xxHash (XXH3-128): the index cache's content check, at memory speed.
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)

# cpp-httplib (Debian libcpp-httplib-dev, a shared library built with
# OpenSSL, zlib and Brotli): `tint serve`. hiredis: its Redis job queue.
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)

# FLANN is OpenCV's bundled copy (opencv_flann, cvflann::): its random
# choices draw from cv::theRNG(), so a seeded build repeats in any process
# (libflann 1.9 seeds its kd-tree shuffles from std::random_device).

# hnswlib is header only (Debian libhnswlib-dev: /usr/include/hnswlib): the
# hnsw matcher, for comparison. Optional (TINT_WITH_HNSWLIB).
if(TINT_WITH_HNSWLIB)
  find_path(HNSWLIB_INCLUDE_DIR hnswlib/hnswlib.h REQUIRED)
  add_library(tint_hnswlib INTERFACE)
  target_include_directories(tint_hnswlib SYSTEM INTERFACE ${HNSWLIB_INCLUDE_DIR})
endif()

# FAISS (Debian libfaiss-dev: a static CPU library with OpenMP and BLAS):
# the faiss-* matchers, for comparison. Its config names OpenMP::OpenMP_CXX.
# Optional (TINT_WITH_FAISS).
if(TINT_WITH_FAISS)
  find_package(OpenMP REQUIRED COMPONENTS CXX)
  find_package(faiss REQUIRED CONFIG)
endif()

# UMFPACK (SuiteSparse, Debian libsuitesparse-dev): the strokes' system with
# Levin et al.'s row-normalised weights, which is not symmetric
# (guide/hints.cc), through Eigen's UmfPackSupport.
find_path(UMFPACK_INCLUDE_DIR umfpack.h PATH_SUFFIXES suitesparse REQUIRED)
find_library(UMFPACK_LIBRARY umfpack REQUIRED)
add_library(tint_umfpack INTERFACE)
target_include_directories(tint_umfpack SYSTEM INTERFACE ${UMFPACK_INCLUDE_DIR})
target_link_libraries(tint_umfpack INTERFACE ${UMFPACK_LIBRARY})

# Spectra is header only (Debian libspectra-dev installs /usr/include/Spectra).
find_path(SPECTRA_INCLUDE_DIR Spectra/SymEigsSolver.h REQUIRED)
add_library(tint_spectra INTERFACE)
target_include_directories(tint_spectra SYSTEM INTERFACE ${SPECTRA_INCLUDE_DIR})
target_link_libraries(tint_spectra INTERFACE Eigen3::Eigen)

if(TINT_BUILD_PYTHON AND NOT TINT_SANITIZE AND NOT TINT_BUILD_FUZZERS)
  # Debian's Python, whatever python3 comes first on PATH.
  set(Python_EXECUTABLE /usr/bin/python3 CACHE FILEPATH "Python for the tint module")
  set(PYBIND11_FINDPYTHON ON)
  find_package(Python 3 REQUIRED COMPONENTS Interpreter Development.Module)
  find_package(pybind11 2.6 CONFIG REQUIRED)
endif()
if(TINT_BUILD_TESTS)
  find_package(GTest REQUIRED)
  include(GoogleTest)
endif()
if(TINT_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED)
endif()
