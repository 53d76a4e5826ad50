#include "train/train_common.h"

#include <omp.h>
#include <pmmintrin.h>
#include <sys/resource.h>
#include <xmmintrin.h>

#include <algorithm>
#include <filesystem>

#include "extras/file_io.h"

namespace dc::train {

std::vector<std::string> ListInputs(const std::vector<std::string>& inputs,
                                    const std::function<bool(const std::string& path)>& keep) {
  std::vector<std::string> files;
  for (const auto& in : inputs) {
    std::error_code ec;
    if (std::filesystem::is_directory(in, ec)) {
      for (const auto& e : std::filesystem::recursive_directory_iterator(in))
        if (e.is_regular_file() && keep(e.path().string())) files.push_back(e.path().string());
    } else {
      files.push_back(in);
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

Status ForEachPhoto(const std::vector<std::string>& pngs, uint32_t min_size,
                    const std::function<void(extras::Image&& rgb, const std::string& path, bool held_back)>& fn) {
  for (size_t i = 0; i < pngs.size(); ++i) {
    ASSIGN_OR_RETURN(auto bytes, extras::ReadFile(pngs[i]));
    ASSIGN_OR_RETURN(auto img, extras::DecodeImage(bytes.data(), bytes.size()));
    if (img.width < min_size || img.height < min_size) continue;
    extras::Image rgb;
    rgb.width = img.width;
    rgb.height = img.height;
    rgb.channels = 3;
    rgb.pixels.resize(static_cast<size_t>(img.width) * img.height * 3);
    for (size_t p = 0; p < static_cast<size_t>(img.width) * img.height; ++p)
      for (int c = 0; c < 3; ++c) rgb.pixels[p * 3 + c] = img.pixels[p * img.channels + (img.channels >= 3 ? c : 0)];
    fn(std::move(rgb), pngs[i], i % 10 == 9);
  }
  return Status::Ok();
}

void SetUpThreads(int threads) {
  torch::set_num_threads(threads);
  at::globalContext().setFlushDenormal(true);
#pragma omp parallel num_threads(threads)
  {
    _MM_SET_FLUSH_ZERO_MODE(_MM_FLUSH_ZERO_ON);
    _MM_SET_DENORMALS_ZERO_MODE(_MM_DENORMALS_ZERO_ON);
  }
}

double CpuSeconds() {
  rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + 1e-6 * (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

Status SaveCheckpoint(const std::string& path, const NamedParams& params, const std::vector<torch::Tensor>& ema,
                      torch::optim::Optimizer& opt, const RunMeta& meta) {
  try {
    torch::serialize::OutputArchive ar;
    for (size_t i = 0; i < params.size(); ++i) {
      ar.write("p_" + params[i].first, params[i].second.detach());
      ar.write("ema_" + params[i].first, ema[i]);
    }
    torch::serialize::OutputArchive oa;
    opt.save(oa);
    ar.write("opt", oa);
    ar.write("meta", torch::tensor({meta.elapsed, static_cast<double>(meta.step), meta.cpu, meta.cpu_complete ? 1.0 : 0.0},
                                   torch::kDouble));
    const std::string tmp = path + ".tmp";
    ar.save_to(tmp);
    std::filesystem::rename(tmp, path);
  } catch (const std::exception& e) {
    return Error(DC_ERR_IO, std::string("cannot write checkpoint: ") + e.what());
  }
  return Status::Ok();
}

StatusOr<RunMeta> LoadCheckpoint(const std::string& bytes, const std::string& path, const NamedParams& params,
                                 std::vector<torch::Tensor>& ema, torch::optim::Optimizer& opt) {
  RunMeta m;
  try {
    torch::NoGradGuard ng;
    torch::serialize::InputArchive ar;
    ar.load_from(bytes.data(), bytes.size());
    for (size_t i = 0; i < params.size(); ++i) {
      torch::Tensor t;
      ar.read("p_" + params[i].first, t);
      params[i].second.copy_(t);
      ar.read("ema_" + params[i].first, t);
      ema[i].copy_(t);
    }
    torch::serialize::InputArchive oa;
    ar.read("opt", oa);
    opt.load(oa);
    torch::Tensor meta;
    ar.read("meta", meta);
    m.elapsed = meta[0].item<double>();
    m.step = meta[1].item<int64_t>();
    m.cpu = meta.numel() > 2 ? meta[2].item<double>() : 0.0;
    m.cpu_complete = meta.numel() > 3 && meta[3].item<double>() > 0;
  } catch (const std::exception& e) {
    const std::string what = e.what();  // libtorch appends a backtrace: keep the first line
    return Error(DC_ERR_CORRUPT, "cannot resume from checkpoint " + path + ": " + what.substr(0, what.find('\n')));
  }
  return m;
}

nn::WeightsFile ToWeightsFile(const NamedParams& params, const std::vector<torch::Tensor>& values, const std::string& arch,
                              uint32_t model_id, const std::string& config_json, const std::string& info_json) {
  nn::WeightsFile w;
  w.arch = arch;
  w.model_id = model_id;
  w.config_json = config_json;
  w.info_json = info_json;
  for (size_t i = 0; i < params.size(); ++i) {
    const torch::Tensor t = values[i].contiguous().to(torch::kFloat);
    nn::Tensor nt;
    for (int64_t d : t.sizes()) nt.shape.push_back(d);
    nt.data.assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
    w.tensors[params[i].first] = std::move(nt);
  }
  return w;
}

void UpdateEma(const NamedParams& params, std::vector<torch::Tensor>& ema, double decay, int64_t step) {
  torch::NoGradGuard ng;
  const double d = std::min(decay, (1.0 + step) / (10.0 + step));
  for (size_t i = 0; i < ema.size(); ++i) ema[i].mul_(d).add_(params[i].second.detach(), 1 - d);
}

}  // namespace dc::train
