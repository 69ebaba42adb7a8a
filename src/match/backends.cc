#include "match/backends.h"

namespace tint {

// Each backend's file defines its factory (and loader).
std::unique_ptr<Matcher> CreateExactMatcher(const MatchOptions&, const cv::Mat&);
std::unique_ptr<Matcher> CreateFlannMatcher(const MatchOptions&, const cv::Mat&);
Status LoadFlannMatcher(const MatchOptions&, const cv::Mat&, const uint8_t*, size_t,
                        std::shared_ptr<const void>, std::unique_ptr<Matcher>*);
std::unique_ptr<Matcher> CreateHnswMatcher(const MatchOptions&, const cv::Mat&);
std::unique_ptr<Matcher> CreateFaissFlatMatcher(const MatchOptions&, const cv::Mat&);
std::unique_ptr<Matcher> CreateFaissIvfMatcher(const MatchOptions&, const cv::Mat&);
std::unique_ptr<Matcher> CreateFaissHnswMatcher(const MatchOptions&, const cv::Mat&);

const std::vector<MatcherBackend>& MatcherBackends() {
  static const std::vector<MatcherBackend> backends = {
      {"flann",
       "OpenCV's FLANN: randomized kd-trees or a k-means tree; its index is cached",
       {"flann_trees", "flann_checks", "flann_kmeans", "pca_dims", "rerank", "seed"},
       &CreateFlannMatcher,
       &LoadFlannMatcher},
      {"exact",
       "exact cosine similarity: one matrix product (Eigen), top k",
       {},
       &CreateExactMatcher},
#ifdef TINT_HAVE_HNSWLIB
      {"hnsw",
       "hnswlib's HNSW graph, built from the seed (not cached)",
       {"hnsw_m", "hnsw_ef_construction", "hnsw_ef", "seed"},
       &CreateHnswMatcher},
#endif
#ifdef TINT_HAVE_FAISS
      {"faiss-flat", "FAISS IndexFlatIP: exact, by BLAS", {}, &CreateFaissFlatMatcher},
      {"faiss-ivf",
       "FAISS IndexIVFFlat: k-means lists from the seed, nprobe searched",
       {"faiss_nlist", "faiss_nprobe", "seed"},
       &CreateFaissIvfMatcher},
      {"faiss-hnsw",
       "FAISS IndexHNSWFlat, built on one thread from the seed",
       {"hnsw_m", "hnsw_ef_construction", "hnsw_ef", "seed"},
       &CreateFaissHnswMatcher},
#endif
  };
  return backends;
}

const MatcherBackend* FindMatcherBackend(const std::string& name) {
  for (const MatcherBackend& b : MatcherBackends()) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

std::string MatcherBackendNames() {
  std::string names;
  for (const MatcherBackend& b : MatcherBackends()) names += (names.empty() ? "" : ", ") + b.name;
  return names;
}

}  // namespace tint
