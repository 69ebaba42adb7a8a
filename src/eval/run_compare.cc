#include "eval/run_compare.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include "core/file_util.h"
#include "eval/html.h"
#include "eval/metric_table.h"
#include "eval/statistics.h"

namespace tint {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// One run's per-photo results: data set -> photo -> method -> metric -> value.
using RunResults = std::map<std::string, std::map<std::string, json>>;

Status ReadRun(const std::string& run, RunResults* results) {
  const fs::path photos = fs::path(run) / "photos";
  std::error_code ec;
  if (!fs::is_directory(photos, ec))
    return Status::Error(run + " is not a results folder of tint eval --config (no photos/)");
  std::vector<fs::path> datasets;
  for (const auto& e : fs::directory_iterator(photos, ec))
    if (e.is_directory()) datasets.push_back(e.path());
  std::sort(datasets.begin(), datasets.end());
  for (const fs::path& d : datasets) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(d, ec))
      if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) {
      std::vector<uint8_t> bytes;
      TINT_RETURN_IF_ERROR(ReadFileBytes(f.string(), &bytes, 64u << 20));
      const json r = json::parse(bytes.begin(), bytes.end(), nullptr, false);
      if (r.is_discarded() || !r.is_object() || !r.contains("photo") || !r["photo"].is_string() ||
          !r.contains("methods") || !r["methods"].is_object())
        return Status::Error(f.string() + " is not a per-photo result of tint eval");
      (*results)[d.filename().string()][r["photo"].get<std::string>()] = r["methods"];
    }
  }
  return Status::Ok();
}

// The methods of a data set's results, in first-seen order.
std::vector<std::string> MethodsOf(const std::map<std::string, json>& photos) {
  std::vector<std::string> names;
  for (const auto& [photo, methods] : photos)
    for (const auto& [name, metrics] : methods.items())
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  return names;
}

bool Number(const json& methods, const std::string& method, const std::string& key, double* v) {
  if (!methods.contains(method) || !methods[method].is_object()) return false;
  const json& m = methods[method];
  if (!m.contains(key) || !m[key].is_number()) return false;
  *v = m[key].get<double>();
  return std::isfinite(*v);
}

json CompareMethod(const std::string& name, const std::vector<std::string>& shared,
                   const std::map<std::string, json>& a, const std::map<std::string, json>& b) {
  json out;
  out["name"] = name;
  out["metrics"] = json::array();
  int photos = 0;
  for (const MetricInfo& metric : MetricTable()) {
    std::vector<double> va, vb;
    for (const std::string& photo : shared) {
      double x = 0, y = 0;
      if (Number(a.at(photo), name, metric.key, &x) && Number(b.at(photo), name, metric.key, &y)) {
        va.push_back(x);
        vb.push_back(y);
      }
    }
    if (va.empty()) continue;
    photos = std::max(photos, static_cast<int>(va.size()));
    PairedOptions options;
    options.higher_is_better = metric.higher_is_better;
    options.tie_below = 0.5 * std::pow(10.0, -metric.digits);
    const PairedStats s = ComparePaired(vb, va, options);
    double mean_a = 0, mean_b = 0;
    for (size_t i = 0; i < va.size(); ++i) {
      mean_a += va[i] / va.size();
      mean_b += vb[i] / vb.size();
    }
    out["metrics"].push_back({{"key", metric.key},
                              {"a", mean_a},
                              {"b", mean_b},
                              {"difference", s.mean_difference},
                              {"low", s.low},
                              {"high", s.high},
                              {"wins", s.wins},
                              {"ties", s.ties},
                              {"losses", s.losses},
                              {"significant", s.significant}});
  }
  out["photos"] = photos;
  // Identical: no photo differs in any metric but the time.
  bool identical = true;
  for (const json& k : out["metrics"])
    if (k["key"] != "seconds" && (k["wins"].get<int>() > 0 || k["losses"].get<int>() > 0))
      identical = false;
  out["identical"] = identical;
  // The photos whose AuC moved most, either way (those that moved).
  std::vector<std::pair<double, json>> moved;
  for (const std::string& photo : shared) {
    double x = 0, y = 0;
    if (Number(a.at(photo), name, "auc", &x) && Number(b.at(photo), name, "auc", &y) &&
        std::abs(y - x) >= 0.005)
      moved.push_back({std::abs(y - x), {{"photo", photo}, {"a", x}, {"b", y}}});
  }
  std::stable_sort(moved.begin(), moved.end(),
                   [](const auto& l, const auto& r) { return l.first > r.first; });
  out["changed"] = json::array();
  for (size_t i = 0; i < moved.size() && i < static_cast<size_t>(kMostChangedPhotos); ++i)
    out["changed"].push_back(moved[i].second);
  return out;
}

}  // namespace

Status CompareRuns(const std::string& run_a, const std::string& run_b, json* comparison) {
  RunResults a, b;
  TINT_RETURN_IF_ERROR(ReadRun(run_a, &a));
  TINT_RETURN_IF_ERROR(ReadRun(run_b, &b));
  json out;
  out["format"] = "tint-run-comparison";
  out["version"] = 1;
  out["a"] = run_a;
  out["b"] = run_b;
  out["datasets"] = json::array();
  std::set<std::string> methods_a, methods_b;
  int shared_photos = 0;
  for (const auto& [dataset, photos_a] : a) {
    for (const std::string& m : MethodsOf(photos_a)) methods_a.insert(m);
    auto it = b.find(dataset);
    if (it == b.end()) continue;
    const auto& photos_b = it->second;
    std::vector<std::string> shared;
    for (const auto& [photo, r] : photos_a)
      if (photos_b.count(photo)) shared.push_back(photo);
    if (shared.empty()) continue;
    shared_photos += static_cast<int>(shared.size());
    json d;
    d["name"] = dataset;
    d["photos_a"] = photos_a.size();
    d["photos_b"] = photos_b.size();
    d["shared"] = shared.size();
    d["methods"] = json::array();
    const std::vector<std::string> in_b = MethodsOf(photos_b);
    for (const std::string& name : MethodsOf(photos_a))
      if (std::find(in_b.begin(), in_b.end(), name) != in_b.end())
        d["methods"].push_back(CompareMethod(name, shared, photos_a, photos_b));
    out["datasets"].push_back(d);
  }
  for (const auto& [dataset, photos_b] : b)
    for (const std::string& m : MethodsOf(photos_b)) methods_b.insert(m);
  if (shared_photos == 0) {
    auto describe = [](const RunResults& r) {
      std::string s;
      for (const auto& [dataset, photos] : r)
        s += (s.empty() ? "" : ", ") + std::to_string(photos.size()) + " of " + dataset;
      return s.empty() ? std::string("none") : s;
    };
    return Status::Error("the runs have no photo in common (" + run_a + ": " + describe(a) + "; " +
                         run_b + ": " + describe(b) + ")");
  }
  out["only_a"] = json::array();
  out["only_b"] = json::array();
  for (const std::string& m : methods_a)
    if (!methods_b.count(m)) out["only_a"].push_back(m);
  for (const std::string& m : methods_b)
    if (!methods_a.count(m)) out["only_b"].push_back(m);
  *comparison = out;
  return Status::Ok();
}

namespace {

std::string Interval(const json& m, int digits) {
  return SignedFixed(m["difference"].get<double>(), digits) + " [" +
         SignedFixed(m["low"].get<double>(), digits) + ", " +
         SignedFixed(m["high"].get<double>(), digits) + "]" +
         (m["significant"].get<bool>() ? "*" : "");
}

std::string Wtl(const json& m) {
  return std::to_string(m["wins"].get<int>()) + "/" + std::to_string(m["ties"].get<int>()) + "/" +
         std::to_string(m["losses"].get<int>());
}

int DigitsOf(const json& m) {
  const MetricInfo* info = FindMetric(m["key"].get<std::string>());
  return info != nullptr ? info->digits : 2;
}

std::string HeaderOf(const json& m) {
  const MetricInfo* info = FindMetric(m["key"].get<std::string>());
  return info != nullptr ? info->header : m["key"].get<std::string>();
}

}  // namespace

void PrintComparison(const json& c, std::FILE* out) {
  std::fprintf(out, "A = %s\nB = %s\n", c["a"].get<std::string>().c_str(),
               c["b"].get<std::string>().c_str());
  for (const json& d : c["datasets"]) {
    std::fprintf(out, "\n%s: %d photos in both (A %d, B %d)\n",
                 d["name"].get<std::string>().c_str(), d["shared"].get<int>(),
                 d["photos_a"].get<int>(), d["photos_b"].get<int>());
    for (const json& m : d["methods"]) {
      if (m["identical"].get<bool>()) {
        std::fprintf(out, "  %s: the same on all %d photos (time aside)\n",
                     m["name"].get<std::string>().c_str(), m["photos"].get<int>());
        continue;
      }
      std::fprintf(out, "  %s (%d photos): B - A, paired 95%% interval (* excludes 0), B's W/T/L\n",
                   m["name"].get<std::string>().c_str(), m["photos"].get<int>());
      for (const json& k : m["metrics"]) {
        const int digits = DigitsOf(k);
        std::fprintf(out, "    %-10s A %10s  B %10s  %s %s\n", HeaderOf(k).c_str(),
                     Fixed(k["a"].get<double>(), digits).c_str(),
                     Fixed(k["b"].get<double>(), digits).c_str(), Interval(k, digits).c_str(),
                     Wtl(k).c_str());
      }
    }
  }
  for (const char* side : {"only_a", "only_b"})
    for (const json& m : c[side])
      std::fprintf(out, "(%s is in %s only: not compared)\n", m.get<std::string>().c_str(),
                   side[5] == 'a' ? "A" : "B");
}

Status WriteComparison(const json& c, const std::string& out_dir) {
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) return Status::Error("cannot create " + out_dir + ": " + ec.message());
  std::ostringstream csv, html;
  csv << "dataset,method,metric,photos,a,b,difference,ci95_low,ci95_high,wins,ties,losses,"
         "significant\n";
  csv.precision(6);
  html << "<!DOCTYPE html><html><head><meta charset='utf-8'><title>tint: two runs</title>"
       << PageStyle() << "</head><body><h1>Two runs side by side</h1>"
       << "<p>A = <code>" << HtmlEscape(c["a"].get<std::string>()) << "</code><br>B = <code>"
       << HtmlEscape(c["b"].get<std::string>()) << "</code></p>"
       << "<p class='d'>Over the photos both runs scored: the means, B - A with a paired "
          "bootstrap 95% interval (10,000 resamples, seeded; * where it excludes 0, over 10 "
          "photos or more) and B's photos won / tied / lost against A (tie: equal to the digits "
          "shown). Green: B better.</p>";
  for (const json& d : c["datasets"]) {
    html << "<h2>" << HtmlEscape(d["name"].get<std::string>()) << " <span class='d'>("
         << d["shared"].get<int>() << " photos in both; A " << d["photos_a"].get<int>() << ", B "
         << d["photos_b"].get<int>() << ")</span></h2>";
    for (const json& m : d["methods"]) {
      const std::string name = m["name"].get<std::string>();
      if (m["identical"].get<bool>())
        html << "<p><b>" << HtmlEscape(name) << "</b>: the same on all " << m["photos"].get<int>()
             << " photos (time aside).</p>";
      html << "<h3" << (m["identical"].get<bool>() ? " hidden" : "") << ">" << HtmlEscape(name)
           << "</h3><table" << (m["identical"].get<bool>() ? " hidden" : "")
           << "><tr><th>metric</th><th>A</th><th>B</th>"
           << "<th>B - A [95%]</th><th>W/T/L</th></tr>";
      for (const json& k : m["metrics"]) {
        const int digits = DigitsOf(k);
        const MetricInfo* info = FindMetric(k["key"].get<std::string>());
        const double diff = k["difference"].get<double>();
        const bool better = info == nullptr || info->higher_is_better ? diff > 0 : diff < 0;
        const char* cls = !k["significant"].get<bool>() ? ""
                          : better                      ? " class='up'"
                                                        : " class='down'";
        html << "<tr><td>" << HtmlEscape(HeaderOf(k)) << "</td><td>"
             << Fixed(k["a"].get<double>(), digits) << "</td><td>"
             << Fixed(k["b"].get<double>(), digits) << "</td><td" << cls << ">"
             << Interval(k, digits) << "</td><td>" << Wtl(k) << "</td></tr>";
        csv << d["name"].get<std::string>() << "," << name << "," << k["key"].get<std::string>()
            << "," << m["photos"].get<int>() << "," << k["a"].get<double>() << ","
            << k["b"].get<double>() << "," << diff << "," << k["low"].get<double>() << ","
            << k["high"].get<double>() << "," << k["wins"].get<int>() << "," << k["ties"].get<int>()
            << "," << k["losses"].get<int>() << "," << (k["significant"].get<bool>() ? 1 : 0)
            << "\n";
      }
      html << "</table>";
      if (!m["changed"].empty()) {
        html << "<p class='d'>AuC changed most:</p><table><tr><th>photo</th><th>A</th><th>B</th>"
             << "<th>B - A</th></tr>";
        for (const json& p : m["changed"])
          html << "<tr><td>" << HtmlEscape(p["photo"].get<std::string>()) << "</td><td>"
               << Fixed(p["a"].get<double>(), 2) << "</td><td>" << Fixed(p["b"].get<double>(), 2)
               << "</td><td>" << SignedFixed(p["b"].get<double>() - p["a"].get<double>(), 2)
               << "</td></tr>";
        html << "</table>";
      }
    }
  }
  for (const char* side : {"only_a", "only_b"})
    for (const json& m : c[side])
      html << "<p class='d'>" << HtmlEscape(m.get<std::string>()) << " is in "
           << (side[5] == 'a' ? "A" : "B") << " only: not compared.</p>";
  html << "</body></html>\n";
  TINT_RETURN_IF_ERROR(WriteFileAtomic((fs::path(out_dir) / "compare.csv").string(), csv.str()));
  return WriteFileAtomic((fs::path(out_dir) / "compare.html").string(), html.str());
}

}  // namespace tint
