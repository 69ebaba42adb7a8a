// Rectangles given by users (--rect, --swatch, hint boxes): parsed strictly
// and checked in 64-bit arithmetic, so that no coordinate near INT_MAX can
// overflow a sum and pass a bounds check.
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/status.h"

namespace tint {

// Parses `count` decimal integers separated by `separator` alone: "12,-3,40".
// No spaces, signs other than a leading '-', empty fields or values outside
// int are accepted.
bool ParseIntList(const std::string& text, char separator, size_t count, std::vector<int>* values);

// "x,y,w,h" as ParseIntList reads it; the error quotes the text.
Status ParseRect(const std::string& text, cv::Rect* rect);

// True when `rect` has both sides at least `min_side` and lies wholly inside
// an image of `size`, computed without overflow.
bool RectInside(const cv::Rect& rect, cv::Size size, int min_side = 1);

// "x,y,w,h", for messages.
std::string RectText(const cv::Rect& rect);

}  // namespace tint
