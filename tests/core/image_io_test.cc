#include "core/image_io.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "core/file_util.h"
#include "testing.h"

namespace tint {
namespace {
namespace fs = std::filesystem;

std::vector<uint8_t> Encode(const std::string& ext, const cv::Mat& m) {
  std::vector<uint8_t> buf;
  cv::imencode(ext, m, buf);
  return buf;
}

std::string Put(const std::string& dir, const std::string& name,
                const std::vector<uint8_t>& bytes) {
  const std::string path = (fs::path(dir) / name).string();
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  return path;
}

TEST(PeekImageSizeTest, ReadsHeaders) {
  const cv::Mat m(17, 23, CV_8UC3, cv::Scalar(1, 2, 3));
  for (const char* ext : {".png", ".jpg", ".bmp", ".ppm", ".tif", ".webp"}) {
    int w = 0, h = 0;
    ASSERT_TRUE(PeekImageSize(Encode(ext, m), &w, &h)) << ext;
    EXPECT_EQ(w, 23) << ext;
    EXPECT_EQ(h, 17) << ext;
  }
  int w, h;
  const std::vector<uint8_t> text = {'h', 'e', 'l', 'l', 'o'};
  EXPECT_FALSE(PeekImageSize(text, &w, &h));
}

TEST(ReadImageTest, ReadsEightAndSixteenBitGreyAndColour) {
  const std::string dir = testing::ScratchDir();
  cv::Mat grey16(5, 6, CV_16U, cv::Scalar(40000));
  cv::Mat bgra(5, 6, CV_8UC4, cv::Scalar(1, 2, 3, 4));
  cv::Mat out;
  ASSERT_TRUE(ReadImage({}, Put(dir, "g16.png", Encode(".png", grey16)), &out).ok());
  EXPECT_EQ(out.type(), CV_16U);
  ASSERT_TRUE(ReadImage({}, Put(dir, "a.png", Encode(".png", bgra)), &out).ok());
  EXPECT_EQ(out.type(), CV_8UC4);
}

struct BadCase {
  std::string name;
  std::string expected_fragment;
};

class ReadImageBadInputTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(ReadImageBadInputTest, FailsWithOneLine) {
  const std::string dir = testing::ScratchDir();
  const cv::Mat m(40, 50, CV_8UC3, cv::Scalar(10, 200, 30));
  std::string path;
  ImageReadOptions options;
  const std::string& name = GetParam().name;
  if (name == "missing") path = (fs::path(dir) / "nope.png").string();
  if (name == "directory") path = dir;
  if (name == "empty") path = Put(dir, "empty.png", {});
  if (name == "text_named_png")
    path = Put(dir, "t.png", {'n', 'o', 't', ' ', 'a', 'n', ' ', 'i', 'm', 'g'});
  if (name == "truncated_png") {
    auto b = Encode(".png", m);
    b.resize(b.size() / 2);
    path = Put(dir, "t.png", b);
  }
  if (name == "truncated_jpeg") {
    auto b = Encode(".jpg", m);
    b.resize(b.size() * 2 / 3);
    path = Put(dir, "t.jpg", b);
  }
  if (name == "too_large") {
    // A PNG header that claims 100000 x 100000 pixels: refused before decoding.
    auto b = Encode(".png", m);
    const uint8_t big[8] = {0x00, 0x01, 0x86, 0xA0, 0x00, 0x01, 0x86, 0xA0};
    std::copy(big, big + 8, b.begin() + 16);
    path = Put(dir, "big.png", b);
  }
  if (name == "over_limit") {
    options.max_pixels = 1000;
    path = Put(dir, "ok.png", Encode(".png", m));
  }
  cv::Mat out;
  const Status s = ReadImage(options, path, &out);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(s.message().find('\n'), std::string::npos);
  EXPECT_NE(s.message().find(GetParam().expected_fragment), std::string::npos) << s.message();
}

INSTANTIATE_TEST_SUITE_P(
    All, ReadImageBadInputTest,
    ::testing::Values(BadCase{"missing", "no such file"}, BadCase{"directory", "is a directory"},
                      BadCase{"empty", "empty file"}, BadCase{"text_named_png", "not an image"},
                      BadCase{"truncated_png", "truncated PNG"},
                      BadCase{"truncated_jpeg", "truncated JPEG"},
                      BadCase{"too_large", "over the limit"},
                      BadCase{"over_limit", "over the limit"}),
    [](const ::testing::TestParamInfo<BadCase>& info) { return info.param.name; });

TEST(WriteImageTest, FailedWriteKeepsTheOldImage) {
  const std::string path = (fs::path(testing::ScratchDir()) / "o.png").string();
  const cv::Mat a(4, 4, CV_8UC3, cv::Scalar(1, 2, 3)), b(4, 4, CV_8UC3, cv::Scalar(9, 9, 9));
  ASSERT_TRUE(WriteImage(path, a).ok());
  internal::SetAtomicWriteFailureForTesting(true);
  EXPECT_FALSE(WriteImage(path, b).ok());
  internal::SetAtomicWriteFailureForTesting(false);
  EXPECT_EQ(cv::norm(cv::imread(path), a, cv::NORM_INF), 0.0);
}

TEST(WriteImageTest, UnknownExtensionIsAnError) {
  const std::string path = (fs::path(testing::ScratchDir()) / "o.xyz").string();
  EXPECT_FALSE(WriteImage(path, cv::Mat(2, 2, CV_8UC3, cv::Scalar(0))).ok());
  EXPECT_FALSE(fs::exists(path));
}

}  // namespace
}  // namespace tint

namespace tint {
namespace {

// Float TIFFs holding infinities or NaN (eval and sequences crashed on
// them), float64 and signed-integer TIFFs (an internal error): what the
// stages get is finite, in 0..1, or a one-line refusal naming the problem.
TEST(DecodeImageTest, FloatsAreClampedNaNAndSignedIntegersRefused) {
  cv::Mat f(4, 5, CV_32FC3, cv::Scalar(0.25, 0.5, 0.75));
  f.at<cv::Vec3f>(1, 1) = cv::Vec3f(-0.5f, INFINITY, -INFINITY);
  cv::Mat image;
  std::vector<uint8_t> tiff;  // uncompressed (OpenCV's default for 3 floats is lossy LogLuv)
  ASSERT_TRUE(cv::imencode(".tiff", f, tiff, {cv::IMWRITE_TIFF_COMPRESSION, 1}));
  ASSERT_TRUE(DecodeImage(ImageReadOptions(), "f.tiff", tiff, &image).ok());
  ASSERT_EQ(image.type(), CV_32FC3);
  EXPECT_TRUE(cv::checkRange(image));
  EXPECT_EQ(image.at<cv::Vec3f>(1, 1), cv::Vec3f(0, 1, 0));
  EXPECT_EQ(image.at<cv::Vec3f>(0, 0), cv::Vec3f(0.25, 0.5, 0.75));
  f.at<cv::Vec3f>(2, 2) = cv::Vec3f(std::nanf(""), 0.5f, std::nanf(""));
  ASSERT_TRUE(cv::imencode(".tiff", f, tiff, {cv::IMWRITE_TIFF_COMPRESSION, 1}));
  Status nan = DecodeImage(ImageReadOptions(), "n.tiff", tiff, &image);
  ASSERT_FALSE(nan.ok());
  EXPECT_EQ(nan.message(),
            "n.tiff: 2 pixel value(s) are NaN (not a number); tint needs a shade "
            "in every pixel");
  const Status s = DecodeImage(ImageReadOptions(), "i.tiff",
                               Encode(".tiff", cv::Mat(4, 5, CV_16S, cv::Scalar(-3))), &image);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("int16"), std::string::npos) << s.message();
}

// A JPEG whose EXIF orientation says "rotate 90 degrees clockwise" (6) comes
// out standing: a 40x20 stored image reads as 20x40.
TEST(DecodeImageTest, JpegExifOrientationIsApplied) {
  cv::Mat stored(20, 40, CV_8UC3, cv::Scalar(30, 30, 30));
  stored(cv::Rect(0, 0, 10, 20)).setTo(cv::Scalar(250, 250, 250));  // left side white
  std::vector<uint8_t> jpeg = Encode(".jpg", stored);
  // APP1 "Exif", big-endian TIFF header, one IFD entry: Orientation = 6.
  const std::vector<uint8_t> app1 = {0xFF, 0xE1, 0x00, 0x22, 'E',  'x',  'i',  'f',  0,
                                     0,    'M',  'M',  0x00, 0x2A, 0x00, 0x00, 0x00, 0x08,
                                     0x00, 0x01, 0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00,
                                     0x01, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  jpeg.insert(jpeg.begin() + 2, app1.begin(), app1.end());
  cv::Mat image;
  ASSERT_TRUE(DecodeImage(ImageReadOptions(), "p.jpg", jpeg, &image).ok());
  ASSERT_EQ(image.size(), cv::Size(20, 40));
  // Rotated clockwise, the white left side is now the top.
  EXPECT_GT(image.at<cv::Vec3b>(2, 10)[0], 200);
  EXPECT_LT(image.at<cv::Vec3b>(37, 10)[0], 60);
}

}  // namespace
}  // namespace tint

namespace tint {
namespace {

// An uncompressed 8-bit grey TIFF whose directory lists ImageWidth twice
// (`first`, then `second`) and is 200 rows high, with pixel data for
// `data_width` x 200.
std::vector<uint8_t> TiffWithTwoWidths(uint16_t first, uint16_t second, uint32_t data_width) {
  std::vector<uint8_t> b = {'I', 'I', 42, 0, 8, 0, 0, 0};
  auto u16 = [&b](uint32_t v) {
    b.push_back(v & 0xff);
    b.push_back((v >> 8) & 0xff);
  };
  auto u32 = [&](uint32_t v) {
    u16(v & 0xffff);
    u16(v >> 16);
  };
  const uint32_t rows = 200, entries = 10;
  const uint32_t data_at = 8 + 2 + 12 * entries + 4;
  auto entry = [&](uint16_t tag, uint16_t type, uint32_t value) {
    u16(tag);
    u16(type);
    u32(1);
    if (type == 3) {
      u16(value);
      u16(0);
    } else {
      u32(value);
    }
  };
  u16(entries);
  entry(256, 3, first);
  entry(256, 3, second);
  entry(257, 3, rows);
  entry(258, 3, 8);
  entry(259, 3, 1);
  entry(262, 3, 1);
  entry(273, 4, data_at);
  entry(277, 3, 1);
  entry(278, 3, rows);
  entry(279, 4, data_width * rows);
  u32(0);
  b.resize(b.size() + size_t(data_width) * rows, 128);
  return b;
}

// A TIFF that gave the size check one width and the decoder
// another. Whatever the directory says, nothing over max_pixels is decoded.
TEST(DecodeImageTest, ATiffNeverDecodesMorePixelsThanTheLimit) {
  ImageReadOptions options;
  options.max_pixels = 10'000;
  for (const auto& [first, second] : {std::pair<uint16_t, uint16_t>{200, 10}, {10, 200}}) {
    const std::vector<uint8_t> bytes = TiffWithTwoWidths(first, second, 200);
    cv::Mat image;
    const Status s = DecodeImage(options, "twice.tif", bytes, &image);
    if (s.ok()) {
      EXPECT_LE(int64_t(image.cols) * image.rows, options.max_pixels) << first << "," << second;
    } else {
      EXPECT_NE(s.message().find("over the limit"), std::string::npos) << s.message();
    }
    // The size check reads what the decoder reads.
    int w = 0, h = 0;
    ASSERT_TRUE(PeekImageSize(bytes, &w, &h));
    options.max_pixels = 1'000'000;
    cv::Mat decoded;
    if (DecodeImage(options, "twice.tif", bytes, &decoded).ok()) {
      EXPECT_EQ(w, decoded.cols);
      EXPECT_EQ(h, decoded.rows);
    }
    options.max_pixels = 10'000;
  }
  // A TIFF whose directory libtiff cannot read is refused, not decoded.
  std::vector<uint8_t> damaged = TiffWithTwoWidths(10, 10, 10);
  damaged[4] = 0xf0;  // the directory's offset points past the end
  cv::Mat image;
  const Status s = DecodeImage(options, "damaged.tif", damaged, &image);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("TIFF"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace tint
