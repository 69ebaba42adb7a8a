// Colour spaces. tint works in CIE L*a*b* (D65 white, sRGB primaries and
// transfer curve, as OpenCV's COLOR_BGR2Lab): L in 0..100 is the shade that is
// kept from input to output, (a, b) is the chroma that a colorizer predicts.
#pragma once

#include <opencv2/core.hpp>

namespace tint {

// Any OpenCV image (8U/16U/32F; 1, 2, 3 or 4 channels; alpha dropped) as
// CV_32FC3 BGR in 0..1.
cv::Mat ToFloatBgr(const cv::Mat& image);

// CIE L (CV_32F, 0..100) of any image. A colour image is reduced to its
// luminance; a grey image is taken as neutral grey (a = b = 0).
cv::Mat ComputeLightness(const cv::Mat& image);

// L (CV_32F, 0..100) and ab (CV_32FC2) of any image.
void SplitLab(const cv::Mat& image, cv::Mat* lightness, cv::Mat* ab);

// The Y'UV view the original tool spoke of (BT.601, Y in 0..1, U and V
// centred on 0), as three CV_32F planes.
void ComputeYuv(const cv::Mat& image, cv::Mat* y, cv::Mat* u, cv::Mat* v);

// The Y' (x 100, so 0..100 like L) of the neutral grey of each lightness:
// the shade plane the original tool matched on, for a grey photo.
cv::Mat GreyLuma(const cv::Mat& lightness);

// The (a, b) of the colour a Y'UV transfer makes: each pixel's Y' (x 100,
// as GreyLuma gives it) with the given (U, V) (CV_32FC2, centred on 0, as
// ComputeYuv), back to sRGB (clipped to 0..1, as an 8-bit Y'UV pipeline
// would) and then to Lab. The caller keeps its own L, so only the chroma of
// that colour is taken.
cv::Mat UvToAb(const cv::Mat& luma, const cv::Mat& uv);

// Joins a lightness plane with predicted chroma into an 8-bit BGR image whose
// L equals `lightness` up to 8-bit rounding. Chroma that would leave the sRGB
// gamut at that lightness is scaled towards grey (hue and L kept) instead of
// being clipped per channel, which would change L.
cv::Mat JoinLab(const cv::Mat& lightness, const cv::Mat& ab);

// Same as JoinLab, but CV_32FC3 BGR in 0..1 (before quantization).
cv::Mat JoinLabFloat(const cv::Mat& lightness, const cv::Mat& ab);

}  // namespace tint
