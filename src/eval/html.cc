#include "eval/html.h"

#include <sstream>

namespace tint {

std::string HtmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Fixed(double v, int digits) {
  std::ostringstream os;
  os.setf(std::ios::fixed);
  os.precision(digits);
  os << v;
  return os.str();
}

std::string SignedFixed(double v, int digits) { return (v >= 0 ? "+" : "") + Fixed(v, digits); }

const char* PageStyle() {
  return "<style>body{font-family:sans-serif;margin:24px;max-width:1400px}"
         "table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid "
         "#ccc;padding:3px 8px;"
         "text-align:right}th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}"
         ".d{color:#777;font-size:90%}.grid "
         "td{vertical-align:top}.up{color:#1a7f37}.down{color:#b42318}.grid "
         "td{border:none;padding:2px;"
         "text-align:center;font-size:85%}img{display:block}code{background:#f3f3f3;padding:1px "
         "4px}</style>";
}

}  // namespace tint
