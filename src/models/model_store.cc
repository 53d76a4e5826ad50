#include "models/model_store.h"

#include <dirent.h>
#include <dlfcn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstdio>
#include <map>
#include <mutex>
#include <utility>

#include "codecs/video_lossless/video_lossless.h"

namespace dc {
namespace {

bool IsFile(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// Directory of the file this code was loaded from: libdiffcomp.so, or the executable that links
// libdiffcomp.a (dladdr: glibc, musl, the BSDs and macOS; no /proc needed).
std::string SelfDir() {
  Dl_info info;
  if (::dladdr(reinterpret_cast<const void*>(&SelfDir), &info) == 0 || info.dli_fname == nullptr) return "";
  std::string s(info.dli_fname);
  if (s.find('/') == std::string::npos) return "";
  if (s[0] != '/') {  // relative to the working directory at load time
    char cwd[PATH_MAX];
    if (::getcwd(cwd, sizeof(cwd)) == nullptr) return "";
    s = std::string(cwd) + "/" + s;
  }
  return s.substr(0, s.find_last_of('/'));
}

}  // namespace

StatusOr<std::string> DefaultModelFile(dc_codec codec) {
  switch (codec) {
    case DC_CODEC_IMAGE_LOSSLESS: return std::string("image-lossless-adm1.dcw");
    case DC_CODEC_VIDEO_LOSSLESS: return std::string("video-lossless-adm1.dcw");
    case DC_CODEC_IMAGE_LOSSY:
    case DC_CODEC_VIDEO_LOSSY: return std::string("image-lossy-ldm1.dcw");  // video-lossy: the image model
    // sig1a: trained on the audio files only (never ECG or the series); files made with the
    // earlier default (signal-lossless-sig1.dcw, fingerprint 4d763fc7) find it by fingerprint among the
    // models beside the default (ModelForFile).
    case DC_CODEC_SIGNAL_LOSSLESS: return std::string("signal-lossless-sig1a.dcw");
    default: return Error(DC_ERR_INVALID_ARGUMENT, std::string("codec ") + dc_codec_name(codec) + " has no model");
  }
}

namespace {

// Builds the codec's network from a loaded weights file into m.
Status LoadNet(dc_codec codec, const nn::WeightsFile& wf, LoadedModel* m) {
  switch (codec) {
    case DC_CODEC_IMAGE_LOSSLESS: {
      if (wf.arch != adm::kArch)
        return Error(DC_ERR_MODEL_MISMATCH, "architecture '" + wf.arch + "' is not an image-lossless model");
      ASSIGN_OR_RETURN(adm::AdmNet net, adm::AdmNet::FromWeights(wf));
      if (net.config().extra_trunk_inputs || net.config().extra_head_inputs)
        return Error(DC_ERR_MODEL_MISMATCH, "a model with extra inputs (video) is not an image-lossless model");
      m->parameters = static_cast<uint64_t>(net.parameters());
      // Each level runs the trunk once and the head three times per coarse-grid cell (a quarter
      // of the level's pixels); the levels sum to a third of the image's pixels.
      m->macs_per_unit = static_cast<uint64_t>((adm::TrunkMacs(net.config()) + 3 * adm::HeadMacs(net.config())) / 3);
      m->image_lossless = std::make_shared<const adm::AdmNet>(std::move(net));
      return Status::Ok();
    }
    case DC_CODEC_VIDEO_LOSSLESS: {
      if (wf.arch != adm::kArch)
        return Error(DC_ERR_MODEL_MISMATCH, "architecture '" + wf.arch + "' is not a video-lossless model");
      ASSIGN_OR_RETURN(adm::AdmNet net, adm::AdmNet::FromWeights(wf));
      RETURN_IF_ERROR(video::CheckVideoNet(net));
      m->parameters = static_cast<uint64_t>(net.parameters());
      m->macs_per_unit = static_cast<uint64_t>((adm::TrunkMacs(net.config()) + 3 * adm::HeadMacs(net.config())) / 3);
      m->image_lossless = std::make_shared<const adm::AdmNet>(std::move(net));
      return Status::Ok();
    }
    case DC_CODEC_IMAGE_LOSSY:
    case DC_CODEC_VIDEO_LOSSY: {
      if (wf.arch != lossy::kArch)
        return Error(DC_ERR_MODEL_MISMATCH, "architecture '" + wf.arch + "' is not an image-lossy model");
      ASSIGN_OR_RETURN(lossy::LdmNet net, lossy::LdmNet::FromWeights(wf));
      m->parameters = static_cast<uint64_t>(net.parameters());
      m->macs_per_unit = static_cast<uint64_t>(lossy::CodecMacsPerPixel(net.config()));
      m->image_lossy = std::make_shared<const lossy::LdmNet>(std::move(net));
      return Status::Ok();
    }
    case DC_CODEC_SIGNAL_LOSSLESS: {
      if (wf.arch != sig::kArch)
        return Error(DC_ERR_MODEL_MISMATCH, "architecture '" + wf.arch + "' is not a signal-lossless model");
      ASSIGN_OR_RETURN(sig::SigNet net, sig::SigNet::FromWeights(wf));
      m->parameters = static_cast<uint64_t>(net.parameters());
      m->macs_per_unit = static_cast<uint64_t>(sig::MacsPerGap(net.config()));
      m->signal_lossless = std::make_shared<const sig::SigNet>(std::move(net));
      return Status::Ok();
    }
    default: return Error(DC_ERR_INVALID_ARGUMENT, std::string("codec ") + dc_codec_name(codec) + " has no model");
  }
}

}  // namespace

namespace {
std::vector<std::string> ModelDirs() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("DIFFCOMP_MODEL_DIR")) dirs.push_back(env);
  // Installed: relative to the library (lib/ -> share/diffcomp/models), or to a program that
  // links the static library (bin/ -> share/diffcomp/models). Build tree: build/lib or build/bin
  // -> the source tree's models/.
  const std::string self = SelfDir();
  if (!self.empty()) {
#ifdef DC_LIB_TO_MODELS
    dirs.push_back(self + "/" DC_LIB_TO_MODELS);
#endif
    dirs.push_back(self + "/../share/diffcomp/models");
    dirs.push_back(self + "/../../models");
  }
#ifdef DC_SOURCE_DIR
  dirs.push_back(std::string(DC_SOURCE_DIR) + "/models");
#endif
  return dirs;
}
}  // namespace

StatusOr<std::string> DefaultModelPath(dc_codec codec) {
  ASSIGN_OR_RETURN(const std::string file, DefaultModelFile(codec));
  const std::vector<std::string> dirs = ModelDirs();
  for (const auto& d : dirs)
    if (IsFile(d + "/" + file)) return d + "/" + file;
  return Error(DC_ERR_MODEL_NOT_FOUND, "default model " + file + " not found (set DIFFCOMP_MODEL_DIR or pass --model)");
}

StatusOr<std::shared_ptr<const LoadedModel>> ModelForFile(const container::Header& h, const char* path) {
  ASSIGN_OR_RETURN(auto model, GetModel(h.codec, path));
  if ((model->model_id != h.model_id || model->fingerprint != h.fingerprint) && !(path && *path)) {
    // Files written with an earlier default model: the released models stay beside the default
    // one (docs/models.md), found by id and fingerprint.
    const std::string dir = model->path.substr(0, model->path.find_last_of('/') + 1);
    if (DIR* d = ::opendir(dir.c_str())) {
      std::vector<std::string> names;
      while (const dirent* e = ::readdir(d)) {
        const std::string n = e->d_name;
        if (n.size() > 4 && n.compare(n.size() - 4, 4, ".dcw") == 0) names.push_back(n);
      }
      ::closedir(d);
      std::sort(names.begin(), names.end());
      for (const auto& n : names) {
        auto m = GetModel(h.codec, (dir + n).c_str());
        if (m.ok() && (*m)->model_id == h.model_id && (*m)->fingerprint == h.fingerprint) return *m;
      }
    }
  }
  if (model->model_id != h.model_id || model->fingerprint != h.fingerprint) {
    char ids[96];
    std::snprintf(ids, sizeof(ids), "file needs model id %u fingerprint %08x; loaded model ", h.model_id, h.fingerprint);
    char has[64];
    std::snprintf(has, sizeof(has), " is id %u fingerprint %08x", model->model_id, model->fingerprint);
    return Error(DC_ERR_MODEL_MISMATCH, ids + model->path + has);
  }
  return model;
}

StatusOr<std::shared_ptr<const LoadedModel>> GetModel(dc_codec codec, const char* path) {
  std::string p;
  if (path && *path) {
    p = path;
  } else {
    ASSIGN_OR_RETURN(p, DefaultModelPath(codec));
  }
  static std::mutex mu;
  static std::map<std::pair<int, std::string>, std::shared_ptr<const LoadedModel>> cache;
  std::lock_guard<std::mutex> lock(mu);
  if (auto it = cache.find({codec, p}); it != cache.end()) return it->second;
  ASSIGN_OR_RETURN(nn::WeightsFile wf, nn::LoadWeights(p));
  auto m = std::make_shared<LoadedModel>();
  m->path = p;
  m->model_id = wf.model_id;
  m->fingerprint = wf.fingerprint;
  m->fingerprint_hex = wf.fingerprint_hex;
  m->arch = wf.arch;
  m->info_json = wf.info_json;
  m->codec = codec;
  if (Status s = LoadNet(codec, wf, m.get()); !s.ok()) return Error(s.code(), p + ": " + s.message());
  cache[{codec, p}] = m;
  return std::shared_ptr<const LoadedModel>(m);
}

}  // namespace dc
