#include "pipeline/levin.h"

#include "pipeline/grayscale.h"

namespace tint {

Status CreateLevinMethod(const MethodSpec& spec, const ColorizerContext&,
                         std::unique_ptr<Colorizer>* colorizer) {
  *colorizer = CreateGrayscaleColorizer(spec.method);
  return Status::Ok();
}

}  // namespace tint
