// The repository walker. (Being written.)
#include "gatehouse/walk.h"

namespace gatehouse {

Result<WalkResult> Walk(const WalkOptions&) {
  return MakeError(ErrorCode::kUnsupported, "walker not implemented yet");
}

}  // namespace gatehouse
