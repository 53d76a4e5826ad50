// The Python module's native part (diffcomp._diffcomp): a thin pybind11 layer over the C API
// (include/diffcomp/diffcomp.h). Arrays in and out are numpy; the GIL is released while coding.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "diffcomp/diffcomp.h"
#include "diffcomp/extras.h"

namespace py = pybind11;

namespace {

// diffcomp.Error(code, name, message), raised for any dc_error.
PyObject* g_error = nullptr;

[[noreturn]] void Raise(dc_error e) {
  py::object err = py::reinterpret_borrow<py::object>(g_error);
  py::object inst = err(static_cast<int>(e), dc_error_name(e), std::string(dc_last_error_message()));
  PyErr_SetObject(g_error, inst.ptr());
  throw py::error_already_set();
}

void Fill(dc_params* p, const py::dict& o) {
  dc_params_init(p);
  if (o.contains("codec") && !o["codec"].is_none()) {
    const std::string name = py::str(o["codec"]);
    dc_codec c;
    if (dc_error e = dc_codec_from_name(name.c_str(), &c)) Raise(e);
    p->codec = c;
  }
  if (o.contains("threads")) p->threads = o["threads"].cast<int>();
  if (o.contains("tile")) p->tile_size = o["tile"].cast<uint32_t>();
  if (o.contains("bpp")) p->bpp = o["bpp"].cast<double>();
  if (o.contains("quality")) p->quality = o["quality"].cast<double>();
  if (o.contains("snr")) p->snr_db = o["snr"].cast<double>();
  if (o.contains("bits_per_sample")) p->bits_per_sample = o["bits_per_sample"].cast<double>();
  if (o.contains("keyint")) p->keyint = o["keyint"].cast<uint32_t>();
}

// compress(kind, data, width, height, channels, bit_depth, format, options) -> bytes
py::bytes Compress(int kind, py::buffer data, uint32_t width, uint32_t height, uint32_t channels, uint32_t bit_depth,
                   int format, const py::dict& options) {
  py::buffer_info b = data.request();
  dc_content c;
  dc_content_init(&c);
  c.kind = static_cast<dc_kind>(kind);
  c.format = static_cast<dc_format>(format);
  c.data = static_cast<const uint8_t*>(b.ptr);
  c.size = static_cast<size_t>(b.size * b.itemsize);
  c.width = width;
  c.height = height;
  c.channels = channels;
  c.bit_depth = bit_depth;
  dc_params p;
  Fill(&p, options);
  dc_buffer out{};
  dc_error e;
  {
    py::gil_scoped_release nogil;
    e = dc_compress(&c, &p, &out, nullptr);
  }
  if (e) Raise(e);
  py::bytes r(reinterpret_cast<const char*>(out.data), out.size);
  dc_buffer_free(&out);
  return r;
}

// decompress(data, options) -> (kind, content bytes, width, height, channels, bit_depth, format)
py::tuple Decompress(py::bytes data, const py::dict& options) {
  std::string s = data;
  dc_params p;
  Fill(&p, options);
  dc_decoded d;
  std::memset(&d, 0, sizeof(d));
  dc_content_init(&d.content);
  dc_error e;
  {
    py::gil_scoped_release nogil;
    e = dc_decompress(reinterpret_cast<const uint8_t*>(s.data()), s.size(), &p, &d);
  }
  if (e) Raise(e);
  const dc_content& c = d.content;
  py::bytes content(reinterpret_cast<const char*>(c.data), c.size);
  py::tuple r = py::make_tuple(static_cast<int>(c.kind), content, c.width, c.height, c.channels, c.bit_depth,
                               static_cast<int>(c.format));
  dc_decoded_free(&d);
  return r;
}

[[noreturn]] void RaiseStatus(const dc::Status& st) {
  py::object err = py::reinterpret_borrow<py::object>(g_error);
  py::object inst = err(static_cast<int>(st.code()), dc_error_name(st.code()), st.message());
  PyErr_SetObject(g_error, inst.ptr());
  throw py::error_already_set();
}

// Y4M bytes -> container (video-lossless unless options say video-lossy).
py::bytes CompressY4m(py::bytes data, const py::dict& options) {
  std::string s = data;
  auto v = dc::extras::ParseVideo(reinterpret_cast<const uint8_t*>(s.data()), s.size(), 0, 0, "");
  if (!v.ok()) RaiseStatus(v.status());
  const dc_content c = v->Content();
  dc_params p;
  Fill(&p, options);
  if (!options.contains("codec") || options["codec"].is_none()) p.codec = DC_CODEC_VIDEO_LOSSLESS;
  dc_buffer out{};
  dc_error e;
  {
    py::gil_scoped_release nogil;
    e = dc_compress(&c, &p, &out, nullptr);
  }
  if (e) Raise(e);
  py::bytes r(reinterpret_cast<const char*>(out.data), out.size);
  dc_buffer_free(&out);
  return r;
}

// A signal file's bytes (WAV, CSV, ...; name gives the type as on the command line) -> container.
py::bytes CompressSignalFile(py::bytes data, const std::string& name, const py::dict& options) {
  std::string s = data;
  auto sf = dc::extras::ReadSignalBytes(std::vector<uint8_t>(s.begin(), s.end()), name);
  if (!sf.ok()) RaiseStatus(sf.status());
  dc_content c;
  dc_content_init(&c);
  c.kind = DC_KIND_SIGNAL;
  c.format = sf->format;
  c.data = reinterpret_cast<const uint8_t*>(sf->samples.data());
  c.size = sf->samples.size() * sizeof(int32_t);
  c.width = static_cast<uint32_t>(sf->frames);
  c.height = 1;
  c.channels = sf->channels;
  c.bit_depth = static_cast<uint32_t>(sf->bit_depth);
  c.side = sf->side.data();
  c.side_size = sf->side.size();
  dc_params p;
  Fill(&p, options);
  if (!options.contains("codec") || options["codec"].is_none()) p.codec = DC_CODEC_SIGNAL_LOSSLESS;
  dc_buffer out{};
  dc_error e;
  {
    py::gil_scoped_release nogil;
    e = dc_compress(&c, &p, &out, nullptr);
  }
  if (e) Raise(e);
  py::bytes r(reinterpret_cast<const char*>(out.data), out.size);
  dc_buffer_free(&out);
  return r;
}

// A video container -> the Y4M file it restores (frame by frame, through a temporary file).
py::bytes DecompressY4m(py::bytes data, const py::dict& options) {
  std::string s = data;
  dc_params p;
  Fill(&p, options);
  const char* td = std::getenv("TMPDIR");
  std::string tmp = std::string(td && *td ? td : "/tmp") + "/diffcomp-py-XXXXXX";
  const int fd = mkstemp(tmp.data());
  if (fd < 0) RaiseStatus(dc::Error(DC_ERR_IO, "cannot create a temporary file"));
  ::close(fd);
  dc::StatusOr<dc::extras::VideoDecodeResult> r = dc::Status();
  {
    py::gil_scoped_release nogil;
    r = dc::extras::DecompressVideoToFile(reinterpret_cast<const uint8_t*>(s.data()), s.size(), p, tmp, true, "");
  }
  if (!r.ok()) {
    std::remove(tmp.c_str());
    RaiseStatus(r.status());
  }
  auto bytes = dc::extras::ReadFile(tmp, UINT64_MAX);
  std::remove(tmp.c_str());
  if (!bytes.ok()) RaiseStatus(bytes.status());
  return py::bytes(reinterpret_cast<const char*>(bytes->data()), bytes->size());
}

py::dict Info(py::bytes data) {
  std::string s = data;
  dc_info i;
  if (dc_error e = dc_read_info(reinterpret_cast<const uint8_t*>(s.data()), s.size(), &i)) Raise(e);
  py::dict r;
  r["version"] = std::to_string(i.version_major) + "." + std::to_string(i.version_minor);
  r["codec"] = dc_codec_name(i.codec);
  static const char* kKinds[] = {"bytes", "image", "signal", "video"};
  r["kind"] = i.kind >= 0 && i.kind < 4 ? kKinds[i.kind] : "unknown";
  r["format"] = static_cast<int>(i.format);
  r["model_id"] = i.model_id;
  r["model_fingerprint"] = i.model_fingerprint;
  r["original_size"] = i.original_size;
  r["width"] = i.width;
  r["height"] = i.height;
  r["channels"] = i.channels;
  r["bit_depth"] = i.bit_depth;
  r["payload_size"] = i.payload_size;
  r["container_size"] = i.container_size;
  return r;
}

}  // namespace

PYBIND11_MODULE(_diffcomp, m) {
  m.doc() = "diffcomp native layer (use the diffcomp package)";
  if (!dc_version_ok()) throw std::runtime_error("libdiffcomp does not match the module's header");
  m.attr("__version__") = DC_VERSION_STRING;
  m.def("set_error_class", [](py::object cls) {
    g_error = cls.ptr();
    Py_INCREF(g_error);
  });
  m.def("compress", &Compress);
  m.def("decompress", &Decompress);
  m.def("info", &Info);
  m.def("compress_y4m", &CompressY4m);
  m.def("compress_signal_file", &CompressSignalFile);
  m.def("decompress_y4m", &DecompressY4m);
}
