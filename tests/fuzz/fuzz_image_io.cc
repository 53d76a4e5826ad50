// libFuzzer target: the file-format parsers of extras/ on untrusted bytes: DecodeImage (PNG,
// PPM, PGM by content), DecodeWav, ParseCsv, DecodeY4m and DecodeWfdb. What parses is re-encoded
// and checked: WAV, CSV, Y4M and the WFDB signal file must rebuild the input byte for byte,
// images must decode to the same pixels.
// WFDB is two files; the input holds both: the header text up to the first NUL byte, the signal
// file after it (an input with no NUL is a header with an empty signal file).
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "extras/audio_io.h"
#include "extras/y4m.h"
#include "extras/csv.h"
#include "extras/wfdb.h"
#include "extras/image_io.h"

namespace {

void CheckSameBytes(const std::vector<uint8_t>& v, const uint8_t* data, size_t size) {
  if (v.size() != size || (size && std::memcmp(v.data(), data, size) != 0)) std::abort();
}

// DC_ERR_INTERNAL means a bug, never a bad file.
void CheckNotInternal(const dc::Status& s) {
  if (s.code() == DC_ERR_INTERNAL) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto img = dc::extras::DecodeImage(data, size);
  CheckNotInternal(img.status());
  if (img.ok()) {
    const dc::extras::Image& a = img.value();
    if (a.pixels.size() != uint64_t{a.width} * a.height * a.channels) std::abort();
    // Re-encode small images only: PNG at level 9 is slow.
    if (a.pixels.size() <= (1u << 16)) {
      auto enc = a.channels == 4 ? dc::extras::EncodePng(a) : dc::extras::EncodePnm(a);
      if (!enc.ok()) std::abort();
      auto back = dc::extras::DecodeImage(enc->data(), enc->size());
      if (!back.ok() || back->width != a.width || back->height != a.height ||
          back->channels != a.channels || back->pixels != a.pixels)
        std::abort();
    }
  }

  auto wav = dc::extras::DecodeWav(data, size);
  CheckNotInternal(wav.status());
  if (wav.ok()) {
    const dc::extras::Wav& w = wav.value();
    if (w.samples.size() != w.frames * w.channels) std::abort();
    auto enc = dc::extras::EncodeWav(w);
    if (!enc.ok()) std::abort();
    CheckSameBytes(enc.value(), data, size);
  }

  // CSV: what parses must format back to the same bytes (signal-lossless restores it so).
  auto csv = dc::extras::ParseCsv(data, size);
  CheckNotInternal(csv.status());
  if (csv.ok()) CheckSameBytes(dc::extras::FormatCsv(csv.value()), data, size);

  auto y4m = dc::extras::DecodeY4m(data, size);
  CheckNotInternal(y4m.status());
  if (y4m.ok()) {
    auto enc = dc::extras::EncodeY4m(y4m.value());
    if (!enc.ok()) std::abort();
    CheckSameBytes(enc.value(), data, size);
  }

  const uint8_t* nul = static_cast<const uint8_t*>(std::memchr(data, 0, size));
  const size_t hea_size = nul ? static_cast<size_t>(nul - data) : size;
  const uint8_t* dat = nul ? nul + 1 : data + size;
  const size_t dat_size = nul ? size - hea_size - 1 : 0;
  auto wfdb = dc::extras::DecodeWfdb(data, hea_size, dat, dat_size);
  CheckNotInternal(wfdb.status());
  if (wfdb.ok()) {
    const dc::extras::Wfdb& w = wfdb.value();
    if (w.samples.size() != w.frames * w.num_signals || w.signals.size() != w.num_signals) std::abort();
    CheckSameBytes(w.header_text, data, hea_size);
    auto enc = dc::extras::EncodeWfdbDat(w);
    if (!enc.ok()) std::abort();
    CheckSameBytes(enc.value(), dat, dat_size);
  }
  return 0;
}
