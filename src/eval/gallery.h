// The gallery of a configured run kept with save_outputs (RunOptions): a
// page with one row per photo, the baseline's output, each method's and the
// truth side by side, each picture with every metric of the metric table and
// its difference from the baseline, the rows sortable by any method's
// difference in any metric.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "eval/experiment.h"

namespace tint {

// Writes <out_dir>/gallery.html from the per-photo results and the
// thumbnails under <out_dir>/gallery/ (a photo whose thumbnails are not
// there says so in its row). `names`: the baseline first, then the methods.
Status WriteGallery(const ExperimentConfig& config, const std::vector<std::string>& names,
                    const std::string& out_dir);

}  // namespace tint
