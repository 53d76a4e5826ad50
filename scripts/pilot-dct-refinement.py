#!/usr/bin/env python3
"""Pilot (issue 13): a transform-coded refinement layer on top of image-lossy's latent image,
against the shipped pixel-space refinement passes, AVIF, JPEG XL and JPEG, on non-Kodak crops.

The layer: residual r = original - base (base = the decoded 12-step latent image, or a flat 128
image for "from scratch"), an orthonormal colour transform (Y = (R+G+B)/sqrt3, C1 = (R-B)/sqrt2,
C2 = (R-2G+B)/sqrt6), an orthonormal 8x8 DCT-II, uniform scalar quantization with step D (chroma
D * cm) and rounding offset r (0.5 = nearest; smaller = deadzone), DC predicted from the left
block's quantized DC. Reconstruction: q * D, inverse transforms, + base, round, clamp.

Rate: every quantized coefficient is binarized (significance; sign as a raw bit; magnitude - 1 in
unary bins up to 14, then Exp-Golomb raw bits), each binary decision in a context; the cost of a
context's bit sequence is the Krichevsky-Trofimov adaptive code length computed from its counts
(order-independent: exactly what a KT-adaptive binary arithmetic coder pays, +- 2 bits). Contexts:
luma/chroma, zigzag band, the same coefficient's significance in the left and top blocks, the two
previous zigzag positions of this block, and (variant "ctx+base") the magnitude of the base image's
own DCT coefficient at that position relative to D: the decoder has the base before this layer.

Usage: pilot-dct-refinement.py DIR NAME... (DIR holds NAME.png, NAME.rec.png, NAME.q80.dfc)
Prints one JSON line per (image, variant, D, r): rate of the layer in bits per pixel and PSNR.
       pilot-dct-refinement.py --table DIR PILOT.jsonl NAME...
Reads the pilot's lines and the decoded files of the other coders in DIR (ours.NAME.qQ.dfc/.png,
avif.NAME.Q.avif/.png, jxl.NAME.D.jxl/.png, jpg.NAME.Q.jpg/.png, made by the commands in
docs/pilot-dct-refinement.md) and prints the Markdown tables: PSNR at fixed rates (linear in
log bpp between a curve's points, mean over the images) and the rate each reaches 40 dB.
"""
import json
import math
import os
import sys

import numpy as np
from PIL import Image

N = 8
_k = np.arange(N)
DCT = np.sqrt(2.0 / N) * np.cos(np.pi * (2 * _k[None, :] + 1) * _k[:, None] / (2 * N))
DCT[0, :] /= np.sqrt(2.0)
COL = np.array([[1, 1, 1], [1, 0, -1], [1, -2, 1]], float) / np.array([[math.sqrt(3)], [math.sqrt(2)], [math.sqrt(6)]])

ZZ = sorted(((i, j) for i in range(N) for j in range(N)), key=lambda p: (p[0] + p[1], p[1] if (p[0] + p[1]) % 2 else p[0]))
ZZ_INDEX = np.zeros((N, N), int)
for n, (i, j) in enumerate(ZZ):
    ZZ_INDEX[i, j] = n
# band of the n-th zigzag position: its diagonal i + j, 0..4 alone, then pairs (10 bands)
BAND = np.array([min(i + j, 4) if i + j <= 4 else 5 + (i + j - 5) // 2 for (i, j) in ZZ])


def kt_bits(ctx, bit, nctx):
    """Total KT code length in bits of the binary decisions `bit` in contexts `ctx`."""
    n1 = np.bincount(ctx, weights=bit, minlength=nctx)
    n = np.bincount(ctx, minlength=nctx).astype(float)
    n0 = n - n1
    lg = np.vectorize(math.lgamma)
    used = n > 0
    a, b, t = n0[used], n1[used], n[used]
    nats = -(lg(a + 0.5) + lg(b + 0.5) - lg(t + 1.0) - math.log(math.pi))
    return float(nats.sum() / math.log(2))


def blocks(plane):
    h, w = plane.shape
    return plane.reshape(h // N, N, w // N, N).transpose(0, 2, 1, 3)  # (by, bx, 8, 8)


def unblocks(b):
    by, bx = b.shape[:2]
    return b.transpose(0, 2, 1, 3).reshape(by * N, bx * N)


def residual(orig, base, ctx_img=None):
    """Edge-padded to whole blocks: the base, the residual orig - base and the context image (the
    base unless given), both in the colour transform's space."""
    h, w, _ = orig.shape
    ph, pw = -(-h // N) * N, -(-w // N) * N
    pad = lambda a: np.pad(a.astype(float), ((0, ph - h), (0, pw - w), (0, 0)), mode="edge")
    b = pad(base)
    return b, (pad(orig) - b) @ COL.T, (b if ctx_img is None else pad(ctx_img)) @ COL.T


def reconstruct(b, rec, orig):
    """The 8-bit image: padded base + decoded residual, back to RGB, cropped to orig's size."""
    h, w, _ = orig.shape
    return np.clip(np.rint(b + rec @ np.linalg.inv(COL).T), 0, 255)[:h, :w]


def neighbour_sig(nz):
    """Per coefficient (zigzag order): significant among the same coefficient of the left and
    upper blocks (0..2), and among the two previous zigzag positions of its block (0..2)."""
    left = np.zeros_like(nz)
    left[:, 1:] = nz[:, :-1]
    top = np.zeros_like(nz)
    top[1:] = nz[:-1]
    prev = np.zeros_like(nz)
    prev[:, :, 1:] += nz[:, :, :-1]
    prev[:, :, 2:] += nz[:, :, :-2]
    return np.minimum(left + top, 2), prev


def left_top_sum(a):
    """The same coefficient's value in the left block plus in the upper block."""
    s = np.zeros_like(a)
    s[:, 1:] += a[:, :-1]
    s[1:] += a[:-1]
    return s


def unary_bins(m):
    """Magnitude - 1 values m in unary bins up to 14, then Exp-Golomb: (value index and position of
    each bin, their bits, raw bits of the tails)."""
    nb = np.minimum(m, 13) + (m < 14)  # number of unary bins coded
    idx = np.repeat(np.arange(len(m)), nb)
    pos = np.arange(len(idx)) - np.repeat(np.cumsum(nb) - nb, nb)
    tail = m[m >= 14] - 14 + 1
    raw = int(np.sum(2 * np.floor(np.log2(tail)) + 1)) if len(tail) else 0
    return idx, pos, (pos < m[idx]).astype(int), raw


def layer(orig, base, step, roff, cm, use_base_ctx, ctx_img=None):
    b, res, bc = residual(orig, base, ctx_img)
    bits = 0.0
    rec = np.zeros_like(res)
    sig_ctx, sig_bit, mag_ctx, mag_bit = [], [], [], []
    raw = 0
    for c in range(3):
        d = step * (cm if c else 1.0)
        cls = 0 if c == 0 else 1
        coef = DCT @ blocks(res[:, :, c]) @ DCT.T  # (by, bx, 8, 8)
        q = np.sign(coef) * np.floor(np.abs(coef) / d + roff)
        q = q.astype(np.int64)
        rec[:, :, c] = unblocks(DCT.T @ (q * d) @ DCT)
        by, bx = q.shape[:2]
        # DC: coded as the difference from the left block's quantized DC (first column: top).
        dc = q[:, :, 0, 0].copy()
        pred = np.zeros_like(dc)
        pred[:, 1:] = dc[:, :-1]
        pred[1:, 0] = dc[:-1, 0]
        v = q.copy()
        v[:, :, 0, 0] = dc - pred
        z = v.reshape(by, bx, 64)[:, :, np.argsort(ZZ_INDEX.ravel())]  # zigzag order
        nz = (z != 0).astype(int)
        lt, prev = neighbour_sig(nz)
        band = np.broadcast_to(BAND, nz.shape)
        ctx = ((cls * 10 + band) * 3 + lt) * 3 + prev
        mb = np.minimum(left_top_sum(np.abs(z)), 3)
        if use_base_ctx:
            bco = DCT @ blocks(bc[:, :, c]) @ DCT.T
            bz = np.abs(bco.reshape(by, bx, 64)[:, :, np.argsort(ZZ_INDEX.ravel())]) / d
            bb = np.digitize(bz, [0.25, 1.0, 4.0])  # 0..3
            ctx = ctx * 4 + bb
            mb = mb * 4 + bb
        sig_ctx.append(ctx.ravel())
        sig_bit.append(nz.ravel())
        # magnitudes of the non-zero values
        sel = nz.ravel() == 1
        m = np.abs(z.ravel()[sel]) - 1
        raw += int(sel.sum())  # sign bits
        mctx0 = (cls * 4 + np.minimum(band.ravel()[sel] // 3, 3)) * 16 + mb.ravel()[sel]
        idx, pos, ubits, traw = unary_bins(m)
        mag_bit.append(ubits)
        mag_ctx.append(mctx0[idx] * 5 + np.minimum(pos, 4))
        raw += traw
    nsig = 2 * 10 * 3 * 3 * (4 if use_base_ctx else 1)
    bits += kt_bits(np.concatenate(sig_ctx), np.concatenate(sig_bit).astype(float), nsig)
    mc = np.concatenate(mag_ctx)
    bits += kt_bits(mc, np.concatenate(mag_bit).astype(float), int(mc.max()) + 1 if len(mc) else 1)
    bits += raw
    return bits, psnr_of(reconstruct(b, rec, orig), orig)


def psnr_of(a, b):
    mse = np.mean((a.astype(float) - b.astype(float)) ** 2)
    return 10 * math.log10(255 ** 2 / mse) if mse > 0 else 99.0


def interp(curve, x, key_in, key_out, log_in):
    """curve: list of (in, out), any order; the upper hull is not taken, points are sorted by in."""
    pts = sorted(curve)
    xs = [math.log(p[0]) if log_in else p[0] for p in pts]
    xv = math.log(x) if log_in else x
    for (x0, y0), (x1, y1) in zip(zip(xs, [p[1] for p in pts]), zip(xs[1:], [p[1] for p in pts][1:])):
        if x0 <= xv <= x1 and x1 > x0:
            return y0 + (y1 - y0) * (xv - x0) / (x1 - x0)
    return None


def table(d, jsonls, names):
    import glob
    rows = [json.loads(l) for f in jsonls.split(",") for l in open(f)]
    curves = {}  # (codec, image) -> [(bpp, psnr)]
    for name in names:
        orig = np.asarray(Image.open(os.path.join(d, name + ".png")).convert("RGB"))
        px = orig.shape[0] * orig.shape[1]
        for codec, pat in [("image-lossy rev 2 (latents, then pixel passes)", "ours.%s.q*.dfc"),
                           ("avifenc -s 6 4:4:4", "avif.%s.*.avif"), ("cjxl -e 7", "jxl.%s.*.jxl"),
                           ("JPEG (libjpeg, optimized)", "jpg.%s.*.jpg")]:
            pts = []
            for f in glob.glob(os.path.join(d, pat % name)):
                png = f.rsplit(".", 1)[0] + ".png"
                if not os.path.exists(png):
                    continue
                dec = np.asarray(Image.open(png).convert("RGB"))
                pts.append((os.path.getsize(f) * 8 / px, psnr_of(dec, orig)))
            if codec.startswith("image-lossy"):
                lat = [r for r in rows if r["image"] == name and r["variant"] == "latent only"][0]
                pts.append((lat["bpp"], lat["psnr"]))
            curves[(codec, name)] = pts
        best = {}
        for r in rows:
            if r["image"] == name and not r["variant"].startswith("latent only"):
                best.setdefault("pilot: %s, r = %s" % (r["variant"], r["r"]), []).append((r["bpp"], r["psnr"]))
        for label, pts in best.items():
            curves[(label, name)] = pts
    codecs = []
    for c, _ in curves:
        if c not in codecs:
            codecs.append(c)
    rates = [0.25, 0.5, 1.0, 1.5, 2.0, 3.0]
    print("| coder | " + " | ".join("PSNR at %s bpp" % r for r in rates) + " | bpp at 40 dB |")
    print("|---|" + "---:|" * (len(rates) + 1))
    for c in codecs:
        cells = []
        for r in rates:
            v = [interp(curves[(c, n)], r, 0, 1, True) for n in names]
            cells.append("%.2f" % (sum(v) / len(v)) if all(x is not None for x in v) else "- (%d/%d)" % (sum(x is not None for x in v), len(v)))
        b = [interp([(p[1], p[0]) for p in curves[(c, n)]], 40.0, 0, 1, False) for n in names]
        cells.append("%.2f" % (sum(b) / len(b)) if all(x is not None for x in b) else "- (%d/%d)" % (sum(x is not None for x in b), len(b)))
        print("| %s | %s |" % (c, " | ".join(cells)))


def ladder(orig, base, steps, delta, use_base_ctx):
    """Embedded layers: step steps[0], then halvings. Deadzone quantizer m = floor(|c| / E);
    layer 0 codes m like `layer`, layer j > 0 codes, for each coefficient still zero, its
    significance at the new step (and sign), for each significant one the bit halving its interval.
    Reconstruction (m + delta) E. Returns [(cumulative bits, PSNR)] after each layer."""
    b, res, bc = residual(orig, base)
    zz = np.argsort(ZZ_INDEX.ravel())
    coefs, bzs = [], []
    for c in range(3):
        co = DCT @ blocks(res[:, :, c]) @ DCT.T
        by, bx = co.shape[:2]
        coefs.append(co.reshape(by, bx, 64)[:, :, zz])
        bco = DCT @ blocks(bc[:, :, c]) @ DCT.T
        bzs.append(np.abs(bco.reshape(by, bx, 64)[:, :, zz]))
    out = []
    total = 0.0
    for j, e in enumerate(steps):
        ctxs, bts, raw = [], [], 0
        rec = np.zeros_like(res)
        for c in range(3):
            cls = 0 if c == 0 else 1
            co = coefs[c]
            m = np.floor(np.abs(co) / e).astype(np.int64)
            nz = (m > 0).astype(int)
            band = np.broadcast_to(BAND, nz.shape)
            lt, prev = neighbour_sig(nz)
            bb = np.digitize(bzs[c] / e, [0.25, 1.0, 4.0]) if use_base_ctx else np.zeros_like(nz)
            sigctx = (((cls * 10 + band) * 3 + lt) * 3 + prev) * 4 + bb
            if j == 0:
                was = np.zeros_like(nz, dtype=bool)
            else:
                was = np.floor(np.abs(co) / steps[j - 1]) > 0
            # significance of the coefficients not yet significant
            ns = ~was
            ctxs.append(sigctx[ns])
            bts.append(nz[ns])
            newsig = ns & (nz == 1)
            raw += int(newsig.sum())  # signs
            if j == 0:
                mm = m[newsig] - 1
                mnb = left_top_sum(m)
                mctx = 720 * 4 + ((cls * 4 + np.minimum(band[newsig] // 3, 3)) * 4 + np.minimum(mnb[newsig], 3)) * 4 + bb[newsig]
                idx, pos, ubits, traw = unary_bins(mm)
                ctxs.append(mctx[idx] * 5 + np.minimum(pos, 4))
                bts.append(ubits)
                raw += traw
            else:
                mp = np.floor(np.abs(co[was]) / steps[j - 1]).astype(np.int64)
                rctx = 720 * 4 + 2 * 16 * 4 * 4 * 5 + (cls * 4 + np.minimum(band[was] // 3, 3)) * 3 + np.minimum(mp, 3) - 1
                ctxs.append(rctx)
                bts.append(m[was] & 1)
            q = np.sign(co) * np.where(m > 0, m + delta, 0) * e
            q = q[:, :, ZZ_INDEX.ravel()].reshape(q.shape[0], q.shape[1], N, N)
            rec[:, :, c] = unblocks(DCT.T @ q @ DCT)
        cc = np.concatenate(ctxs)
        total += kt_bits(cc, np.concatenate(bts).astype(float), int(cc.max()) + 1) + raw
        out.append((total, psnr_of(reconstruct(b, rec, orig), orig), e))
    return out


def main():
    if sys.argv[1] == "--ladder":
        d = sys.argv[2]
        for name in sys.argv[3:]:
            orig = np.asarray(Image.open(os.path.join(d, name + ".png")).convert("RGB"))
            base = np.asarray(Image.open(os.path.join(d, name + ".rec.png")).convert("RGB"))
            px = orig.shape[0] * orig.shape[1]
            lb = os.path.getsize(os.path.join(d, name + ".q80.dfc")) * 8
            for delta in [0.5, 0.4]:
                for bctx in [False, True]:
                    for bits, p, e in ladder(orig, base, [64, 32, 16, 8, 4], delta, bctx):
                        print(json.dumps({"image": name, "variant": "ladder" + ("+base" if bctx else ""), "r": delta,
                                          "D": e, "layer_bpp": bits / px, "bpp": (bits + lb) / px, "psnr": p}), flush=True)
        return
    if sys.argv[1] == "--table":
        table(sys.argv[2], sys.argv[3], sys.argv[4:])
        return
    d = sys.argv[1]
    for name in sys.argv[2:]:
        orig = np.asarray(Image.open(os.path.join(d, name + ".png")).convert("RGB"))
        base = np.asarray(Image.open(os.path.join(d, name + ".rec.png")).convert("RGB"))
        px = orig.shape[0] * orig.shape[1]
        latent_bits = os.path.getsize(os.path.join(d, name + ".q80.dfc")) * 8
        print(json.dumps({"image": name, "variant": "latent only", "bpp": latent_bits / px,
                          "psnr": psnr_of(base, orig)}), flush=True)
        flat = np.full_like(orig, 128)
        for variant, b, lb, bctx, cimg in [("ctx", base, latent_bits, False, None), ("ctx+base", base, latent_bits, True, None),
                                           ("scratch", flat, 0, False, None),
                                           ("scratch, latent image in contexts", flat, latent_bits, True, base)]:
            for step in [4, 6, 8, 12, 16, 24, 32, 48, 64, 96]:
                for roff in [0.5, 0.35]:
                    bits, psnr = layer(orig, b, step, roff, 1.0, bctx, cimg)
                    print(json.dumps({"image": name, "variant": variant, "D": step, "r": roff,
                                      "layer_bpp": bits / px, "bpp": (bits + lb) / px, "psnr": psnr}), flush=True)


if __name__ == "__main__":
    main()
