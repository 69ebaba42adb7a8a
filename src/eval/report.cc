#include "eval/report.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include <opencv2/imgproc.hpp>

#include "core/color.h"
#include "core/config.h"
#include "core/file_util.h"
#include "eval/html.h"
#include "eval/metric_table.h"

namespace tint {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const char* kColours[] = {"#888888", "#1f77b4", "#d62728", "#2ca02c",
                          "#9467bd", "#ff7f0e", "#8c564b", "#e377c2"};

// Mean cumulative error curves, t = 0..150 every 5, as an SVG plot.
std::string CurvesSvg(const json& dataset) {
  const int w = 420, h = 260, left = 44, bottom = 34, top = 10, right = 130;
  const int pw = w - left - right, ph = h - top - bottom;
  std::ostringstream s;
  s << "<svg width='" << w << "' height='" << h << "' viewBox='0 0 " << w << " " << h
    << "' xmlns='http://www.w3.org/2000/svg' font-family='sans-serif' font-size='11'>";
  s << "<rect x='" << left << "' y='" << top << "' width='" << pw << "' height='" << ph
    << "' fill='none' stroke='#ccc'/>";
  for (int t = 0; t <= 150; t += 25) {
    const double x = left + pw * t / 150.0;
    s << "<line x1='" << x << "' y1='" << top + ph << "' x2='" << x << "' y2='" << top + ph + 4
      << "' stroke='#666'/>";
    s << "<text x='" << x << "' y='" << top + ph + 16 << "' text-anchor='middle'>" << t
      << "</text>";
  }
  for (int f = 0; f <= 4; ++f) {
    const double y = top + ph - ph * f / 4.0;
    s << "<text x='" << left - 6 << "' y='" << y + 4 << "' text-anchor='end'>" << Fixed(f / 4.0, 2)
      << "</text>";
  }
  s << "<text x='" << left + pw / 2 << "' y='" << h - 4
    << "' text-anchor='middle'>ab error threshold t</text>";
  int k = 0;
  for (const auto& m : dataset["methods"]) {
    const char* colour = kColours[k % 8];
    if (m.contains("auc_curve_step5")) {
      s << "<polyline fill='none' stroke='" << colour << "' stroke-width='1.6' points='";
      const auto& c = m["auc_curve_step5"];
      for (size_t i = 0; i < c.size(); ++i) {
        s << left + pw * (5.0 * i) / 150.0 << "," << top + ph - ph * c[i].get<double>() << " ";
      }
      s << "'/>";
    }
    s << "<rect x='" << left + pw + 10 << "' y='" << top + 6 + 16 * k
      << "' width='10' height='3' fill='" << colour << "'/><text x='" << left + pw + 24 << "' y='"
      << top + 10 + 16 * k << "'>" << HtmlEscape(m["name"].get<std::string>()) << "</text>";
    ++k;
  }
  s << "</svg>";
  return s.str();
}

cv::Mat Thumb(const cv::Mat& bgr8, int width) {
  cv::Mat out;
  const int h = std::max(
      1, static_cast<int>(std::lround(bgr8.rows * static_cast<double>(width) / bgr8.cols)));
  cv::resize(bgr8, out, cv::Size(width, h), 0, 0, cv::INTER_AREA);
  return out;
}

}  // namespace

namespace {

// The page's head, style and the run's provenance line.
void WriteReportHead(const ExperimentConfig& config, const json& summary,
                     std::ostringstream& html) {
  html << "<!DOCTYPE html><html><head><meta charset='utf-8'><title>tint: "
       << HtmlEscape(config.name) << "</title>" << PageStyle() << "</head><body>";
  html << "<h1>tint experiment: " << HtmlEscape(config.name) << "</h1>";
  const json& p = summary["provenance"];
  html << "<p class='d'>commit <code>" << HtmlEscape(p.value("git_commit", std::string("?")))
       << (p.value("git_dirty", false) ? " (with uncommitted changes)" : "")
       << "</code>, config <code>" << HtmlEscape(p.value("config_path", std::string()))
       << "</code> (SHA-256 " << HtmlEscape(p.value("config_sha256", std::string()).substr(0, 12))
       << "), " << HtmlEscape(p.value("date", std::string()));
  if (p.contains("machine")) {
    html << ", " << HtmlEscape(p["machine"].value("host", std::string())) << " ("
         << p["machine"].value("cores", 0) << " cores, "
         << HtmlEscape(p["machine"].value("system", std::string())) << ")";
  }
  if (p.contains("peak_rss_mb")) {
    html << "; peak memory of the run " << Fixed(p["peak_rss_mb"].get<double>(), 0) << " MB with "
         << p.value("jobs", 1) << " job(s)";
  }
  html << ". Each photo's lightness is the input and the photo the truth; the grayscale baseline "
          "(a = b = 0) is "
          "beside every method, with each method's difference to it.</p>";
}

// A data set's heading and its table: each method's mean of every metric,
// its difference to the baseline, and its label accuracy; the truth's
// colourfulness last.
void WriteMetricsTable(const json& d, const std::vector<std::string>& names,
                       std::ostringstream& html) {
  const std::string dname = d["name"].get<std::string>();
  html << "<h2>" << HtmlEscape(dname) << " <span class='d'>("
       << HtmlEscape(d["kind"].get<std::string>()) << " "
       << HtmlEscape(d["split"].get<std::string>()) << ", " << d["done"].get<int>() << " of "
       << d["photos"].get<int>() << " photos";
  if (d["failed"].get<int>() > 0) html << ", " << d["failed"].get<int>() << " unreadable";
  if (d["missing"].get<int>() > 0) html << ", " << d["missing"].get<int>() << " not yet run";
  html << ")</span></h2>";
  html << "<table><tr><th>method</th>";
  for (const MetricInfo& metric : MetricTable()) {
    html << "<th title=\"" << HtmlEscape(metric.description) << "\">" << HtmlEscape(metric.header)
         << "</th>";
  }
  // The label accuracy column only where a method has one (CamVid).
  bool labels = false;
  for (const auto& m : d["methods"]) labels = labels || m.contains("label_accuracy");
  html << (labels ? "<th>label accuracy (pixel / mean class)</th>" : "") << "</tr>";
  for (const auto& m : d["methods"]) {
    const auto& v = m["mean"];
    const auto& b = m["minus_baseline"];
    const bool base = m["name"] == names[0];
    html << "<tr><td>" << HtmlEscape(m["name"].get<std::string>()) << "</td>";
    for (const MetricInfo& metric : MetricTable()) {
      html << "<td>" << Fixed(v.at(metric.key).get<double>(), metric.digits);
      if (!base) {
        const double dv = b.at(metric.key).get<double>();
        const bool good = metric.higher_is_better ? dv > 0 : dv < 0;
        html << " <span class='"
             << (dv == 0 ? "d"
                 : good  ? "up"
                         : "down")
             << "'>(" << SignedFixed(dv, metric.digits) << ")</span>";
        if (m.contains("vs_baseline")) {
          const auto& s = m["vs_baseline"].at(metric.key);
          html << "<br><span class='d' title='paired bootstrap 95% interval of the difference "
                  "from "
               << HtmlEscape(names[0]) << "; photos won / tied / lost'>["
               << SignedFixed(s["ci95"][0].get<double>(), metric.digits) << ", "
               << SignedFixed(s["ci95"][1].get<double>(), metric.digits) << "]"
               << (s["significant"].get<bool>() ? " *" : "") << " " << s["wins"].get<int>() << "/"
               << s["ties"].get<int>() << "/" << s["losses"].get<int>() << "</span>";
        }
      }
      html << "</td>";
    }
    if (labels) html << "<td>";
    if (m.contains("label_accuracy")) {
      const auto& a = m["label_accuracy"];
      html << Fixed(100 * a["pixel"].get<double>(), 1) << "% / "
           << Fixed(100 * a["mean_class"].get<double>(), 1) << "%<br><span class='d'>";
      for (const auto& item : a["per_class"].items()) {
        html << HtmlEscape(item.key()) << " " << Fixed(100 * item.value().get<double>(), 0) << "% ";
      }
      html << "</span>";
    }
    html << (labels ? "</td>" : "") << "</tr>";
  }
  html << "<tr><td>(truth)</td>";
  for (const MetricInfo& metric : MetricTable()) {
    html << "<td>"
         << (metric.key == "colorfulness" ? Fixed(d["colorfulness_truth"].get<double>(), 1) : "")
         << "</td>";
  }
  html << (labels ? "<td></td>" : "") << "</tr></table>";
}

// The normalized-cuts stage against the human segmentations, beside the
// published figures.
void WriteRegionTable(const json& d, std::ostringstream& html) {
  if (d.contains("regions")) {
    const auto& g = d["regions"];
    const auto& pub = g["published_ncuts_arbelaez2011"];
    html << "<p>Region benchmark of the normalized-cuts stage (lightness only) against the human "
            "segmentations, "
            "segment counts swept for ODS/OIS:</p><table><tr><th></th><th>Covering "
            "ODS</th><th>OIS</th>"
            "<th>PRI ODS</th><th>OIS</th><th>VI ODS</th><th>OIS</th></tr><tr><td>tint normalized "
            "cuts</td>";
    for (const char* k : {"covering", "pri", "voi"}) {
      html << "<td>" << Fixed(g[k]["ods"].get<double>(), 3) << "</td><td>"
           << Fixed(g[k]["ois"].get<double>(), 3) << "</td>";
    }
    html << "</tr><tr><td>Ncuts, Arbelaez et al. 2011 (as recalled, unverified)</td>";
    for (const char* k : {"covering", "pri", "voi"}) {
      html << "<td>" << Fixed(pub[k]["ods"].get<double>(), 2) << "</td><td>"
           << Fixed(pub[k]["ois"].get<double>(), 2) << "</td>";
    }
    html << "</tr></table>";
  }
}

// Best, median and worst photo by the ranking method's AuC, every method's
// result and the truth as thumbnails (written to thumbs/).
Status WritePicks(const ExperimentConfig& config, const std::vector<const Colorizer*>& methods,
                  const std::vector<std::string>& names, const std::string& dname,
                  const std::string& out_dir, const ImageReadOptions& read,
                  std::ostringstream& html) {
  const std::string ranker = names.back();
  const fs::path thumbs = fs::path(out_dir) / "thumbs";
  // Best, median and worst photo by the ranking method's AuC.
  const DatasetSpec* spec = nullptr;
  for (const auto& s : config.datasets) {
    if (s.name == dname) spec = &s;
  }
  std::vector<std::pair<double, std::string>> ranked;
  const fs::path dir = fs::path(out_dir) / "photos" / dname;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() != ".json") continue;
    json r;
    if (!ReadConfigFile(e.path().string(), &r).ok()) continue;
    if (!r.contains("methods") || !r["methods"].contains(ranker)) continue;
    ranked.emplace_back(r["methods"][ranker].value("auc", 0.0), r.value("photo", std::string()));
  }
  if (ranked.empty() || spec == nullptr) return Status::Ok();
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  const std::vector<std::pair<std::string, size_t>> picks = {
      {"best", 0}, {"median", ranked.size() / 2}, {"worst", ranked.size() - 1}};
  html << "<p>Best, median and worst photo by the AuC of <b>" << HtmlEscape(ranker)
       << "</b>:</p><div style='overflow-x:auto'><table class='grid'><tr><td></td>";
  for (const auto& n : names)
    html << "<td>" << HtmlEscape(n) << (n == names[0] ? " (the input)" : "") << "</td>";
  html << "<td>truth</td></tr>";
  for (const auto& [label, index] : picks) {
    const std::string& photo = ranked[index].second;
    cv::Mat image;
    TINT_RETURN_IF_ERROR(ReadImage(read, (fs::path(spec->images_dir) / photo).string(), &image));
    std::vector<cv::Mat>
        tiles;  // the methods (the grayscale baseline shows the input), then the truth
    for (size_t m = 0; m < methods.size(); ++m) {
      cv::Mat out;
      TINT_RETURN_IF_ERROR(
          ColorizeWithGuide(config, m, *methods[m], spec->name, photo, image, read, &out));
      tiles.push_back(out);
    }
    cv::Mat truth8;
    ToFloatBgr(image).convertTo(truth8, CV_8UC3, 255.0);
    tiles.push_back(truth8);
    html << "<tr><td>" << label << "<br><span class='d'>" << HtmlEscape(photo) << "<br>AuC "
         << Fixed(ranked[index].first, 1) << "</span></td>";
    for (size_t t = 0; t < tiles.size(); ++t) {
      const std::string file = dname + "_" + label + "_" + std::to_string(t) + ".png";
      TINT_RETURN_IF_ERROR(WriteImage((thumbs / file).string(), Thumb(tiles[t], 180)));
      html << "<td><img src='thumbs/" << HtmlEscape(file) << "' width='180'></td>";
    }
    html << "</tr>";
  }
  html << "</table></div>";
  return Status::Ok();
}

}  // namespace

Status WriteExperimentReport(const ExperimentConfig& config,
                             const std::vector<const Colorizer*>& methods,
                             const std::vector<std::string>& names, const json& summary,
                             const std::string& out_dir, const ImageReadOptions& read,
                             bool gallery) {
  const fs::path thumbs = fs::path(out_dir) / "thumbs";
  std::error_code ec;
  fs::create_directories(thumbs, ec);
  if (ec) return Status::Error(thumbs.string() + ": cannot create (" + ec.message() + ")");
  std::ostringstream html;
  WriteReportHead(config, summary, html);
  if (gallery)
    html << "<p><a href='gallery.html'>The gallery</a>: every photo's outputs and metrics, "
            "sortable by any difference from the baseline.</p>";
  for (const auto& d : summary["datasets"]) {
    WriteMetricsTable(d, names, html);
    WriteRegionTable(d, html);
    html << "<p>Fraction of pixels whose (a, b) error is within t (mean over photos; AuC is the "
            "area under it):</p>"
         << CurvesSvg(d);
    TINT_RETURN_IF_ERROR(
        WritePicks(config, methods, names, d["name"].get<std::string>(), out_dir, read, html));
  }
  html << "<p class='d'>Under each difference from " << HtmlEscape(names[0])
       << ": its paired bootstrap 95% interval over the photos (10,000 resamples, seeded), "
          "<b>*</b> where the interval excludes 0, and the photos won / tied / lost (a tie: "
          "equal to the digits shown). Also in <code>stats.csv</code>.</p>";
  html << "<p class='d'>Per-photo numbers: <code>per_photo.csv</code>; everything above: "
          "<code>summary.json</code>.</p>"
          "</body></html>\n";
  return WriteFileAtomic((fs::path(out_dir) / "report.html").string(), html.str());
}

void PrintSummary(const nlohmann::json& summary, std::FILE* out) {
  for (const auto& d : summary["datasets"]) {
    std::fprintf(
        out, "\n%s (%s%s%s): %d of %d photos", d["name"].get<std::string>().c_str(),
        d["kind"].get<std::string>().c_str(), d["split"].get<std::string>().empty() ? "" : " ",
        d["split"].get<std::string>().c_str(), d["done"].get<int>(), d["photos"].get<int>());
    if (d["failed"].get<int>() > 0) std::fprintf(out, ", %d unreadable", d["failed"].get<int>());
    if (d["missing"].get<int>() > 0) std::fprintf(out, ", %d not yet run", d["missing"].get<int>());
    // One column per entry of the metric table.
    std::fprintf(out, "\n%-24s", "method");
    for (const MetricInfo& metric : MetricTable()) std::fprintf(out, " %9s", metric.header.c_str());
    std::fprintf(out, "\n");
    for (const auto& m : d["methods"]) {
      std::fprintf(out, "%-24s", m["name"].get<std::string>().c_str());
      for (const MetricInfo& metric : MetricTable()) {
        std::fprintf(out, " %9.*f", metric.digits, m["mean"].at(metric.key).get<double>());
      }
      std::fprintf(out, "\n");
    }
    std::fprintf(out, "%-24s", "(truth)");
    for (const MetricInfo& metric : MetricTable()) {
      if (metric.key == "colorfulness")
        std::fprintf(out, " %9.1f", d["colorfulness_truth"].get<double>());
      else
        std::fprintf(out, " %9s", "");
    }
    std::fprintf(out, "\n");
    for (const auto& m : d["methods"]) {
      if (!m.contains("vs_baseline")) continue;
      std::fprintf(out, "%s - %s, paired 95%% interval (* excludes 0), photos won/tied/lost:",
                   m["name"].get<std::string>().c_str(),
                   d["methods"][0]["name"].get<std::string>().c_str());
      for (const MetricInfo& metric : MetricTable()) {
        const auto& s = m["vs_baseline"].at(metric.key);
        std::fprintf(out, "%s %s %+.*f [%+.*f, %+.*f]%s %d/%d/%d",
                     &metric == &MetricTable()[0] ? "" : ";", metric.header.c_str(), metric.digits,
                     s["difference"].get<double>(), metric.digits, s["ci95"][0].get<double>(),
                     metric.digits, s["ci95"][1].get<double>(),
                     s["significant"].get<bool>() ? "*" : "", s["wins"].get<int>(),
                     s["ties"].get<int>(), s["losses"].get<int>());
      }
      std::fprintf(out, "\n");
    }
    for (const auto& m : d["methods"]) {
      if (!m.contains("label_accuracy")) continue;
      const auto& a = m["label_accuracy"];
      std::fprintf(out, "%s label accuracy: pixel %.1f%%, mean class %.1f%% (",
                   m["name"].get<std::string>().c_str(), 100 * a["pixel"].get<double>(),
                   100 * a["mean_class"].get<double>());
      bool first = true;
      for (const auto& item : a["per_class"].items()) {
        std::fprintf(out, "%s%s %.1f%%", first ? "" : ", ", item.key().c_str(),
                     100 * item.value().get<double>());
        first = false;
      }
      std::fprintf(out, ")\n");
    }
    if (d.contains("regions")) {
      const auto& g = d["regions"];
      std::fprintf(
          out,
          "normalized cuts vs human segmentations: covering ODS %.3f OIS %.3f, PRI ODS %.3f OIS "
          "%.3f, "
          "VI ODS %.3f OIS %.3f\n",
          g["covering"]["ods"].get<double>(), g["covering"]["ois"].get<double>(),
          g["pri"]["ods"].get<double>(), g["pri"]["ois"].get<double>(),
          g["voi"]["ods"].get<double>(), g["voi"]["ois"].get<double>());
    }
  }
}

}  // namespace tint
