#include <algorithm>
#include <atomic>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "common/parallel.h"

namespace dc {

Status ParallelFor(uint64_t count, int threads, const std::function<Status(uint64_t)>& fn,
                   const std::function<void(uint64_t, uint64_t)>& progress) {
  std::vector<Status> results(count);
  std::atomic<uint64_t> next{0}, done{0};
  // An exception must not leave a worker thread (std::terminate): turn it into a Status.
  const auto run = [&](uint64_t t) {
    try {
      results[t] = fn(t);
    } catch (const std::bad_alloc&) {
      results[t] = Error(DC_ERR_OUT_OF_MEMORY, "out of memory");
    } catch (const std::exception& e) {
      results[t] = Error(DC_ERR_INTERNAL, std::string("internal error: ") + e.what());
    }
    done.fetch_add(1);
  };
  const auto work = [&] {
    for (uint64_t t; (t = next.fetch_add(1)) < count;) run(t);
  };
  const int n = static_cast<int>(std::min<uint64_t>(std::max(1, threads), std::max<uint64_t>(1, count)));
  std::vector<std::thread> pool;
  for (int i = 1; i < n; ++i) pool.emplace_back(work);
  // The calling thread works too, and reports progress between its tasks.
  for (uint64_t t; (t = next.fetch_add(1)) < count;) {
    run(t);
    if (progress) progress(done.load(), count);
  }
  for (auto& th : pool) th.join();
  if (progress) progress(count, count);
  for (auto& s : results)
    if (!s.ok()) return s;
  return Status::Ok();
}

}  // namespace dc
