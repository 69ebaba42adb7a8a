#include "core/geometry.h"

#include <charconv>
#include <cstdint>

namespace tint {

bool ParseIntList(const std::string& text, char separator, size_t count, std::vector<int>* values) {
  values->clear();
  const char* p = text.data();
  const char* end = p + text.size();
  while (true) {
    const char* field_end = p;
    while (field_end != end && *field_end != separator) ++field_end;
    int v = 0;
    // from_chars takes an optional '-' and digits only: no space, no '+'.
    const auto [ptr, ec] = std::from_chars(p, field_end, v);
    if (p == field_end || ec != std::errc() || ptr != field_end) return false;
    values->push_back(v);
    if (field_end == end) break;
    p = field_end + 1;
  }
  return values->size() == count;
}

Status ParseRect(const std::string& text, cv::Rect* rect) {
  std::vector<int> v;
  if (!ParseIntList(text, ',', 4, &v))
    return Status::Error("a rectangle must be x,y,w,h (four integers, no spaces), got \"" + text +
                         "\"");
  *rect = cv::Rect(v[0], v[1], v[2], v[3]);
  return Status::Ok();
}

bool RectInside(const cv::Rect& rect, cv::Size size, int min_side) {
  const int64_t x = rect.x, y = rect.y, w = rect.width, h = rect.height;
  return w >= min_side && h >= min_side && x >= 0 && y >= 0 && x + w <= size.width &&
         y + h <= size.height;
}

std::string RectText(const cv::Rect& rect) {
  return std::to_string(rect.x) + "," + std::to_string(rect.y) + "," + std::to_string(rect.width) +
         "," + std::to_string(rect.height);
}

}  // namespace tint
