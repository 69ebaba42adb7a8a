// libFuzzer target for the index cache parser: the input is a
// cache's header line and payload; the fuzzer adds the magic line and the
// right content hash (unless the input starts with 'R'), so that mutations reach the checks behind
// the hash (sizes, counts, label and patch ids). Any bytes must either be refused with a Status or
// give arrays whose sizes and ids are consistent.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "core/file_util.h"
#include "match/matcher.h"
#include "pipeline/classic/index_cache.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t eol = input.find('\n');
  const std::string header = input.substr(0, eol == std::string::npos ? input.size() : eol);
  const std::string payload = eol == std::string::npos ? std::string() : input.substr(eol + 1);
  std::string file =
      tint::internal::IndexCacheMagic() +
      tint::internal::IndexCacheHeaderAndHash(header, payload.data(), payload.size()) + payload;
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
  // The kd-tree blob goes through the same check and load as a real cache's,
  // and a loaded index is searched: no bytes may make cvflann read past the
  // points (the seed `kdtree` holds a small valid index to mutate).
  tint::MatchOptions match;  // kd-trees, 4 of them, as tint's default
  match.k = 2;
  std::unique_ptr<tint::Matcher> matcher;
  if (tint::CreateMatcherFromIndex(match, parsed.vectors, parsed.index_blob, parsed.index_bytes,
                                   &matcher)
          .ok()) {
    tint::Candidates candidates;
    matcher->Match(parsed.vectors, &candidates);
    for (int idx : candidates.index) {
      if (idx < -1 || idx >= static_cast<int>(n)) std::abort();
    }
  }
  return 0;
}
