#include "eval/gallery.h"

#include <filesystem>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/file_util.h"
#include "eval/html.h"
#include "eval/metric_table.h"

namespace tint {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The page's script: sorts a data set's rows by a data-* key.
const char kSortScript[] =
    "<script>function sortRows(id){const t=document.getElementById(id);"
    "const k=document.getElementById(id+'-key').value;"
    "const d=document.getElementById(id+'-order').value==='desc'?-1:1;"
    "const rows=[...t.tBodies[0].rows];"
    "rows.sort((a,b)=>k==='photo'?d*a.dataset.photo.localeCompare(b.dataset.photo):"
    "d*((+a.dataset[k])-(+b.dataset[k])));"
    "rows.forEach(r=>t.tBodies[0].appendChild(r));}</script>";

// A relative link to a thumbnail, or "" when it is not there.
std::string Thumb(const std::string& out_dir, const std::string& dataset, const std::string& photo,
                  const std::string& method) {
  const std::string path = GalleryThumbPath(out_dir, dataset, photo, method);
  std::error_code ec;
  if (!fs::exists(path, ec)) return "";
  return fs::relative(path, out_dir, ec).generic_string();
}

// One cell: the picture and, under it, every metric (with its difference
// from the baseline's on this photo for a method).
void WriteCell(const std::string& src, const json& metrics, const json* baseline,
               std::ostringstream& html) {
  html << "<td>";
  if (src.empty()) {
    html << "<span class='d'>(not kept)</span>";
  } else {
    html << "<img loading='lazy' src='" << HtmlEscape(src) << "' width='" << kGalleryThumbWidth
         << "'>";
  }
  if (metrics.is_object()) {
    html << "<div class='d' style='text-align:left'>";
    for (const MetricInfo& m : MetricTable()) {
      if (!metrics.contains(m.key) || !metrics[m.key].is_number()) continue;
      const double v = metrics[m.key].get<double>();
      html << HtmlEscape(m.header) << " " << Fixed(v, m.digits);
      if (baseline != nullptr && baseline->contains(m.key) && (*baseline)[m.key].is_number()) {
        const double diff = v - (*baseline)[m.key].get<double>();
        const bool better = m.higher_is_better ? diff > 0 : diff < 0;
        html << " <span class='" << (better ? "up" : "down") << "'>" << SignedFixed(diff, m.digits)
             << "</span>";
      }
      html << "<br>";
    }
    html << "</div>";
  }
  html << "</td>";
}

}  // namespace

Status WriteGallery(const ExperimentConfig& config, const std::vector<std::string>& names,
                    const std::string& out_dir) {
  std::ostringstream html;
  html << "<!DOCTYPE html><html><head><meta charset='utf-8'><title>tint gallery: "
       << HtmlEscape(config.name) << "</title>" << PageStyle() << kSortScript
       << "</head><body><h1>Gallery: " << HtmlEscape(config.name) << "</h1>"
       << "<p class='d'>Every photo kept (<code>save_outputs</code>): " << HtmlEscape(names[0])
       << ", each method and the truth, each with every metric and, for a method, its "
          "difference from "
       << HtmlEscape(names[0])
       << " on that photo (green: better). Sort a data set's rows by any method's difference "
          "in any metric. The outputs at full size: <code>outputs/&lt;data set&gt;/&lt;method&gt;/"
          "</code>. Back to the <a href='report.html'>report</a>.</p>";
  for (size_t d = 0; d < config.datasets.size(); ++d) {
    const DatasetSpec& dataset = config.datasets[d];
    std::vector<std::string> photos;
    TINT_RETURN_IF_ERROR(ListPhotos(dataset, &photos));
    const std::string id = "set" + std::to_string(d);
    html << "<h2>" << HtmlEscape(dataset.name) << "</h2><p>Sort by <select id='" << id
         << "-key' onchange=\"sortRows('" << id << "')\"><option value='photo'>photo name</option>";
    int key = 0;
    for (size_t m = 1; m < names.size(); ++m)
      for (const MetricInfo& metric : MetricTable())
        html << "<option value='k" << key++ << "'>" << HtmlEscape(names[m]) << ": "
             << HtmlEscape(metric.header) << " - " << HtmlEscape(names[0]) << "</option>";
    html << "</select> <select id='" << id << "-order' onchange=\"sortRows('" << id
         << "')\"><option value='desc'>largest first</option><option value='asc'>smallest "
            "first</option></select></p><table class='grid' id='"
         << id << "'><thead><tr><th>photo</th>";
    for (const std::string& n : names) html << "<th>" << HtmlEscape(n) << "</th>";
    html << "<th>truth</th></tr></thead><tbody>";
    for (const std::string& photo : photos) {
      const std::string name = fs::path(photo).filename().string();
      std::vector<uint8_t> bytes;
      const fs::path result = fs::path(out_dir) / "photos" / dataset.name / (name + ".json");
      if (!ReadFileBytes(result.string(), &bytes).ok()) continue;  // not run, or unreadable
      const json r = json::parse(bytes.begin(), bytes.end(), nullptr, false);
      if (r.is_discarded() || !r.contains("methods") || !r["methods"].is_object()) continue;
      const json& ms = r["methods"];
      const json base = ms.value(names[0], json::object());
      html << "<tr data-photo='" << HtmlEscape(name) << "'";
      key = 0;
      for (size_t m = 1; m < names.size(); ++m) {
        const json mine = ms.value(names[m], json::object());
        for (const MetricInfo& metric : MetricTable()) {
          double diff = 0;
          if (mine.contains(metric.key) && base.contains(metric.key) &&
              mine[metric.key].is_number() && base[metric.key].is_number())
            diff = mine[metric.key].get<double>() - base[metric.key].get<double>();
          html << " data-k" << key++ << "='" << diff << "'";
        }
      }
      html << "><td style='text-align:left'>" << HtmlEscape(name) << "</td>";
      for (size_t m = 0; m < names.size(); ++m)
        WriteCell(Thumb(out_dir, dataset.name, photo, names[m]), ms.value(names[m], json::object()),
                  m == 0 ? nullptr : &base, html);
      json truth = json::object();
      if (r.contains("colorfulness_truth")) truth["colorfulness"] = r["colorfulness_truth"];
      WriteCell(Thumb(out_dir, dataset.name, photo, "truth"), truth, nullptr, html);
      html << "</tr>";
    }
    html << "</tbody></table>";
  }
  html << "</body></html>\n";
  return WriteFileAtomic((fs::path(out_dir) / "gallery.html").string(), html.str());
}

}  // namespace tint
