// Data-parallel training on libtorch's c10d: a TCPStore rendezvous, a Gloo process group, and
// c10d's Reducer (the engine under PyTorch's DistributedDataParallel), which all-reduces gradients
// in buckets while the backward pass runs. Built when Gloo's headers are present (Debian:
// libgloo-dev); without them a world size above 1 is an error.
#ifndef DIFFCOMP_TRAIN_DIST_H_
#define DIFFCOMP_TRAIN_DIST_H_

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace dc::train {

struct DistOptions {
  int world_size = 1;
  int rank = 0;
  std::string master_host = "127.0.0.1";  // rank 0 serves the TCPStore on master_port
  int master_port = 29500;
  double timeout_s = 300;  // rendezvous and every collective
};

class Dist {
 public:
  // Joins the run (rank 0 serves the store). Fails after the timeout if a peer does not arrive.
  static StatusOr<std::unique_ptr<Dist>> Connect(const DistOptions& o);
  ~Dist();
  int rank() const { return rank_; }
  int world() const { return world_; }
  const std::string& local_address() const { return local_address_; }

  // In-place broadcast from rank 0.
  void Broadcast(std::vector<torch::Tensor>& tensors);
  // Bytes of rank 0 to every rank.
  void BroadcastBytes(std::string* bytes);
  // In-place sum over ranks.
  void AllReduceSum(torch::Tensor& t);

  // Gradient synchronisation of `params` (DDP's Reducer: buckets of bucket_mb, all-reduced as
  // the backward pass makes them ready, averaged over ranks). Call BeforeForward() before a
  // step's forward and BeforeBackward() just before its backward.
  void AttachReducer(const std::vector<torch::Tensor>& params, double bucket_mb);
  void BeforeForward();
  void BeforeBackward();
  int buckets() const { return buckets_; }

 private:
  Dist() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int rank_ = 0, world_ = 1, buckets_ = 0;
  std::string local_address_;
};

// "host:port" -> host, port.
Status ParseHostPort(const std::string& s, std::string* host, int* port);
// A free TCP port on the loopback interface (for the local launcher).
StatusOr<int> FreeLoopbackPort();
// Whether this build has c10d/Gloo.
bool DistAvailable();

}  // namespace dc::train

#endif  // DIFFCOMP_TRAIN_DIST_H_
