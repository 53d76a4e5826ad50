#!/usr/bin/env python3
"""Self-made audio of other kinds for signal-lossless (issue 14): checks that the codec was not
tuned to the five shared WAVs. Never used for training or tuning. Deterministic (fixed seeds,
integer output); espeak-ng and sox from scripts/install-deps.sh.

Usage: scripts/make-signal-test-audio.py OUTDIR
  speech_en_22k.wav      espeak-ng, en-us, 22.05 kHz mono
  speech_de_44k.wav      espeak-ng, German, resampled to 44.1 kHz stereo (sox)
  drums_clipped_44k.wav  synthetic kick/snare/hat loop, driven into hard clipping, stereo
  bell_fm_48k.wav        FM bell strikes with long decays, mono
  chord_noise_24bit.wav  chord plus pink-ish noise, 24-bit 48 kHz stereo
  tabla_like_44k.wav     pitched membrane hits with bends, loud, mono
"""
import math, os, random, struct, subprocess, sys, wave

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def write(name, rate, chans, width, frames):
    lim = (1 << (8 * width - 1)) - 1
    w = wave.open(os.path.join(out, name), "wb")
    w.setnchannels(chans); w.setsampwidth(width); w.setframerate(rate)
    data = bytearray()
    for fr in frames:
        for v in fr:
            v = max(-lim - 1, min(lim, int(round(v))))
            data += v.to_bytes(width, "little", signed=True)
    w.writeframes(bytes(data))
    w.close()


text = ("The quick brown fox jumps over the lazy dog. Lossless audio compression keeps every sample "
        "exactly, and adaptive filters learn the signal as it goes.")
subprocess.run(["espeak-ng", "-v", "en-us", "-s", "160", "-w", os.path.join(out, "speech_en_22k.wav"), text], check=True)
tmp = os.path.join(out, "_de.wav")
subprocess.run(["espeak-ng", "-v", "de", "-s", "140", "-w", tmp,
                "Verlustfreie Kompression bewahrt jedes einzelne Abtastwert genau so, wie er war."], check=True)
subprocess.run(["sox", tmp, "-r", "44100", "-c", "2", "-b", "16", os.path.join(out, "speech_de_44k.wav"), "dither", "-s"],
               check=True)
os.remove(tmp)

rng = random.Random(14)
# Drum loop: 120 bpm, 4 bars, kick on 1/3, snare on 2/4, hats on eighths; gain 3, hard clip.
rate, n = 44100, 44100 * 8
L = [0.0] * n
R = [0.0] * n
beat = rate // 2
for b in range(16):
    t0 = b * beat
    if b % 2 == 0:  # kick: falling sine
        for i in range(int(0.3 * rate)):
            t = i / rate
            v = 30000 * math.exp(-t * 9) * math.sin(2 * math.pi * (50 + 120 * math.exp(-t * 30)) * t)
            L[t0 + i] += v; R[t0 + i] += v
    else:  # snare: noise + tone
        for i in range(int(0.2 * rate)):
            t = i / rate
            v = math.exp(-t * 18) * (16000 * (rng.random() * 2 - 1) + 9000 * math.sin(2 * math.pi * 190 * t))
            L[t0 + i] += 0.8 * v; R[t0 + i] += v
    for h in (0, beat // 2):  # hats
        prev = 0.0
        for i in range(int(0.05 * rate)):
            x = rng.random() * 2 - 1
            v = 6000 * math.exp(-i / rate * 80) * (x - prev)
            prev = x
            L[t0 + h + i] += v; R[t0 + h + i] += 0.6 * v
write("drums_clipped_44k.wav", rate, 2, 2, ((3 * l, 3 * r) for l, r in zip(L, R)))

rate, n = 48000, 48000 * 6
bell = [0.0] * n
for k, (t0, f) in enumerate([(0, 440.0), (1.5, 523.3), (3.0, 392.0), (4.2, 659.3)]):
    s0 = int(t0 * rate)
    for i in range(n - s0):
        t = i / rate
        bell[s0 + i] += 9000 * math.exp(-t * 1.2) * math.sin(2 * math.pi * f * t + 3 * math.exp(-t * 2) * math.sin(2 * math.pi * 1.4 * f * t))
write("bell_fm_48k.wav", rate, 1, 2, ((v + rng.gauss(0, 2),) for v in bell))

rate, n = 48000, 48000 * 4
pink = 0.0
fr = []
for i in range(n):
    t = i / rate
    pink = 0.97 * pink + rng.gauss(0, 1)
    c = sum(math.sin(2 * math.pi * f * t) for f in (261.6, 329.6, 392.0, 523.3))
    fr.append((1.2e6 * c + 4000 * pink, 1.1e6 * c - 3000 * pink + 2000 * math.sin(2 * math.pi * 55 * t)))
write("chord_noise_24bit.wav", rate, 2, 3, fr)

rate, n = 44100, 44100 * 6
tab = [0.0] * n
t0 = 0
while t0 < n - rate // 2:
    f0 = rng.choice([180.0, 220.0, 330.0, 95.0])
    amp = rng.choice([20000, 28000, 32000])
    for i in range(int(0.4 * rate)):
        t = i / rate
        f = f0 * (1 + 0.3 * math.exp(-t * 25))
        tab[t0 + i] += amp * math.exp(-t * 7) * (math.sin(2 * math.pi * f * t) + 0.3 * math.sin(2 * math.pi * 2.7 * f * t))
    t0 += rng.choice([rate // 8, rate // 4, rate // 6])
write("tabla_like_44k.wav", rate, 1, 2, ((1.3 * v,) for v in tab))
