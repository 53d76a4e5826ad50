"""diffcomp: compression with diffusion models, from Python.

    import diffcomp, numpy as np
    data = diffcomp.compress(image)                 # uint8 H x W, H x W x 3 or H x W x 4
    image2 = diffcomp.decompress(data)              # the same array (lossless codecs)
    data = diffcomp.compress(pcm, sample_rate=48000)  # int16/int32 frames x channels, coded as
                                                    # its WAV file (the CLI restores the .wav)
    data = diffcomp.compress(b"any bytes")          # lzw by default
    diffcomp.info(data)                             # dict: codec, kind, sizes, model ...

Options have the CLI's names: codec= (image-lossless, image-lossy, signal-lossless, signal-lossy,
lzw, huffman, store), bpp=, quality=, snr=, bits_per_sample=, threads=, tile=. Errors raise
diffcomp.Error with .code (the library's dc_error value, also the CLI's exit code), .name and
.message. The GIL is released while coding.

Video: Y4M bytes (4:2:0 or 4:4:4; decompress gives the Y4M file back byte for byte), or a uint8
array frames x H x W x 3 holding Y, U, V samples per pixel (4:4:4; decompress gives the array
back). Codecs video-lossless (default) and video-lossy (quality=, bpp=, keyint=).
"""
import io as _io
import wave as _wave

import numpy as _np

from . import _diffcomp

__version__ = _diffcomp.__version__

_KIND_BYTES, _KIND_IMAGE, _KIND_SIGNAL, _KIND_VIDEO = 0, 1, 2, 3
_FORMAT_RAW, _FORMAT_PNG = 0, 1


class Error(Exception):
    """A diffcomp error: code (int, the library's dc_error), name (str), message (str)."""

    def __init__(self, code, name, message):
        super().__init__(f"{message} ({name})")
        self.code, self.name, self.message = code, name, message


_diffcomp.set_error_class(Error)
_OPTIONS = {"codec", "bpp", "quality", "snr", "bits_per_sample", "threads", "tile", "keyint", "sample_rate"}


def _options(codec, options):
    unknown = set(options) - _OPTIONS
    if unknown:
        raise TypeError(f"unknown option(s): {', '.join(sorted(unknown))}")
    o = {k: v for k, v in options.items() if k != "sample_rate" and v is not None}
    if codec is not None:
        o["codec"] = codec
    return o


_ARRAY_TAG = b"XDIFFCOMP=yuv444-array"


def _video_array_to_y4m(a):
    frames, h, w, _ = a.shape
    head = b"YUV4MPEG2 W%d H%d F25:1 Ip A1:1 C444 %s\n" % (w, h, _ARRAY_TAG)
    planes = _np.ascontiguousarray(a.transpose(0, 3, 1, 2))  # frames x (Y, U, V) x H x W
    return head + b"".join(b"FRAME\n" + planes[f].tobytes() for f in range(frames))


def _y4m_to_video_array(y):
    head, rest = y.split(b"\n", 1)
    tok = head.split()
    w = int(next(t for t in tok if t.startswith(b"W"))[1:])
    h = int(next(t for t in tok if t.startswith(b"H"))[1:])
    fs = 6 + 3 * w * h
    frames = len(rest) // fs
    buf = _np.frombuffer(rest, dtype=_np.uint8).reshape(frames, fs)[:, 6:]
    return buf.reshape(frames, 3, h, w).transpose(0, 2, 3, 1).copy()


def compress(obj, codec=None, **options):
    """Compresses a numpy array (image, signal or video) or bytes; returns the .dfc container as bytes."""
    if isinstance(obj, (bytes, bytearray, memoryview)):
        if bytes(obj[:9]) == b"YUV4MPEG2":
            return _diffcomp.compress_y4m(bytes(obj), _options(codec, options))
        o = _options(codec, options)
        o.setdefault("codec", "lzw")
        return _diffcomp.compress(_KIND_BYTES, bytes(obj), 0, 0, 0, 0, _FORMAT_RAW, o)
    a = _np.asarray(obj)
    if a.dtype == _np.uint8 and a.ndim == 4:
        if a.shape[3] != 3 or 0 in a.shape:
            raise ValueError("a video array is frames x H x W x 3 (Y, U, V per pixel), uint8")
        return _diffcomp.compress_y4m(_video_array_to_y4m(a), _options(codec, options))
    if a.dtype == _np.uint8 and a.ndim in (2, 3):
        if a.ndim == 3 and a.shape[2] not in (1, 3, 4):
            raise ValueError("an image is H x W, H x W x 3 or H x W x 4 (uint8)")
        h, w = a.shape[:2]
        ch = 1 if a.ndim == 2 else a.shape[2]
        o = _options(codec, options)
        o.setdefault("codec", "image-lossless")
        return _diffcomp.compress(_KIND_IMAGE, _np.ascontiguousarray(a), w, h, ch, 8, _FORMAT_PNG, o)
    if a.dtype in (_np.int16, _np.int32) and a.ndim in (1, 2):
        if "sample_rate" not in options:
            raise TypeError("a signal needs sample_rate= (samples per second)")
        if a.ndim == 1:
            a = a[:, None]
        frames, channels = a.shape
        if frames == 0 or channels == 0 or channels > 255:
            raise ValueError("a signal is frames x channels (1 to 255 channels, at least one frame)")
        # Coded as the WAV file it makes (PCM 16 or 32 bits, the rate recorded): `diffcomp
        # decompress` of the result writes that WAV, and decompress() gives the array back.
        buf = _io.BytesIO()
        with _wave.open(buf, "wb") as w:
            w.setnchannels(channels)
            w.setsampwidth(a.dtype.itemsize)
            w.setframerate(int(options["sample_rate"]))
            w.writeframes(_np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<")).tobytes())
        return _diffcomp.compress_signal_file(buf.getvalue(), "signal.wav", _options(codec, options))
    raise TypeError("compress takes bytes, a uint8 image (H x W[, 3|4]) or an int16/int32 signal (frames x channels)")


def decompress(data, **options):
    """Restores a container: a numpy array (image: uint8 H x W[ x C]; signal: int16 when it fits
    16 bits, else int32, frames x channels; video array: frames x H x W x 3) or bytes (bytes, Y4M)."""
    o = _options(None, options)
    data = bytes(data)
    if _diffcomp.info(data)["kind"] == "video":
        y = _diffcomp.decompress_y4m(data, o)
        return _y4m_to_video_array(y) if _ARRAY_TAG in y.split(b"\n", 1)[0] else y
    kind, content, w, h, ch, bits, _fmt = _diffcomp.decompress(data, o)
    if kind == _KIND_BYTES:
        return content
    if kind == _KIND_IMAGE:
        a = _np.frombuffer(content, dtype=_np.uint8)
        return a.reshape(h, w) if ch == 1 else a.reshape(h, w, ch)
    if kind == _KIND_SIGNAL:
        a = _np.frombuffer(content, dtype=_np.int32).reshape(w, ch)
        return a.astype(_np.int16) if bits <= 16 else a.copy()
    raise Error(4, "unsupported-format", "unknown content kind %d" % kind)


_FORMAT_NAMES = ["raw", "png", "ppm", "pgm", "wav", "wfdb", "csv", "raw-s16le", "raw-s32le", "y4m", "raw-i420"]


def info(data):
    """Header facts of a container without decoding it: a dict (version, codec, kind, format as
    `diffcomp info` names it, model_id, model_fingerprint, original_size, width, height, channels,
    bit_depth, payload_size, container_size)."""
    i = _diffcomp.info(bytes(data))
    f = i["format"]
    i["format"] = _FORMAT_NAMES[f] if 0 <= f < len(_FORMAT_NAMES) else str(f)
    return i
