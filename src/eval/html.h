// Small text helpers shared by the HTML pages tint eval writes (the report,
// the run comparison).
#pragma once

#include <string>

namespace tint {

// &, <, > and " as entities.
std::string HtmlEscape(const std::string& s);
// v with `digits` decimals; SignedFixed adds "+" to non-negative values.
std::string Fixed(double v, int digits);
std::string SignedFixed(double v, int digits);
// The pages' shared style sheet (a <style> element).
const char* PageStyle();

}  // namespace tint
