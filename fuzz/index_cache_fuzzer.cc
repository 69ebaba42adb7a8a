// libFuzzer target for the index cache parser (issue 11): the input is a
// cache's header line and payload; the fuzzer adds the magic line and the
// right content hash (unless the input starts with 'R'), so that mutations reach the checks behind
// the hash (sizes, counts, label and patch ids). Any bytes must either be refused with a Status or
// give arrays whose sizes and ids are consistent.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/file_util.h"
#include "pipeline/index_cache.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t eol = input.find('\n');
  const std::string header = input.substr(0, eol == std::string::npos ? input.size() : eol) + "\n";
  const std::string payload = eol == std::string::npos ? std::string() : input.substr(eol + 1);
  std::string file = tint::internal::IndexCacheMagic() + header +
                     tint::Sha256Hex(header + payload) + "\n" + payload;
  // An input starting with 'R' is used raw after the magic line (its hash
  // not fixed up), so that the hash check itself is fuzzed too.
  if (size > 0 && data[0] == 'R') file = tint::internal::IndexCacheMagic() + input.substr(1);
  const std::vector<uint8_t> bytes(file.begin(), file.end());
  constexpr size_t kPatches = 4;
  tint::internal::ParsedIndexCache parsed;
  if (!tint::internal::ParseIndexCache(bytes, "k", kPatches, &parsed).ok() || parsed.stale)
    return 0;
  const size_t n = parsed.sample_labels.size();
  if (n == 0 || parsed.vectors.rows != static_cast<int>(n) ||
      parsed.chroma.rows != static_cast<int>(n) || parsed.sample_patch.size() != n) {
    std::abort();
  }
  for (size_t i = 0; i < n; ++i) {
    if (parsed.sample_labels[i] < 0 ||
        parsed.sample_labels[i] >= static_cast<int>(parsed.label_names.size()))
      std::abort();
    if (parsed.sample_patch[i] < 0 || parsed.sample_patch[i] >= static_cast<int>(kPatches))
      std::abort();
  }
  return 0;
}
