// FAISS (Johnson, Douze & Jegou, "Billion-scale similarity search with
// GPUs", 2019; Debian's libfaiss-dev, CPU build) as a matcher, for
// comparison with FLANN and hnswlib. Three of its indexes, all with the
// inner-product metric over the unit vectors (so a score is the cosine):
//  - faiss-flat: IndexFlatIP, brute force (BLAS): exact;
//  - faiss-ivf:  IndexIVFFlat, a k-means coarse quantizer with faiss_nlist
//    lists (trained with the seed), faiss_nprobe lists searched per query;
//  - faiss-hnsw: IndexHNSWFlat, FAISS's own HNSW graph (hnsw_m links,
//    hnsw_ef_construction, hnsw_ef), levels drawn from the seed.
// Every build is repeatable: IVF's k-means draws from the seed and assigns
// in a fixed order; the HNSW graph is built on one thread (FAISS's parallel
// insertion would depend on thread timing). Built when the matcher is made,
// not cached.
#pragma once

#include <memory>

#include <opencv2/core.hpp>

#include "match/matcher.h"

namespace tint {

// options.type is kFaissFlat, kFaissIvf or kFaissHnsw; database CV_32F N x dim.
std::unique_ptr<Matcher> CreateFaissMatcher(const MatchOptions& options, const cv::Mat& database);

}  // namespace tint
