// libFuzzer target for the patch database manifest parser: any bytes must
// either be refused with a Status or parse into a manifest that serializes
// and parses back to the same text. Build with clang (see scripts/fuzz.sh).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "patchdb/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  tint::Manifest manifest;
  if (!tint::ParseManifest(text, &manifest).ok()) return 0;
  const std::string once = tint::SerializeManifest(manifest);
  tint::Manifest again;
  if (!tint::ParseManifest(once, &again).ok()) std::abort();
  if (tint::SerializeManifest(again) != once) std::abort();
  return 0;
}
