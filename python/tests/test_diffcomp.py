# pytest for the Python module (run by ctest as py_diffcomp, PYTHONPATH = the build's python/).
import os
import struct
import wave
import io

import numpy as np
import pytest

import diffcomp

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def gradient(h, w, c):
    y, x, k = np.meshgrid(np.arange(h), np.arange(w), np.arange(c), indexing="ij")
    return ((x * 7 + y * 3 + k * 50) % 256).astype(np.uint8)


@pytest.mark.parametrize("shape", [(12, 17), (12, 17, 3), (9, 10, 4)])
def test_image_round_trip(shape):
    img = gradient(shape[0], shape[1], shape[2] if len(shape) == 3 else 1).reshape(shape)
    data = diffcomp.compress(img, threads=2)
    assert isinstance(data, bytes)
    back = diffcomp.decompress(data)
    assert back.shape == img.shape and back.dtype == np.uint8 and (back == img).all()
    i = diffcomp.info(data)
    assert i["codec"] == "image-lossless" and i["kind"] == "image" and i["width"] == shape[1]


def test_wav_array_round_trip():
    n = 2000
    pcm = (2000 * np.sin(np.arange(2 * n) * 0.02)).astype(np.int16).reshape(n, 2)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(2), w.setsampwidth(2), w.setframerate(8000), w.writeframes(pcm.tobytes())
    buf.seek(0)
    with wave.open(buf, "rb") as w:
        arr = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, 2)
    data = diffcomp.compress(arr, sample_rate=8000)
    back = diffcomp.decompress(data)
    assert back.dtype == np.int16 and back.shape == arr.shape and (back == arr).all()
    assert diffcomp.info(data)["codec"] == "signal-lossless"


def test_int32_signal():
    a = (np.arange(3000, dtype=np.int32) * 37 % 100000).reshape(-1, 1)
    back = diffcomp.decompress(diffcomp.compress(a, sample_rate=1000))
    assert back.dtype == np.int32 and (back == a).all()


def test_signal_is_a_wav_for_the_cli(tmp_path):
    import subprocess
    a = (500 * np.sin(np.arange(1200) / 5)).astype(np.int16).reshape(-1, 1)
    data = diffcomp.compress(a, sample_rate=22050)
    assert diffcomp.info(data)["format"] == "wav"
    cli = os.path.join(os.environ.get("DIFFCOMP_BUILD", os.path.join(REPO, "build")), "bin", "diffcomp")
    if os.path.exists(cli):
        (tmp_path / "s.wav.dfc").write_bytes(data)
        subprocess.run([cli, "-q", "decompress", str(tmp_path / "s.wav.dfc")], check=True)
        with wave.open(str(tmp_path / "s.wav"), "rb") as w:
            assert w.getframerate() == 22050 and w.getnchannels() == 1
            assert (np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, 1) == a).all()


@pytest.mark.parametrize("codec", [None, "huffman", "store"])
def test_bytes(codec):
    data = b"abracadabra " * 50
    assert diffcomp.decompress(diffcomp.compress(data, codec=codec)) == data


def test_lossy_options():
    img = gradient(32, 32, 3)
    data = diffcomp.compress(img, codec="image-lossy", quality=40, threads=2)
    assert diffcomp.info(data)["codec"] == "image-lossy"
    assert diffcomp.decompress(data).shape == img.shape


def test_errors():
    with pytest.raises(diffcomp.Error) as e:
        diffcomp.decompress(b"not a diffcomp file at all")
    assert e.value.code in (6, 9) and e.value.name in ("bad-magic", "truncated") and e.value.message
    with pytest.raises(diffcomp.Error) as e:
        diffcomp.compress(b"x", codec="no-such-codec")
    assert e.value.code == 12
    with pytest.raises(TypeError):
        diffcomp.compress(b"x", colour=3)
    with pytest.raises(TypeError):
        diffcomp.compress(np.zeros((10, 1), np.int16))  # no sample_rate


def test_video_array_round_trip():
    rng = np.random.default_rng(1)
    v = (np.arange(2 * 16 * 24 * 3).reshape(2, 16, 24, 3) % 200 + rng.integers(0, 3, (2, 16, 24, 3))).astype(np.uint8)
    data = diffcomp.compress(v, threads=2)
    assert diffcomp.info(data)["codec"] == "video-lossless" and diffcomp.info(data)["kind"] == "video"
    back = diffcomp.decompress(data)
    assert back.shape == v.shape and (back == v).all()


def test_y4m_bytes_round_trip():
    w, h = 16, 8
    head = b"YUV4MPEG2 W16 H8 F12:1 Ip A1:1 C420jpeg\n"
    frame = bytes((i * 7) % 251 for i in range(w * h + 2 * (w // 2) * (h // 2)))
    y4m = head + b"FRAME\n" + frame + b"FRAME\n" + frame[::-1]
    data = diffcomp.compress(y4m, threads=2)
    assert diffcomp.decompress(data) == y4m
