# The container (docs/format.md, versions 1.0 and 2.0), written from that document only: where the
# content descriptor starts, the 2.0 header checksum, and the trailer's checksums.
import zlib

def _u32(b): return int.from_bytes(b, 'little')

def read_dfc(path, codec_id):
    """Returns (bytes, offset of the content descriptor, codec revision, is version 2)."""
    b = open(path, 'rb').read()
    assert b[:4] == b'\xdfDFC', 'magic'
    assert b[6] == codec_id, 'codec id %d, expected %d' % (b[6], codec_id)
    major = b[4] >> 4
    if major == 1: return b, 8, 1, False
    assert major == 2, 'container version %#x' % b[4]
    assert b[7] >= 1, 'revision 0'
    return b, 9, b[7], True

def only_revision_1(rev):
    # These decoders implement each codec's revision 1; later revisions are refused, not guessed.
    if rev != 1: raise SystemExit('revision %d is not implemented by this decoder' % rev)

def header_end(b, i, v2):
    """i: the offset just after the codec parameters. Checks a 2.0 header's checksum (CRC-32 of
    bytes 0..i) and returns the payload's offset."""
    if not v2: return i
    assert zlib.crc32(b[:i]) == _u32(b[i:i + 4]), 'header checksum'
    return i + 4

def lossless_payload(b, i):
    return b[i:-4]

def content_crc_ok(b, content): return zlib.crc32(content) == _u32(b[-4:])

def lossy_payload(b, i, v2):
    """A lossy file's payload, its checksum verified (2.0: before the decoded-content checksum)."""
    end = len(b) - (8 if v2 else 4)
    p = b[i:end]
    assert zlib.crc32(p) == _u32(b[end:end + 4]), 'payload checksum'
    return p

def decoded_crc(b, v2, content):
    """2.0 lossy files: 'OK' or 'MISMATCH' for the decoded content's checksum; 1.0 has none."""
    if not v2: return 'none (1.0)'
    return 'OK' if zlib.crc32(content) == _u32(b[-4:]) else 'MISMATCH'

def check_model(fp, model_path):
    """The model reference's fingerprint (u32 as stored) against the model file's (docs/format.md,
    "Model reference"): a real decoder refuses to decode with another model."""
    from fingerprint import fingerprint
    h = fingerprint(model_path)[0]
    if int(h[:8], 16) != fp: raise SystemExit('model mismatch: the file needs %08x, %s is %s' % (fp, model_path, h[:8]))
