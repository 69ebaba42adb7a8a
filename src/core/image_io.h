// Checked image reading and atomic image writing.
#pragma once

#include <cstdint>
#include <string>

#include <opencv2/core.hpp>

#include "core/status.h"

namespace tint {

struct ImageReadOptions {
  // Largest image accepted, in pixels (width * height). Checked against the
  // file header before anything is decoded, so a huge image never allocates.
  int64_t max_pixels = 50'000'000;

  // Largest image file read: 8 bytes per allowed pixel (16-bit RGBA,
  // uncompressed) plus 16 MiB of metadata; a larger file is refused unread.
  uint64_t MaxFileBytes() const;

  bool Check(std::string* error) const;
};

// Width and height read from the header of a PNG, JPEG, BMP, PNM, TIFF or
// WebP byte stream, without decoding pixels. Returns false for other formats.
bool PeekImageSize(const std::vector<uint8_t>& bytes, int* width, int* height);

// Whether a file name has an image extension tint lists in folders (png,
// jpg, jpeg, tif, tiff, bmp; any case).
bool HasImageExtension(const std::string& path);

// Reads any image OpenCV can decode (8/16-bit or float; grey, colour, with
// alpha) without changing its depth or channel count. Fails with a one-line
// message on a missing file, a folder, an empty, truncated or unrecognised
// file, a FIFO or other non-regular file, a file over MaxFileBytes(), or an
// image larger than options.max_pixels (by its header, before decoding).
Status ReadImage(const ImageReadOptions& options, const std::string& path, cv::Mat* image);

// The checks and decoding of ReadImage on bytes already in memory; `name`
// is the file name used in messages.
Status DecodeImage(const ImageReadOptions& options, const std::string& name,
                   const std::vector<uint8_t>& bytes, cv::Mat* image);

// Encodes by the file extension (png, jpg, tif, bmp, ...) and writes
// atomically: on failure no partial file is left and an old file is kept.
Status WriteImage(const std::string& path, const cv::Mat& image);

}  // namespace tint
