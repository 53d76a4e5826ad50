#include "train/dist.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#ifdef DC_TRAIN_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/csrc/distributed/c10d/reducer.hpp>
#endif

namespace dc::train {

namespace {

std::string FirstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

// The local address on the route to host (connect a UDP socket, read its name: nothing is sent).
StatusOr<std::string> LocalAddressTowards(const std::string& host, int port) {
  addrinfo hints{}, *res = nullptr;
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_DGRAM;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res) != 0 || !res)
    return Error(DC_ERR_INVALID_ARGUMENT, "cannot resolve master host " + host);
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  std::string out;
  if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) == 0) {
    sockaddr_in sa{};
    socklen_t len = sizeof(sa);
    char buf[INET_ADDRSTRLEN] = {};
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) == 0 && inet_ntop(AF_INET, &sa.sin_addr, buf, sizeof(buf)))
      out = buf;
  }
  if (fd >= 0) close(fd);
  freeaddrinfo(res);
  if (out.empty()) return Error(DC_ERR_IO, "no route to master host " + host);
  return out;
}

}  // namespace

Status ParseHostPort(const std::string& s, std::string* host, int* port) {
  const auto colon = s.rfind(':');
  if (colon == std::string::npos || colon == 0) return Error(DC_ERR_INVALID_ARGUMENT, "--master wants HOST:PORT, got " + s);
  try {
    *port = std::stoi(s.substr(colon + 1));
  } catch (...) {
    return Error(DC_ERR_INVALID_ARGUMENT, "--master wants HOST:PORT, got " + s);
  }
  if (*port <= 0 || *port > 65535) return Error(DC_ERR_INVALID_ARGUMENT, "--master port out of range: " + s);
  *host = s.substr(0, colon);
  return Status::Ok();
}

StatusOr<int> FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return Error(DC_ERR_IO, "cannot open a socket");
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(sa);
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) == 0)
    port = ntohs(sa.sin_port);
  close(fd);
  if (port <= 0) return Error(DC_ERR_IO, "no free port on loopback");
  return port;
}

#ifdef DC_TRAIN_GLOO

bool DistAvailable() { return true; }

struct Dist::Impl {
  c10::intrusive_ptr<c10d::TCPStore> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> pg;
  std::unique_ptr<c10d::Reducer> reducer;
};

StatusOr<std::unique_ptr<Dist>> Dist::Connect(const DistOptions& o) {
  if (o.world_size < 1 || o.rank < 0 || o.rank >= o.world_size)
    return Error(DC_ERR_INVALID_ARGUMENT, "rank " + std::to_string(o.rank) + " is not in a world of " + std::to_string(o.world_size));
  std::unique_ptr<Dist> d(new Dist);
  d->impl_ = std::make_unique<Impl>();
  d->rank_ = o.rank;
  d->world_ = o.world_size;
  ASSIGN_OR_RETURN(d->local_address_, LocalAddressTowards(o.master_host, o.master_port));
  const auto timeout = std::chrono::milliseconds(static_cast<int64_t>(o.timeout_s * 1000));
  try {
    c10d::TCPStoreOptions so;
    so.port = static_cast<uint16_t>(o.master_port);
    so.isServer = o.rank == 0;
    so.numWorkers = o.world_size;
    so.waitWorkers = true;
    so.timeout = timeout;
    d->impl_->store = c10::make_intrusive<c10d::TCPStore>(o.master_host, so);
    auto opts = c10d::ProcessGroupGloo::Options::create(timeout);
    opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(d->local_address_));
    opts->threads = 1;
    d->impl_->pg = c10::make_intrusive<c10d::ProcessGroupGloo>(d->impl_->store, o.rank, o.world_size, opts);
    // Everyone is here: a barrier fails within the timeout otherwise.
    d->impl_->pg->barrier()->wait(timeout);
  } catch (const std::exception& e) {
    return Error(DC_ERR_IO, "rank " + std::to_string(o.rank) + " of " + std::to_string(o.world_size) +
                                " could not join the run at " + o.master_host + ":" + std::to_string(o.master_port) +
                                " within " + std::to_string(static_cast<int>(o.timeout_s)) + " s: " + FirstLine(e.what()));
  }
  return d;
}

Dist::~Dist() = default;

void Dist::Broadcast(std::vector<torch::Tensor>& tensors) {
  for (auto& t : tensors) {
    std::vector<torch::Tensor> v{t};
    impl_->pg->broadcast(v)->wait();
  }
}

void Dist::BroadcastBytes(std::string* bytes) {
  torch::Tensor n = torch::tensor({static_cast<int64_t>(bytes->size())}, torch::kLong);
  std::vector<torch::Tensor> v{n};
  impl_->pg->broadcast(v)->wait();
  torch::Tensor b = torch::empty({n.item<int64_t>()}, torch::kUInt8);
  if (rank_ == 0) std::memcpy(b.data_ptr<uint8_t>(), bytes->data(), bytes->size());
  std::vector<torch::Tensor> w{b};
  impl_->pg->broadcast(w)->wait();
  bytes->assign(reinterpret_cast<const char*>(b.data_ptr<uint8_t>()), b.numel());
}

void Dist::AllReduceSum(torch::Tensor& t) {
  std::vector<torch::Tensor> v{t};
  impl_->pg->allreduce(v)->wait();
}

void Dist::AttachReducer(const std::vector<torch::Tensor>& params, double bucket_mb) {
  const size_t cap = static_cast<size_t>(bucket_mb * 1024 * 1024);
  // Buckets in reverse registration order: the backward pass makes the last layers' gradients
  // ready first, so the first bucket is all-reduced while earlier layers still compute.
  std::vector<int64_t> order(params.size());
  for (size_t i = 0; i < params.size(); ++i) order[i] = static_cast<int64_t>(params.size() - 1 - i);
  std::vector<torch::Tensor> rev;
  for (int64_t i : order) rev.push_back(params[i]);
  auto [buckets, limits] = c10d::compute_bucket_assignment_by_size(rev, {cap}, std::vector<bool>(rev.size(), false), order);
  buckets_ = static_cast<int>(buckets.size());
  impl_->reducer = std::make_unique<c10d::Reducer>(params, buckets, limits, impl_->pg, std::vector<bool>(params.size(), false),
                                                   static_cast<int64_t>(cap), /*find_unused_parameters=*/false,
                                                   /*gradient_as_bucket_view=*/false,
                                                   std::unordered_map<size_t, std::string>{}, static_cast<int64_t>(cap));
}

void Dist::BeforeForward() {
  if (impl_->reducer) impl_->reducer->prepare_for_forward();
}

void Dist::BeforeBackward() {
  if (impl_->reducer) impl_->reducer->prepare_for_backward({});
}

#else  // no Gloo headers at build time

bool DistAvailable() { return false; }
struct Dist::Impl {};
StatusOr<std::unique_ptr<Dist>> Dist::Connect(const DistOptions&) {
  return Error(DC_ERR_INVALID_ARGUMENT, "this diffcomp-train was built without Gloo (install libgloo-dev and rebuild)");
}
Dist::~Dist() = default;
void Dist::Broadcast(std::vector<torch::Tensor>&) {}
void Dist::BroadcastBytes(std::string*) {}
void Dist::AllReduceSum(torch::Tensor&) {}
void Dist::AttachReducer(const std::vector<torch::Tensor>&, double) {}
void Dist::BeforeForward() {}
void Dist::BeforeBackward() {}

#endif

}  // namespace dc::train
