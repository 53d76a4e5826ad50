// Stand-in for a libtorch header that Debian's libtorch-dev 1.13 does not ship but
// c10d/reducer.hpp includes (distributed autograd, used by RPC only). The Reducer holds a
// shared_ptr to a DistAutogradContext and names its GradCallback type; nothing here is called,
// and the class layout of the Reducer depends only on the pointer sizes.
#pragma once

#include <ATen/core/Tensor.h>

#include <functional>
#include <memory>

namespace torch {
namespace distributed {
namespace autograd {

class DistAutogradContext {
 public:
  using GradCallback = std::function<bool(at::Tensor&)>;
};
using ContextPtr = std::shared_ptr<DistAutogradContext>;

}  // namespace autograd
}  // namespace distributed
}  // namespace torch
