"""Hand-made .dfc headers for the bad-input tests (docs/format.md, container version 1.0).

  craft.py OUTDIR MODEL_ID FINGERPRINT_HEX

writes OUTDIR/NAME.dfc files and prints one manifest line per file:
  NAME<TAB>EXPECTED EXIT CODES (space separated)<TAB>what is wrong
Every file is built from the spec here, independently of the code under test.
"""
import struct
import sys
import zlib

MAGIC = b"\xdfDFC"
STORE, HUFFMAN, LZW, IMAGE = 0, 1, 2, 3
RAW, PNG, PPM, PGM = 0, 1, 2, 3

TOO_LARGE, UNSUPPORTED_FORMAT, CORRUPT, TRUNCATED, MISMATCH = "5", "4", "10", "9", "13"


def varint(v):
    out = b""
    while v >= 0x80:
        out += bytes([(v & 0x7F) | 0x80])
        v >>= 7
    return out + bytes([v])


def container(codec, fmt, descriptor, model=None, params=b"", payload=b"", crc=None, flags=None,
              version=0x10):
    if flags is None:
        flags = 1 if model is not None else 0
    head = MAGIC + bytes([version, flags, codec, fmt]) + descriptor
    if model is not None:
        head += model
    head += params
    if crc is None:
        crc = 0
    return head + payload + struct.pack("<I", crc)


def main():
    out, model_id, fp = sys.argv[1], int(sys.argv[2]), int(sys.argv[3], 16)
    good_model = varint(model_id) + struct.pack("<I", fp)
    tile = varint(256)
    cases = []

    def image(name, codes, why, w, h, ch, model=good_model, **kw):
        desc = (w if isinstance(w, bytes) else varint(w)) + (h if isinstance(h, bytes) else varint(h)) + bytes([ch])
        kw.setdefault("params", tile)
        kw.setdefault("payload", b"\x00" * 64)
        cases.append((name, codes, why, container(IMAGE, PNG, desc, model=model, **kw)))

    def raw(name, codes, why, size, codec=STORE, **kw):
        desc = size if isinstance(size, bytes) else varint(size)
        cases.append((name, codes, why, container(codec, RAW, desc, **kw)))

    # Dimensions and sizes beyond the stated limits (65535 per side, 2^28 pixels, 4 GiB).
    image("width_65536", TOO_LARGE, "width 65536 > 65535", 65536, 1, 3)
    image("height_65536", TOO_LARGE, "height 65536 > 65535", 1, 65536, 3)
    image("pixels_65535x65535", TOO_LARGE, "65535 x 65535 pixels > 2^28", 65535, 65535, 3)
    image("pixels_just_over", TOO_LARGE, "16385 x 16384 = 2^28 + 16384 pixels", 16385, 16384, 1)
    image("width_2p32_plus_1", TOO_LARGE, "width 2^32 + 1 (overflows 32 bits)", 2**32 + 1, 2, 3)
    image("dims_overflow_64", TOO_LARGE, "2^33 x 2^33: the pixel count overflows 64 bits", 2**33, 2**33, 4)
    image("width_max_u64", TOO_LARGE, "width 2^64 - 1 (10-byte varint)", 2**64 - 1, 1, 1)
    image("width_varint_overflow", TOO_LARGE,
          "width varint with more than 64 bits", b"\xff" * 9 + b"\x7f", 1, 1)
    image("width_varint_too_long", TOO_LARGE + " " + CORRUPT, "11-byte varint", b"\x80" * 10 + b"\x01", 1, 1)
    raw("bytes_4GiB_plus_1", TOO_LARGE, "original size 2^32 + 1 > 4 GiB", 2**32 + 1)
    raw("bytes_max_u64", TOO_LARGE, "original size 2^64 - 1", 2**64 - 1, codec=HUFFMAN)
    raw("bytes_varint_overflow", TOO_LARGE, "size varint with more than 64 bits",
        b"\xff" * 9 + b"\x02", codec=LZW)
    # Inconsistent or unsupported fields.
    image("zero_width", CORRUPT, "width 0", 0, 5, 3)
    image("zero_height", CORRUPT, "height 0", 5, 0, 3)
    image("channels_2", UNSUPPORTED_FORMAT, "2 channels", 4, 4, 2)
    image("channels_0", UNSUPPORTED_FORMAT, "0 channels", 4, 4, 0)
    image("channels_5", UNSUPPORTED_FORMAT, "5 channels", 4, 4, 5)
    image("tile_8", CORRUPT, "tile size 8 < 16", 4, 4, 3, params=varint(8))
    image("tile_8192", CORRUPT, "tile size 8192 > 4096", 4, 4, 3, params=varint(8192))
    image("no_model_ref", CORRUPT, "image codec without a model reference", 4, 4, 3, model=None)
    raw("unexpected_model_ref", CORRUPT, "store codec with a model reference", 3,
        model=good_model, payload=b"abc", crc=zlib.crc32(b"abc"))
    # Another model: the id or the fingerprint differs.
    image("other_model_id", MISMATCH, "model id + 1", 4, 4, 3,
          model=varint(model_id + 1) + struct.pack("<I", fp))
    image("other_fingerprint", MISMATCH, "fingerprint xor 1", 4, 4, 3,
          model=varint(model_id) + struct.pack("<I", fp ^ 1))
    # Headers that end early.
    header = container(STORE, RAW, varint(3))[:-4]
    for k in range(4):
        cases.append((f"store_{k}_bytes_after_header", TRUNCATED,
                      f"{k} byte(s) after the header: no room for the CRC", header + b"abc"[:k]))
    # Stored size disagrees with the payload; wrong CRC on good data.
    raw("store_short_payload", TRUNCATED, "store: 2 payload bytes for size 3", 3, payload=b"ab",
        crc=zlib.crc32(b"abc"))
    raw("store_long_payload", CORRUPT, "store: 4 payload bytes for size 3", 3, payload=b"abcd",
        crc=zlib.crc32(b"abc"))
    raw("store_bad_crc", "11", "store: CRC of other data", 3, payload=b"abc", crc=zlib.crc32(b"abd"))

    for name, codes, why, data in cases:
        with open(f"{out}/{name}.dfc", "wb") as f:
            f.write(data)
        print(f"{name}\t{codes}\t{why}")

    # Control: a well-formed store file, to prove the crafting itself is right.
    with open(f"{out}/control_store.dfc.ok", "wb") as f:
        f.write(container(STORE, RAW, varint(3), payload=b"abc", crc=zlib.crc32(b"abc")))


if __name__ == "__main__":
    main()
