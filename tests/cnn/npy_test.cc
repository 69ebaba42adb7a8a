#include "cnn/npy.h"

#include <cstring>

#include <gtest/gtest.h>

#include "testing.h"

namespace tint {
namespace {

std::vector<uint8_t> Npy(const std::string& descr, const std::string& shape, const void* data,
                         size_t bytes, const std::string& order = "False") {
  std::string header =
      "{'descr': '" + descr + "', 'fortran_order': " + order + ", 'shape': " + shape + ", }";
  while ((10 + header.size() + 1) % 64) header += ' ';
  header += '\n';
  std::vector<uint8_t> out = {0x93,
                              'N',
                              'U',
                              'M',
                              'P',
                              'Y',
                              1,
                              0,
                              static_cast<uint8_t>(header.size() & 0xff),
                              static_cast<uint8_t>(header.size() >> 8)};
  out.insert(out.end(), header.begin(), header.end());
  const uint8_t* p = static_cast<const uint8_t*>(data);
  out.insert(out.end(), p, p + bytes);
  return out;
}

TEST(Npy, ReadsInt64PairsAsFloat) {
  const int64_t v[] = {-90, 50, 0, -110, 30, 40};
  cv::Mat m;
  ASSERT_TRUE(ParseNpy("x.npy", Npy("<i8", "(3, 2)", v, sizeof v), &m).ok());
  ASSERT_EQ(m.dims, 2);
  EXPECT_EQ(m.rows, 3);
  EXPECT_EQ(m.cols, 2);
  EXPECT_FLOAT_EQ(m.at<float>(0, 0), -90.f);
  EXPECT_FLOAT_EQ(m.at<float>(1, 1), -110.f);
  EXPECT_FLOAT_EQ(m.at<float>(2, 1), 40.f);
}

TEST(Npy, KeepsFourDimensionalShape) {
  float v[1 * 1 * 2 * 3] = {1, 2, 3, 4, 5, 6};
  cv::Mat m;
  ASSERT_TRUE(ParseNpy("x.npy", Npy("<f4", "(1, 1, 2, 3)", v, sizeof v), &m).ok());
  ASSERT_EQ(m.dims, 4);
  EXPECT_EQ(m.size[2], 2);
  EXPECT_EQ(m.size[3], 3);
  EXPECT_FLOAT_EQ(m.ptr<float>()[5], 6.f);
}

TEST(Npy, ReadsTheSharedZhangCentres) {
  TINT_REQUIRE_SHARED_DATA(root);
  cv::Mat m;
  ASSERT_TRUE(ReadNpy(root + "/zhang2016/pts_in_hull.npy", &m).ok());
  EXPECT_EQ(m.rows, 313);
  EXPECT_EQ(m.cols, 2);
  double lo, hi;
  cv::minMaxLoc(m, &lo, &hi);
  EXPECT_GE(lo, -110);
  EXPECT_LE(hi, 120);
}

TEST(Npy, RejectsBadFilesWithOneLine) {
  const double v[] = {1, 2};
  cv::Mat m;
  std::vector<uint8_t> good = Npy("<f8", "(2,)", v, sizeof v);
  ASSERT_TRUE(ParseNpy("x.npy", good, &m).ok());
  EXPECT_EQ(m.cols, 2);
  std::vector<uint8_t> truncated(good.begin(), good.end() - 3);
  Status s = ParseNpy("x.npy", truncated, &m);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("truncated"), std::string::npos) << s.message();
  EXPECT_FALSE(ParseNpy("x.npy", {'n', 'o', 't', ' ', 'n', 'p', 'y', 0, 0, 0}, &m).ok());
  EXPECT_FALSE(ParseNpy("x.npy", Npy("<f8", "(1, 1, 2)", v, sizeof v, "True"), &m).ok());
  EXPECT_FALSE(ParseNpy("x.npy", Npy("<U3", "(2,)", v, sizeof v), &m).ok());
  EXPECT_FALSE(ParseNpy("x.npy", Npy("<f8", "(2, 99999999999)", v, sizeof v), &m).ok());
  EXPECT_FALSE(ParseNpy("x.npy", Npy("<f8", "(0,)", v, 0), &m).ok());
  s = ReadNpy(testing::ScratchDir() + "/missing.npy", &m);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message().find('\n'), std::string::npos);
}

}  // namespace
}  // namespace tint

namespace tint {
namespace {

TEST(Npy, FortranOrderIsTransposedIntoPlace) {
  // Column-major (3, 2): memory holds column 0 then column 1.
  const int64_t v[] = {1, 2, 3, 10, 20, 30};
  cv::Mat m;
  ASSERT_TRUE(ParseNpy("x.npy", Npy("<i8", "(3, 2)", v, sizeof v, "True"), &m).ok());
  ASSERT_EQ(m.rows, 3);
  ASSERT_EQ(m.cols, 2);
  EXPECT_FLOAT_EQ(m.at<float>(0, 1), 10.f);
  EXPECT_FLOAT_EQ(m.at<float>(2, 0), 3.f);
  EXPECT_FLOAT_EQ(m.at<float>(2, 1), 30.f);
}

}  // namespace
}  // namespace tint
