"""Seed corpora for the fuzz targets (Python standard library only).

  make_corpus.py DIFFCOMP OUTDIR

DIFFCOMP is a built CLI (build/bin/diffcomp); it makes the .dfc seeds with the shipped model.
Writes OUTDIR/{decompress,weights,image_io,rans}/ with small files (each well under 4 KB);
tests/fuzz/corpus/ was made with it. Every file is valid input, so the fuzzers start past the
format checks.
"""
import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib


def pattern(w, h, c, seed):
    # Smooth gradients plus a little noise, like a photo.
    px = bytearray()
    s = seed
    for y in range(h):
        for x in range(w):
            for k in range(c):
                s = (s * 1103515245 + 12345) & 0x7FFFFFFF
                px.append(((x * (5 + 2 * k) + y * (3 + k) + 40 * k) + (s >> 16) % 7) % 256)
    return bytes(px)


def png(w, h, color_type, raw_rows, bit_depth=8, interlace=0, plte=None, trns=None):
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, bit_depth, color_type, 0, 0, interlace))
    if plte:
        out += chunk(b"PLTE", plte)
    if trns:
        out += chunk(b"tRNS", trns)
    return out + chunk(b"IDAT", zlib.compress(raw_rows, 9)) + chunk(b"IEND", b"")


def png8(w, h, c, px, interlace=0):
    """8-bit gray (1), gray+alpha (2), RGB (3) or RGBA (4), filter 0, optional Adam7."""
    color_type = {1: 0, 2: 4, 3: 2, 4: 6}[c]
    rows = b""
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
    if not interlace:
        passes = [(0, 0, 1, 1)]
    for x0, y0, dx, dy in passes:
        for y in range(y0, h, dy):
            xs = range(x0, w, dx)
            if not xs:
                continue
            rows += b"\x00" + b"".join(px[(y * w + x) * c:(y * w + x + 1) * c] for x in xs)
    return png(w, h, color_type, rows, interlace=interlace)


def wav(channels, bits, rate, samples, extensible=False, extra_chunk=False):
    block = channels * bits // 8
    if extensible:
        guid = struct.pack("<H", 1) + bytes([0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71])
        fmt = struct.pack("<HHIIHHHHI", 0xFFFE, channels, rate, rate * block, block, bits, 22, bits, 0) + guid
    else:
        fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * block, block, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    if extra_chunk:
        body += b"LIST" + struct.pack("<I", 5) + b"INFOx" + b"\x00"  # odd size + pad byte
    body += b"data" + struct.pack("<I", len(samples)) + samples
    if len(samples) % 2:
        body += b"\x00"
    return b"RIFF" + struct.pack("<I", len(body)) + body


def wfdb_header(dat, frames):
    """A 2-signal format-212 header for dat, with each signal's initial value and checksum."""
    sig = [[], []]
    for i in range(0, 3 * frames, 3):
        b0, b1, b2 = dat[i:i + 3]
        for k, v in enumerate((b0 | (b1 & 0x0F) << 8, b2 | (b1 & 0xF0) << 4)):
            sig[k].append(v - 4096 if v >= 2048 else v)
    def cks(x):
        c = sum(x) & 0xFFFF
        return c - 65536 if c >= 32768 else c
    return (b"# a comment line\nrec 2 360 %d\r\n" % frames + b"".join(
        b"rec.dat 212 200 11 1024 %d %d 0 %s\n" % (s[0], cks(s), name) for s, name in zip(sig, (b"MLII", b"V5"))))


def y4m(w, h, chroma, frames):
    tag = b"" if chroma == "420" else b" C" + chroma.encode()
    out = b"YUV4MPEG2 W%d H%d F25:1 Ip A1:1%s\n" % (w, h, tag)
    size = 3 * w * h if chroma == "444" else w * h + 2 * ((w + 1) // 2) * ((h + 1) // 2)
    for f in range(frames):
        out += b"FRAME\n" + pattern(size, 1, 1, f)
    return out


def weights(features, trunk_blocks, head_blocks, mixtures, dtype, seed):
    """A model file of the adm1 architecture with small pseudo-random weights."""
    tensors, data = [], b""
    s = seed

    def conv(name, out, inp, k):
        nonlocal data, s
        for suffix, shape in (("_w", [out, inp, k, k]), ("_b", [out])):
            n = 1
            for d in shape:
                n *= d
            vals = []
            for _ in range(n):
                s = (s * 1103515245 + 12345) & 0x7FFFFFFF
                vals.append(((s >> 8) % 2001 - 1000) / 1000.0 / (inp * k * k) ** 0.5)
            data += b"\x00" * (-len(data) % 16)
            off = len(data)
            data += struct.pack("<%d%s" % (n, "e" if dtype == "f16" else "f"), *vals)
            tensors.append({"name": name + suffix, "dtype": dtype, "shape": shape, "offset": off,
                            "bytes": len(data) - off})
    conv("trunk_in", features, 3, 3)
    for i in range(trunk_blocks):
        conv("trunk_b%d_c1" % i, features, features, 3)
        conv("trunk_b%d_c2" % i, features, features, 3)
    conv("head_in", features, 18, 3)
    for i in range(head_blocks):
        conv("head_b%d_c1" % i, features, features, 3)
        conv("head_b%d_c2" % i, features, features, 3)
    conv("head_out", 12 * mixtures, features, 1)
    meta = json.dumps({"format": "diffcomp-weights", "arch": "adm1", "model_id": 1,
                       "config": {"features": features, "trunk_blocks": trunk_blocks,
                                  "head_blocks": head_blocks, "mixtures": mixtures},
                       "tensors": tensors, "info": {}}, separators=(",", ":")).encode()
    out = b"DCWT" + struct.pack("<HHI", 1, 0, len(meta)) + meta
    return out + b"\x00" * (-len(out) % 16) + data


def varint(v):
    out = b""
    while v >= 0x80:
        out += bytes([(v & 0x7F) | 0x80])
        v >>= 7
    return out + bytes([v])


def read_varint(b, i):
    v, shift = 0, 0
    while True:
        v |= (b[i] & 0x7F) << shift
        shift += 7
        i += 1
        if not b[i - 1] & 0x80:
            return v, i


def patched_image_seed(dfc):
    """fuzz_decompress mode 0 input equivalent to an image-lossless .dfc (see fuzz_decompress.cc)."""
    assert dfc[6] == 3
    w, i = read_varint(dfc, 8)
    h, i = read_varint(dfc, i)
    ch = dfc[i]
    _, i = read_varint(dfc, i + 1)  # model id
    i += 4                          # fingerprint
    tile_param, i = read_varint(dfc, i)
    tile, flags = tile_param & 8191, tile_param >> 13  # coder flags above bit 13 (docs/format.md)
    assert w <= 64 and h <= 64 and 16 <= tile < 80 and flags <= 1
    ch_sel = {1: 0, 3: 1, 4: 2}[ch] | (0x80 if dfc[7] == 1 and ch != 4 else 0)
    return bytes([0, w - 1, h - 1, ch_sel, (tile - 16) | (0x80 * flags)]) + dfc[-4:] + dfc[i:-4]


def patched_bytes_seed(dfc):
    """fuzz_decompress mode 1 input equivalent to a store/huffman/lzw .dfc."""
    size, i = read_varint(dfc, 8)
    assert size < 65536
    return bytes([1, dfc[6], size & 0xFF, size >> 8]) + dfc[-4:] + dfc[i:-4]


def main():
    diffcomp, out = sys.argv[1], sys.argv[2]
    for d in ("decompress", "weights", "image_io", "rans"):
        os.makedirs(os.path.join(out, d), exist_ok=True)

    def put(d, name, data):
        assert len(data) < 4096, (name, len(data))
        with open(os.path.join(out, d, name), "wb") as f:
            f.write(data)

    # image_io: every supported PNG layout, PNM, WAV and Y4M.
    put("image_io", "gray.png", png8(7, 5, 1, pattern(7, 5, 1, 1)))
    put("image_io", "gray_alpha.png", png8(6, 4, 2, pattern(6, 4, 2, 2)))
    put("image_io", "rgb.png", png8(9, 6, 3, pattern(9, 6, 3, 3)))
    put("image_io", "rgba_interlaced.png", png8(11, 9, 4, pattern(11, 9, 4, 4), interlace=1))
    put("image_io", "palette_trns.png", png(5, 3, 3, b"".join(b"\x00" + bytes(range(y, y + 5)) for y in range(3)),
                                           plte=pattern(8, 1, 3, 5), trns=b"\x00\x80"))
    put("image_io", "gray2.png", png(8, 4, 0, b"".join(b"\x00" + bytes([0x1B, 0xE4]) for _ in range(4)), bit_depth=2))
    put("image_io", "rgb.ppm", b"P6\n# c\n6 4\n255\n" + pattern(6, 4, 3, 6))
    put("image_io", "gray.pgm", b"P5 5\t3\n255\n" + pattern(5, 3, 1, 7))
    put("image_io", "s16.wav", wav(2, 16, 8000, pattern(20, 1, 1, 8), extra_chunk=True))
    put("image_io", "u8_ext.wav", wav(1, 8, 11025, pattern(15, 1, 1, 9), extensible=True))
    put("image_io", "s24.wav", wav(1, 24, 48000, pattern(13, 1, 1, 10)))
    put("image_io", "420.y4m", y4m(5, 3, "420", 2))
    put("image_io", "444.y4m", y4m(4, 2, "444", 1))
    # WFDB: the header text, a NUL byte, then the format-212 signal file (see fuzz_image_io.cc).
    dat = pattern(30, 1, 1, 17)  # 10 frames of 2 signals
    put("image_io", "ecg.wfdb", wfdb_header(dat, 10) + b"\x00" + dat + b"\x01\x02")

    # weights: tiny models (the shipped one is too big for a seed; add it by hand if wanted).
    put("weights", "f1_f16.dcw", weights(1, 0, 0, 1, "f16", 1))
    put("weights", "f2_f32.dcw", weights(2, 1, 1, 1, "f32", 2))
    put("weights", "f1_k2.dcw", weights(1, 1, 0, 2, "f16", 3))

    # rans: u8 precision | u8 escape | varint n | n varint freqs, then a stream.
    put("rans", "esc.bin", bytes([4, 1, 3, 8, 4, 4, 0x00, 0x91, 0x23, 0x45, 0x67, 0x89, 0xAB]))
    put("rans", "plain.bin", bytes([8, 0, 2, 0x80, 0x01, 0x80, 0x01, 0x00, 0x80, 0x00, 0x00, 0x12]))

    # decompress: real .dfc files of every codec, and the same as patched-mode inputs.
    with tempfile.TemporaryDirectory() as tmp:
        files = {
            "text.bin": b"the quick brown fox jumps over the lazy dog; " * 6,
            "bytes.bin": bytes(range(256)) + bytes(40),
            "gray.pgm": b"P5\n8 8\n255\n" + pattern(8, 8, 1, 11),
            "rgb.ppm": b"P6\n13 7\n255\n" + pattern(13, 7, 3, 12),
            "rgba.png": png8(20, 9, 4, pattern(20, 9, 4, 13)),
            "rgba_const_alpha.png": png8(6, 6, 4, bytes(b if i % 4 != 3 else 255 for i, b in enumerate(pattern(6, 6, 4, 14)))),
            "gray.png": png8(17, 3, 1, pattern(17, 3, 1, 15)),
        }
        for name, data in files.items():
            with open(os.path.join(tmp, name), "wb") as f:
                f.write(data)
        jobs = [("text.bin", "store", []), ("text.bin", "huffman", []), ("text.bin", "lzw", []),
                ("bytes.bin", "huffman", []), ("bytes.bin", "lzw", []),
                ("gray.pgm", "image-lossless", []), ("rgb.ppm", "image-lossless", []),
                ("rgba.png", "image-lossless", ["--tile", "16"]),
                ("rgba_const_alpha.png", "image-lossless", []),
                ("gray.png", "image-lossless", ["--tile", "16"])]
        for src, codec, extra in jobs:
            dst = os.path.join(tmp, "%s.%s.dfc" % (src, codec))
            subprocess.run([diffcomp, "-q", "compress", "-c", codec, "-T", "1", "-f", "-o", dst,
                            *extra, os.path.join(tmp, src)], check=True)
            dfc = open(dst, "rb").read()
            base = "%s.%s" % (src.replace(".", "_"), codec)
            put("decompress", base + ".dfc", dfc)
            seed = patched_image_seed(dfc) if codec == "image-lossless" else patched_bytes_seed(dfc)
            put("decompress", base + ".patched", seed)
        # The other codecs as whole files (raw mode: the input starts with the magic byte).
        signal = [("sig.wav", wav(2, 16, 8000, pattern(300, 1, 1, 16)), "signal-lossless", []),
                  ("sig.wav", None, "signal-lossy", ["--snr", "20"]),
                  ("series.csv", b"t,v\n" + b"".join(b"%d,%d.%d\n" % (i, (i * 7) % 50, i % 10) for i in range(120)),
                   "signal-lossless", []),
                  ("vid.y4m", y4m(16, 8, "420", 3), "video-lossless", ["--keyint", "2"]),
                  ("vid.y4m", None, "video-lossy", ["--keyint", "2", "--quality", "40"]),
                  ("small.png", png8(16, 16, 3, pattern(16, 16, 3, 17)), "image-lossy", ["--quality", "40"])]
        for src, data, codec, extra in signal:
            if data is not None:
                with open(os.path.join(tmp, src), "wb") as f:
                    f.write(data)
            dst = os.path.join(tmp, "%s.%s.dfc" % (src, codec))
            subprocess.run([diffcomp, "-q", "compress", "-c", codec, "-T", "1", "-f", "-o", dst,
                            *extra, os.path.join(tmp, src)], check=True)
            put("decompress", "%s.%s.dfc" % (src.replace(".", "_"), codec), open(dst, "rb").read())
        put("decompress", "roundtrip_lzw", bytes([2, 2]) + files["text.bin"][:200])
        put("decompress", "roundtrip_huffman", bytes([2, 1]) + files["bytes.bin"][:300])


if __name__ == "__main__":
    main()
