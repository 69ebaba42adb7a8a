#include "core/image_io.h"

#include <tiffio.h>

#include <algorithm>
#include <cctype>
#include <cstdarg>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "core/file_util.h"

namespace tint {
namespace {

uint32_t Be32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}
uint16_t Be16(const uint8_t* p) { return uint16_t((p[0] << 8) | p[1]); }
uint32_t Le32(const uint8_t* p) {
  return uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24);
}
uint16_t Le16(const uint8_t* p) { return uint16_t(p[0] | (p[1] << 8)); }

bool IsJpeg(const std::vector<uint8_t>& b) {
  return b.size() >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF;
}
bool IsPng(const std::vector<uint8_t>& b) {
  static const uint8_t kSig[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  return b.size() >= 8 && std::equal(kSig, kSig + 8, b.begin());
}

bool PeekJpeg(const std::vector<uint8_t>& b, int* w, int* h) {
  size_t i = 2;
  while (i + 4 <= b.size()) {
    if (b[i] != 0xFF) return false;
    const uint8_t marker = b[i + 1];
    if (marker == 0xFF) {
      ++i;
      continue;
    }
    if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
      i += 2;
      continue;
    }
    const uint16_t len = Be16(&b[i + 2]);
    const bool sof =
        marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (sof) {
      if (i + 9 > b.size()) return false;
      *h = Be16(&b[i + 5]);
      *w = Be16(&b[i + 7]);
      return true;
    }
    i += 2 + len;
  }
  return false;
}

// A JPEG cut short still decodes in libjpeg (the rest is filled grey), so a
// missing end-of-image marker is treated as truncation. The marker is looked
// for after the first start-of-scan: in entropy-coded data a 0xFF byte is
// always stuffed (FF 00), so FF D9 there is the real end, and bytes appended
// after it (the video of a "motion photo") are allowed.
bool JpegHasEnd(const std::vector<uint8_t>& b) {
  auto end_after = [&](size_t from) {
    for (size_t k = from; k + 1 < b.size(); ++k) {
      if (b[k] == 0xFF && b[k + 1] == 0xD9) return true;
    }
    return false;
  };
  size_t i = 2;
  while (i + 4 <= b.size()) {
    if (b[i] != 0xFF) return end_after(i);  // junk between segments: libjpeg skips it too
    const uint8_t marker = b[i + 1];
    if (marker == 0xFF) {
      ++i;
      continue;
    }
    if (marker == 0xD9) return true;
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {
      i += 2;
      continue;
    }
    const size_t len = Be16(&b[i + 2]);
    if (marker == 0xDA) return end_after(i + 2 + len);  // start of scan
    i += 2 + len;
  }
  return false;
}

// Walks the PNG chunks (length, type, data, CRC) to IEND; bytes after IEND
// are allowed, a chunk running past the end of the file is truncation.
bool PngHasEnd(const std::vector<uint8_t>& b) {
  size_t i = 8;
  while (i + 12 <= b.size()) {
    const uint64_t len = Be32(&b[i]);
    if (std::equal(b.begin() + i + 4, b.begin() + i + 8, "IEND")) return true;
    i += 12 + len;
  }
  return false;
}

}  // namespace

bool ImageReadOptions::Check(std::string* error) const {
  if (max_pixels < 1) {
    *error = "max_pixels must be positive";
    return false;
  }
  return true;
}

namespace {

// A TIFF (classic or BigTIFF, either byte order).
bool IsTiff(const std::vector<uint8_t>& b) {
  if (b.size() < 8) return false;
  return (b[0] == 'I' && b[1] == 'I' && (b[2] == 42 || b[2] == 43) && b[3] == 0) ||
         (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && (b[3] == 42 || b[3] == 43));
}

// libtiff reading the bytes in memory: the same reading of the first
// directory that OpenCV's TIFF decoder does, so a LONG8 or repeated
// ImageWidth cannot give this check one size and the decoder another.
struct TiffMemory {
  const std::vector<uint8_t>* bytes;
  toff_t at = 0;
};

tmsize_t TiffRead(thandle_t h, void* buffer, tmsize_t size) {
  auto* m = static_cast<TiffMemory*>(h);
  const toff_t n = m->at >= m->bytes->size()
                       ? 0
                       : std::min<toff_t>(static_cast<toff_t>(size), m->bytes->size() - m->at);
  if (n > 0) std::memcpy(buffer, m->bytes->data() + m->at, n);
  m->at += n;
  return static_cast<tmsize_t>(n);
}
tmsize_t TiffWrite(thandle_t, void*, tmsize_t) { return -1; }
toff_t TiffSeek(thandle_t h, toff_t offset, int whence) {
  auto* m = static_cast<TiffMemory*>(h);
  const toff_t base = whence == SEEK_CUR ? m->at : whence == SEEK_END ? m->bytes->size() : 0;
  m->at = base + offset;
  return m->at;
}
int TiffClose(thandle_t) { return 0; }
toff_t TiffBytes(thandle_t h) { return static_cast<TiffMemory*>(h)->bytes->size(); }
int TiffMap(thandle_t, void**, toff_t*) { return 0; }
void TiffUnmap(thandle_t, void*, toff_t) {}
void TiffQuiet(const char*, const char*, va_list) {}

bool TiffSize(const std::vector<uint8_t>& b, int* width, int* height) {
  static std::once_flag quiet;
  std::call_once(quiet, [] {
    TIFFSetErrorHandler(TiffQuiet);
    TIFFSetWarningHandler(TiffQuiet);
  });
  TiffMemory memory{&b};
  // "rm": read only, never memory-map.
  TIFF* tiff = TIFFClientOpen("image", "rm", &memory, TiffRead, TiffWrite, TiffSeek, TiffClose,
                              TiffBytes, TiffMap, TiffUnmap);
  if (tiff == nullptr) return false;
  uint32_t w = 0, h = 0;
  const bool ok = TIFFGetField(tiff, TIFFTAG_IMAGEWIDTH, &w) == 1 &&
                  TIFFGetField(tiff, TIFFTAG_IMAGELENGTH, &h) == 1;
  TIFFClose(tiff);
  if (!ok) return false;
  *width = static_cast<int>(std::min<uint32_t>(w, INT32_MAX));
  *height = static_cast<int>(std::min<uint32_t>(h, INT32_MAX));
  return true;
}

}  // namespace

bool PeekImageSize(const std::vector<uint8_t>& b, int* width, int* height) {
  if (IsPng(b)) {
    if (b.size() < 24) return false;
    *width = static_cast<int>(std::min<uint32_t>(Be32(&b[16]), INT32_MAX));
    *height = static_cast<int>(std::min<uint32_t>(Be32(&b[20]), INT32_MAX));
    return true;
  }
  if (IsJpeg(b)) return PeekJpeg(b, width, height);
  if (b.size() >= 26 && b[0] == 'B' && b[1] == 'M') {
    *width = std::abs(static_cast<int32_t>(Le32(&b[18])));
    *height = std::abs(static_cast<int32_t>(Le32(&b[22])));
    return true;
  }
  if (b.size() >= 30 && std::equal(b.begin(), b.begin() + 4, "RIFF") &&
      std::equal(b.begin() + 8, b.begin() + 12, "WEBP")) {
    if (std::equal(b.begin() + 12, b.begin() + 16, "VP8X")) {
      *width = 1 + int(b[24] | (b[25] << 8) | (b[26] << 16));
      *height = 1 + int(b[27] | (b[28] << 8) | (b[29] << 16));
      return true;
    }
    if (std::equal(b.begin() + 12, b.begin() + 16, "VP8L") && b[20] == 0x2f) {
      const uint32_t bits = Le32(&b[21]);
      *width = static_cast<int>(bits & 0x3fff) + 1;
      *height = static_cast<int>((bits >> 14) & 0x3fff) + 1;
      return true;
    }
    if (std::equal(b.begin() + 12, b.begin() + 16, "VP8 ")) {
      *width = Le16(&b[26]) & 0x3fff;
      *height = Le16(&b[28]) & 0x3fff;
      return true;
    }
    return false;
  }
  if (b.size() >= 3 && b[0] == 'P' && b[1] >= '1' && b[1] <= '6') {
    // PNM: magic, then whitespace/comments, width, height.
    size_t i = 2;
    long vals[2];
    for (long& v : vals) {
      while (i < b.size() && (std::isspace(b[i]) || b[i] == '#')) {
        if (b[i] == '#')
          while (i < b.size() && b[i] != '\n') ++i;
        else
          ++i;
      }
      v = 0;
      bool any = false;
      while (i < b.size() && std::isdigit(b[i]) && v < INT32_MAX) {
        v = v * 10 + (b[i++] - '0');
        any = true;
      }
      if (!any) return false;
    }
    *width = static_cast<int>(std::min<long>(vals[0], INT32_MAX));
    *height = static_cast<int>(std::min<long>(vals[1], INT32_MAX));
    return true;
  }
  if (IsTiff(b)) return TiffSize(b, width, height);
  return false;
}

uint64_t ImageReadOptions::MaxFileBytes() const {
  return static_cast<uint64_t>(std::max<int64_t>(max_pixels, 1)) * 8 + (uint64_t{16} << 20);
}

bool HasImageExtension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char ch) { return std::tolower(ch); });
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".tif" || ext == ".tiff" ||
         ext == ".bmp";
}

Status ReadImage(const ImageReadOptions& options, const std::string& path, cv::Mat* image) {
  std::string error;
  TINT_CHECK(options.Check(&error), error);
  // The header first: a file whose header already gives too many pixels, or
  // that is larger than any image within the limit could be, is refused
  // before the rest is read.
  std::vector<uint8_t> bytes;
  uint64_t file_size = 0;
  TINT_RETURN_IF_ERROR(
      ReadFilePrefix(path, 256 * 1024, options.MaxFileBytes(), &bytes, &file_size));
  int width = 0, height = 0;
  if (PeekImageSize(bytes, &width, &height) && width > 0 && height > 0 &&
      int64_t(width) * int64_t(height) > options.max_pixels) {
    return DecodeImage(options, path, bytes, image);  // says why, from the header alone
  }
  if (bytes.size() < file_size)
    TINT_RETURN_IF_ERROR(ReadFileBytes(path, &bytes, options.MaxFileBytes()));
  return DecodeImage(options, path, bytes, image);
}

Status DecodeImage(const ImageReadOptions& options, const std::string& path,
                   const std::vector<uint8_t>& bytes, cv::Mat* image) {
  std::string error;
  TINT_CHECK(options.Check(&error), error);
  if (bytes.empty()) return Status::Error(path + ": empty file (0 bytes)");

  int width = 0, height = 0;
  const bool known = PeekImageSize(bytes, &width, &height);
  if (!known && IsTiff(bytes))
    return Status::Error(path + ": cannot read the TIFF's directory (damaged TIFF)");
  if (known) {
    if (width <= 0 || height <= 0)
      return Status::Error(path + ": image header gives an empty size");
    const int64_t pixels = int64_t(width) * int64_t(height);
    if (pixels > options.max_pixels) {
      return Status::Error(path + ": image is " + std::to_string(width) + "x" +
                           std::to_string(height) + " (" + std::to_string(pixels) +
                           " pixels), over the limit of " + std::to_string(options.max_pixels) +
                           " (raise --max-pixels)");
    }
  }
  // Truncation is caught before decoding: libjpeg would fill the rest with
  // grey and libpng would print to stderr.
  if (IsPng(bytes) && !PngHasEnd(bytes))
    return Status::Error(path + ": truncated PNG (no IEND chunk)");
  if (IsJpeg(bytes) && !JpegHasEnd(bytes)) {
    return Status::Error(path + ": truncated JPEG (no end-of-image marker)");
  }
  cv::Mat decoded;
  try {
    // A JPEG is decoded with its EXIF orientation applied (a portrait photo
    // stands upright); IMREAD_UNCHANGED would ignore it. JPEG has no alpha,
    // so ANYCOLOR | ANYDEPTH loses nothing there.
    decoded = cv::imdecode(
        bytes, IsJpeg(bytes) ? cv::IMREAD_ANYCOLOR | cv::IMREAD_ANYDEPTH : cv::IMREAD_UNCHANGED);
  } catch (const cv::Exception& e) {
    return Status::Error(path + ": cannot decode image (" + e.msg + ")");
  }
  if (decoded.empty()) {
    return Status::Error(path + (known ? ": cannot decode image (truncated or corrupt)"
                                       : ": not an image format tint can read"));
  }
  if (int64_t(decoded.total()) > options.max_pixels) {
    return Status::Error(path + ": image has " + std::to_string(decoded.total()) +
                         " pixels, over the limit of " + std::to_string(options.max_pixels));
  }
  // Depths the stages take: 8 and 16 bit unsigned, and float in 0..1. A
  // float64 image becomes float32 and values past 0..1 (infinities too)
  // the nearest bound. NaN has no shade to stand for: an image holding one
  // is refused, naming how many. Signed integers have no agreed meaning as
  // colour and are refused.
  switch (decoded.depth()) {
    case CV_8U:
    case CV_16U:
      break;
    case CV_64F:
      decoded.convertTo(decoded, CV_32F);
      [[fallthrough]];
    case CV_32F: {
      cv::Mat flat = decoded.reshape(1);
      const int64_t nans = static_cast<int64_t>(flat.total()) - cv::countNonZero(flat == flat);
      if (nans > 0) {
        return Status::Error(path + ": " + std::to_string(nans) +
                             " pixel value(s) are NaN (not a number); tint needs a shade in "
                             "every pixel");
      }
      cv::min(flat, 1.0, flat);
      cv::max(flat, 0.0, flat);
      break;
    }
    default:
      return Status::Error(path + ": a signed-integer image (" +
                           (decoded.depth() == CV_8S    ? std::string("int8")
                            : decoded.depth() == CV_16S ? std::string("int16")
                                                        : std::string("int32")) +
                           "); tint reads 8/16-bit unsigned or float images");
  }
  *image = decoded;
  return Status::Ok();
}

Status WriteImage(const std::string& path, const cv::Mat& image) {
  TINT_CHECK(!image.empty(), "cannot write an empty image");
  const std::string ext = std::filesystem::path(path).extension().string();
  if (ext.empty())
    return Status::Error(path + ": output needs an image extension such as .png or .jpg");
  std::vector<uint8_t> buffer;
  try {
    if (!cv::imencode(ext, image, buffer)) return Status::Error(path + ": cannot encode as " + ext);
  } catch (const cv::Exception&) {
    return Status::Error(path + ": cannot encode as " + ext + " (unsupported extension?)");
  }
  return WriteFileAtomic(path, buffer.data(), buffer.size());
}

}  // namespace tint
