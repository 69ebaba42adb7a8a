#!/usr/bin/env bash
# Installs the Debian 12 packages tint needs, only those that are missing.
# Safe to run twice; needs root (or sudo) only when something is missing.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libopencv-dev libopencv-contrib-dev      # OpenCV 4.6 with flann, dnn, ximgproc, xphoto, quality
  libtiff-dev                              # a TIFF's size read by libtiff itself, before decoding
  libeigen3-dev libspectra-dev             # eigensolvers for normalized cuts
  libsuitesparse-dev                       # UMFPACK: the strokes' system with Levin's weights
  libcli11-dev nlohmann-json3-dev libtomlplusplus-dev
  libssl-dev                               # OpenSSL: SHA-256 of patches, manifests, models
  libxxhash-dev                            # XXH3-128: the index cache's content check
  libhnswlib-dev                           # hnswlib: the hnsw matcher (header only)
  libfaiss-dev                             # FAISS: the faiss-* matchers (flat, IVF, HNSW)
  libopenblas0-pthread                     # OpenBLAS as libblas.so.3: FAISS's products ~8x the reference BLAS
  libcpp-httplib-dev libhiredis-dev        # tint serve: HTTP, and its Redis job queue
  libgtest-dev libgmock-dev libbenchmark-dev
  pybind11-dev python3-dev python3-numpy python3-pytest   # the tint Python module and its test
)
if [ "$#" -gt 0 ]; then PACKAGES+=("$@"); fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install_deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install_deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
echo "install_deps: done"
