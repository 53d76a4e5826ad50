// Training end to end, for a few seconds: train, export, load the model, code with it, resume.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "diffcomp/diffcomp.h"
#include "diffcomp/train.h"
#include "extras/file_io.h"
#include "extras/image_io.h"
#include "nn/weights.h"

namespace {

namespace fs = std::filesystem;

dc::extras::Image SmoothImage(uint32_t w, uint32_t h, uint32_t seed) {
  std::mt19937 rng(seed);
  dc::extras::Image img;
  img.width = w;
  img.height = h;
  img.channels = 3;
  img.pixels.resize(size_t{w} * h * 3);
  const int fx = 1 + rng() % 5, fy = 1 + rng() % 5;
  for (uint32_t y = 0; y < h; ++y)
    for (uint32_t x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c)
        img.pixels[(size_t{y} * w + x) * 3 + c] = static_cast<uint8_t>((x * fx + y * fy + 60 * c + rng() % 6) % 256);
  return img;
}

class TrainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/dc_train_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    fs::create_directory(dir_ + "/photos");
    for (int i = 0; i < 10; ++i) {  // every 10th photo is held back: one validation image
      auto png = dc::extras::EncodePng(SmoothImage(96, 80, i));
      ASSERT_TRUE(png.ok());
      ASSERT_TRUE(dc::extras::WriteFileAtomic(dir_ + "/photos/p" + std::to_string(i) + ".png", png->data(), png->size(), true).ok());
    }
    std::vector<uint8_t> cifar(4 * 3073);
    std::mt19937 rng(5);
    for (auto& b : cifar) b = static_cast<uint8_t>(rng() % 64 + 96);
    ASSERT_TRUE(dc::extras::WriteFileAtomic(dir_ + "/cifar.bin", cifar.data(), cifar.size(), true).ok());
  }
  void TearDown() override { fs::remove_all(dir_); }

  dc_error Train(double minutes, std::string resume) {
    const std::string photos = dir_ + "/photos", cifar = dir_ + "/cifar.bin";
    out_ = dir_ + "/model.dcw";
    ckpt_ = dir_ + "/model.ckpt";
    const char* data[] = {photos.c_str(), cifar.c_str()};
    dc_train_params p;
    dc_train_params_init(&p);
    p.data = data;
    p.num_data = 2;
    p.minutes = minutes;
    p.out_path = out_.c_str();
    p.checkpoint_path = ckpt_.c_str();
    p.resume_path = resume.empty() ? nullptr : resume.c_str();
    p.threads = 1;
    p.features = 8;
    p.quiet = 1;
    p.command_line = "train_test";
    return dc_train(&p);
  }
  std::string dir_, out_, ckpt_;
};

TEST_F(TrainTest, TrainsExportsCodesAndResumes) {
  ASSERT_EQ(Train(0.05, ""), DC_OK) << dc_last_error_message();
  auto w = dc::nn::LoadWeights(out_);
  ASSERT_TRUE(w.ok()) << w.status().message();
  EXPECT_NE(w->info_json.find("validation_bpsp"), std::string::npos);
  EXPECT_NE(w->info_json.find("train_cpu_seconds"), std::string::npos);
  ASSERT_TRUE(fs::exists(ckpt_));

  // The exported model drives the codec: a round trip with it.
  const auto img = SmoothImage(45, 37, 99);
  dc_content c{};
  c.kind = DC_KIND_IMAGE;
  c.format = DC_FORMAT_PNG;
  c.data = img.pixels.data();
  c.size = img.pixels.size();
  c.width = img.width;
  c.height = img.height;
  c.channels = 3;
  c.bit_depth = 8;
  dc_params p;
  dc_params_init(&p);
  p.model_path = out_.c_str();
  dc_buffer buf{};
  ASSERT_EQ(dc_compress(&c, &p, &buf, nullptr), DC_OK) << dc_last_error_message();
  dc_decoded d{};
  ASSERT_EQ(dc_decompress(buf.data, buf.size, &p, &d), DC_OK) << dc_last_error_message();
  EXPECT_EQ(std::vector<uint8_t>(d.content.data, d.content.data + d.content.size), img.pixels);
  dc_decoded_free(&d);
  dc_buffer_free(&buf);

  // Resuming continues the step count; the new export is a different model.
  const auto steps = [](const std::string& info) {
    const auto k = info.find("\"steps\":");
    return std::stol(info.substr(k + 8));
  };
  const long steps1 = steps(w->info_json);
  ASSERT_EQ(Train(0.1, ckpt_), DC_OK) << dc_last_error_message();
  auto w2 = dc::nn::LoadWeights(out_);
  ASSERT_TRUE(w2.ok());
  EXPECT_GT(steps(w2->info_json), steps1);
  EXPECT_NE(w2->fingerprint, w->fingerprint);
}

TEST_F(TrainTest, BadArgumentsAreErrors) {
  dc_train_params p;
  dc_train_params_init(&p);
  EXPECT_EQ(dc_train(&p), DC_ERR_INVALID_ARGUMENT);
  const std::string missing = dir_ + "/nothing-here";
  const char* data[] = {missing.c_str()};
  const std::string out = dir_ + "/m.dcw";
  p.data = data;
  p.num_data = 1;
  p.out_path = out.c_str();
  p.minutes = 0.01;
  p.quiet = 1;
  EXPECT_NE(dc_train(&p), DC_OK);
  EXPECT_FALSE(fs::exists(out));
  EXPECT_EQ(Train(0.01, dir_ + "/no.ckpt"), DC_ERR_CORRUPT);
}

}  // namespace
