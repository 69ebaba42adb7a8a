#include "patchdb/manifest.h"

#include <filesystem>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "core/file_util.h"

namespace tint {

using nlohmann::json;

std::vector<std::string> Manifest::Labels() const {
  std::vector<std::string> labels;
  for (const PatchRecord& p : patches) {
    if (std::find(labels.begin(), labels.end(), p.label) == labels.end()) labels.push_back(p.label);
  }
  return labels;
}

bool IsValidLabel(const std::string& label) {
  if (label.empty() || label.size() > 32 || !(label[0] >= 'a' && label[0] <= 'z')) return false;
  for (char c : label) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  }
  return true;
}

bool IsSafeFileName(const std::string& name) {
  if (name.empty() || name.size() > 128 || name[0] == '.' || name.find("..") != std::string::npos)
    return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

namespace {
std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
}  // namespace

bool IsTestSplit(const std::string& split) {
  return Lower(split).find("test") != std::string::npos;
}

bool IsTestSplitImagePath(const std::string& path) {
  const std::string norm = "/" + Lower(std::filesystem::path(path).lexically_normal().string());
  return norm.find("/test/") != std::string::npos ||
         norm.find("/testannot/") != std::string::npos ||
         norm.find("testannot") != std::string::npos;
}

bool IsTestSplitSourceFile(const std::string& path) {
  namespace fs = std::filesystem;
  if (IsTestSplitImagePath(path)) return true;
  std::error_code ec;
  const fs::path given = fs::absolute(path, ec).lexically_normal();
  const fs::path real(ResolvedPath(path));
  if (ec || given == real) return false;
  // Only the part that links changed is checked: the folders above a
  // project are no business of this rule.
  auto g = given.begin(), r = real.begin();
  while (g != given.end() && r != real.end() && *g == *r) ++g, ++r;
  fs::path changed;
  for (; r != real.end(); ++r) changed /= *r;
  return IsTestSplitImagePath("/" + changed.string());
}

bool IsValidDatasetName(const std::string& name) {
  return name.size() <= 64 && IsSafeFileName(name) && name.find('.') == std::string::npos;
}

Status CheckPatchFilePath(const std::string& file) {
  const size_t a = file.find('/');
  const size_t b = a == std::string::npos ? a : file.find('/', a + 1);
  const bool shape = a != std::string::npos && b != std::string::npos &&
                     file.find('/', b + 1) == std::string::npos &&
                     file.compare(0, a, "patches") == 0;
  if (!shape || !IsSafeFileName(file.substr(a + 1, b - a - 1)) ||
      !IsSafeFileName(file.substr(b + 1))) {
    return Status::Error(
        "patch file \"" + file +
        "\" is not of the form patches/<folder>/<name> with names of [A-Za-z0-9._-] "
        "(no separators, no \"..\", no leading dot)");
  }
  return Status::Ok();
}

std::vector<std::string> SharedPatchFiles(const Manifest& manifest) {
  std::map<std::string, std::vector<std::string>> by_file;
  for (const PatchRecord& r : manifest.patches) by_file[r.file].push_back(r.id);
  std::vector<std::string> shared;
  for (const auto& [file, ids] : by_file) {
    if (ids.size() < 2) continue;
    std::string line = file + " (";
    for (size_t i = 0; i < ids.size(); ++i) line += (i ? ", " : "") + ids[i];
    shared.push_back(line + ")");
  }
  return shared;
}

std::string ManifestPath(const std::string& db_dir) {
  return (std::filesystem::path(db_dir) / "manifest.json").string();
}

namespace {

// An integer that fits an image coordinate (so get<int> cannot wrap).
bool InRange(const json& v) {
  if (v.is_number_unsigned()) return v.get<uint64_t>() <= (1u << 30);
  if (v.is_number_integer()) return v.get<int64_t>() >= 0 && v.get<int64_t>() <= (1 << 30);
  return false;
}

}  // namespace

static Status ParseManifestJson(const std::string& text, Manifest* manifest);

// Any JSON type error that a check below missed still becomes a Status,
// never an exception (the fuzzer found two such paths).
Status ParseManifest(const std::string& text, Manifest* manifest) {
  try {
    return ParseManifestJson(text, manifest);
  } catch (const json::exception& e) {
    std::string what = e.what();
    for (char& c : what)
      if (c == '\n' || c == '\r') c = ' ';
    return Status::Error("malformed manifest (" + what + ")");
  }
}

static Status ParseManifestJson(const std::string& text, Manifest* manifest) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {  // parse errors and number overflows alike
    std::string what = e.what();
    for (char& c : what)
      if (c == '\n' || c == '\r') c = ' ';
    return Status::Error("not valid JSON (" + what + ")");
  }
  if (!j.is_object() || !j.contains("format") || !j["format"].is_string() ||
      j["format"] != "tint-patchdb") {
    return Status::Error(
        "not a tint patch database manifest (missing \"format\": \"tint-patchdb\")");
  }
  if (!j.contains("version") || !j["version"].is_number_integer() ||
      j["version"] != Manifest::kVersion) {
    return Status::Error("unsupported manifest version (this tint reads version " +
                         std::to_string(Manifest::kVersion) + ")");
  }
  if (!j.contains("patches") || !j["patches"].is_array())
    return Status::Error("manifest has no \"patches\" array");
  Manifest out;
  std::set<std::string> ids;
  int index = 0;
  for (const json& p : j["patches"]) {
    const std::string where = "patch #" + std::to_string(index++);
    if (!p.is_object()) return Status::Error(where + " is not an object");
    auto str = [&](const char* key, std::string* v) -> Status {
      if (!p.contains(key) || !p[key].is_string())
        return Status::Error(where + ": missing string field \"" + key + "\"");
      *v = p[key].get<std::string>();
      return Status::Ok();
    };
    PatchRecord r;
    TINT_RETURN_IF_ERROR(str("id", &r.id));
    TINT_RETURN_IF_ERROR(str("label", &r.label));
    TINT_RETURN_IF_ERROR(str("file", &r.file));
    TINT_RETURN_IF_ERROR(str("licence", &r.licence));
    TINT_RETURN_IF_ERROR(str("sha256", &r.sha256));
    if (!p.contains("source") || !p["source"].is_object())
      return Status::Error(where + ": missing \"source\" object");
    const json& s = p["source"];
    for (const char* key : {"dataset", "split", "image"}) {
      if (!s.contains(key) || !s[key].is_string())
        return Status::Error(where + ": source needs string \"" + key + "\"");
    }
    r.dataset = s["dataset"];
    r.split = s["split"];
    r.image = s["image"];
    if (!s.contains("region") || !s["region"].is_array() || s["region"].size() != 4) {
      return Status::Error(where + ": source.region must be [x, y, w, h]");
    }
    int v[4];
    for (int k = 0; k < 4; ++k) {
      if (!InRange(s["region"][k]))
        return Status::Error(where + ": source.region must hold integers in 0..2^30");
      v[k] = s["region"][k].get<int>();
    }
    r.region = cv::Rect(v[0], v[1], v[2], v[3]);
    if (s.contains("image_size")) {
      const json& z = s["image_size"];
      if (!z.is_array() || z.size() != 2 || !InRange(z[0]) || !InRange(z[1])) {
        return Status::Error(where + ": source.image_size must be [w, h]");
      }
      r.image_size = cv::Size(z[0].get<int>(), z[1].get<int>());
      // In 64 bits: each value may be up to 2^30, so x + w and w * h overflow int.
      const int64_t right = int64_t{v[0]} + v[2], bottom = int64_t{v[1]} + v[3];
      const bool has_size = r.image_size.width > 0 && r.image_size.height > 0;
      if (has_size && (right > r.image_size.width || bottom > r.image_size.height)) {
        return Status::Error(where + ": source.region lies outside the source image");
      }
    }
    if (r.region.x < 0 || r.region.y < 0 || r.region.width <= 0 || r.region.height <= 0) {
      return Status::Error(where + ": source.region has a negative or empty extent");
    }
    if (!IsValidLabel(r.label)) return Status::Error(where + ": invalid label \"" + r.label + "\"");
    if (r.id.empty() || !ids.insert(r.id).second)
      return Status::Error(where + ": empty or duplicate id \"" + r.id + "\"");
    if (Status fs = CheckPatchFilePath(r.file); !fs.ok())
      return Status::Error(where + ": " + fs.message());
    if (r.sha256.size() != 64) return Status::Error(where + ": sha256 must have 64 hex digits");
    out.patches.push_back(std::move(r));
  }
  *manifest = std::move(out);
  return Status::Ok();
}

std::string SerializeManifest(const Manifest& manifest) {
  json patches = json::array();
  for (const PatchRecord& r : manifest.patches) {
    patches.push_back({{"id", r.id},
                       {"label", r.label},
                       {"file", r.file},
                       {"source",
                        {{"dataset", r.dataset},
                         {"split", r.split},
                         {"image", r.image},
                         {"image_size", {r.image_size.width, r.image_size.height}},
                         {"region", {r.region.x, r.region.y, r.region.width, r.region.height}}}},
                       {"licence", r.licence},
                       {"sha256", r.sha256}});
  }
  json j = {{"format", "tint-patchdb"}, {"version", Manifest::kVersion}, {"patches", patches}};
  return j.dump(1) + "\n";
}

Status LoadManifest(const std::string& db_dir, Manifest* manifest, std::string* sha256) {
  const std::string path = ManifestPath(db_dir);
  std::error_code ec;
  if (!std::filesystem::is_directory(db_dir, ec))
    return Status::Error(db_dir + ": patch database folder not found");
  std::vector<uint8_t> bytes;
  Status s = ReadFileBytes(path, &bytes, kMaxManifestBytes);
  if (!s.ok()) return s;
  s = ParseManifest(std::string(bytes.begin(), bytes.end()), manifest);
  if (!s.ok()) return Status::Error(path + ": " + s.message());
  if (sha256 != nullptr) *sha256 = Sha256Hex(bytes.data(), bytes.size());
  return Status::Ok();
}

Status SaveManifest(const std::string& db_dir, const Manifest& manifest) {
  return WriteFileAtomic(ManifestPath(db_dir), SerializeManifest(manifest));
}

}  // namespace tint
