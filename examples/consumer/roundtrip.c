/* A program that uses diffcomp as an installed dependency (pkg-config or find_package): checks
 * the library version, compresses bytes (lzw) and an 8x8 gradient image (image-lossless, with the
 * shipped model the library finds relative to itself), decompresses both and compares.
 * Build: cc roundtrip.c $(pkg-config --cflags --libs diffcomp)   (README, "Use as a library") */
#include <diffcomp/diffcomp.h>
#include <stdio.h>
#include <string.h>

static int round_trip(const dc_content* c, dc_codec codec) {
  dc_params p;
  dc_params_init(&p);
  p.codec = codec;
  p.threads = 1;
  dc_buffer out = {0};
  dc_error e = dc_compress(c, &p, &out, NULL);
  if (e != DC_OK) {
    fprintf(stderr, "compress (%s): %s: %s\n", dc_codec_name(codec), dc_error_name(e), dc_last_error_message());
    return 1;
  }
  dc_decoded d;
  memset(&d, 0, sizeof(d));
  dc_content_init(&d.content);
  e = dc_decompress(out.data, out.size, &p, &d);
  int bad = e != DC_OK || d.content.size != c->size || memcmp(d.content.data, c->data, c->size) != 0;
  printf("%s: %zu -> %zu bytes, %s\n", dc_codec_name(codec), c->size, out.size, bad ? "MISMATCH" : "round trip ok");
  dc_decoded_free(&d);
  dc_buffer_free(&out);
  return bad;
}

int main(void) {
  if (!dc_version_ok()) {
    fprintf(stderr, "libdiffcomp %u does not serve this header (%s)\n", dc_version_number(), DC_VERSION_STRING);
    return 1;
  }
  const char* text = "diffcomp as a dependency: diffcomp as a dependency: diffcomp as a dependency.";
  dc_content bytes;
  dc_content_init(&bytes);
  bytes.kind = DC_KIND_BYTES;
  bytes.format = DC_FORMAT_RAW;
  bytes.data = (const uint8_t*)text;
  bytes.size = strlen(text);
  uint8_t px[8 * 8 * 3];
  for (int i = 0; i < 8 * 8 * 3; ++i) px[i] = (uint8_t)(i * 3 % 251);
  dc_content img;
  dc_content_init(&img);
  img.kind = DC_KIND_IMAGE;
  img.format = DC_FORMAT_PNG;
  img.data = px;
  img.size = sizeof(px);
  img.width = 8;
  img.height = 8;
  img.channels = 3;
  img.bit_depth = 8;
  return round_trip(&bytes, DC_CODEC_LZW) | round_trip(&img, DC_CODEC_IMAGE_LOSSLESS);
}
