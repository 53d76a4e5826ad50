/* diffcomp: compression with diffusion models. Public C API.
 *
 * This header is the library's only public surface. No C++, libtorch or exception type crosses
 * it. Every function returns a dc_error (or fills one); errors carry a stable code and a message
 * (dc_last_error_message is thread-local).
 *
 * ABI (CHANGELOG.md lists every change): libdiffcomp.so.DC_ABI_VERSION exports the dc_ functions
 * below and nothing else. The input structs that may grow, dc_params and dc_content, start with a
 * struct_size field: dc_params_init / dc_content_init set it to the size this header gives them
 * (or leave it 0, which means the first layout of ABI 0, i.e. release 0.2.0). The library reads
 * only the caller's struct_size bytes and uses the defaults for fields it was not given, so a
 * program built against an older header keeps working with a newer library; a newer program
 * that sets a field an older library does not know gets DC_ERR_INVALID_ARGUMENT (a zero value
 * in an unknown field is accepted). New fields are only ever added at the end, and 0 always
 * means "not set". dc_decoded keeps its dc_content last so it grows the same way. The output
 * structs (dc_stats, dc_info, dc_video_info, dc_model_info) never change in place: more output
 * comes as a new struct and function. Check the version at start-up with dc_version_ok().
 *
 * Untrusted input: dc_decompress validates every length, index and table of the container and the
 * payload against the limits below; a bad file yields an error code, never a crash.
 */
#ifndef DIFFCOMP_DIFFCOMP_H_
#define DIFFCOMP_DIFFCOMP_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DC_VERSION_MAJOR 0
#define DC_VERSION_MINOR 2
#define DC_VERSION_PATCH 0
#define DC_VERSION_STRING "0.2.0"
/* major*10000 + minor*100 + patch, as dc_version_number() returns it. */
#define DC_VERSION_NUMBER (DC_VERSION_MAJOR * 10000 + DC_VERSION_MINOR * 100 + DC_VERSION_PATCH)
/* The shared library's ABI version: its SONAME is libdiffcomp.so.DC_ABI_VERSION. */
#define DC_ABI_VERSION 0

/* Error codes. Values are pinned: never renumbered, never reused. They are also the CLI's exit
 * codes (see README). */
typedef enum {
  DC_OK = 0,
  DC_ERR_INVALID_ARGUMENT = 2,   /* bad parameter or usage */
  DC_ERR_IO = 3,                 /* cannot read or write a file */
  DC_ERR_UNSUPPORTED_FORMAT = 4, /* input type or variant not supported (e.g. 16-bit PNG) */
  DC_ERR_TOO_LARGE = 5,          /* dimensions or sizes beyond the stated limits */
  DC_ERR_BAD_MAGIC = 6,          /* not a diffcomp file */
  DC_ERR_UNSUPPORTED_VERSION = 7,/* container version or codec revision this build cannot read */
  DC_ERR_RESERVED_BITS = 8,      /* reserved header bits set */
  DC_ERR_TRUNCATED = 9,          /* data ends early */
  DC_ERR_CORRUPT = 10,           /* inconsistent fields or payload */
  DC_ERR_CHECKSUM = 11,          /* decoded content does not match the stored checksum */
  DC_ERR_UNKNOWN_CODEC = 12,     /* codec id or name not known to this build */
  DC_ERR_MODEL_MISMATCH = 13,    /* file was made with a different model (fingerprint differs) */
  DC_ERR_MODEL_NOT_FOUND = 14,   /* model file missing or unreadable */
  DC_ERR_OUT_OF_MEMORY = 15,
  DC_ERR_EXISTS = 16,            /* output exists and overwrite was not allowed (CLI) */
  DC_ERR_INTERNAL = 17,          /* a bug: please report */
  DC_ERROR_FORCE_32BIT = 0x7FFFFFFF /* not an error: makes any int value a valid dc_error */
} dc_error;

/* Stable short name of an error ("truncated", ...). Never NULL. */
const char* dc_error_name(dc_error e);
/* Message of the last error on this thread, or "" . Never NULL. */
const char* dc_last_error_message(void);

/* Codec ids. Pinned values, append-only; a retired id is marked removed and never reused. */
typedef enum {
  DC_CODEC_STORE = 0,          /* bytes stored verbatim */
  DC_CODEC_HUFFMAN = 1,        /* canonical order-0 Huffman over bytes */
  DC_CODEC_LZW = 2,            /* LZW, 9..16-bit codes, dictionary reset */
  DC_CODEC_IMAGE_LOSSLESS = 3, /* absorbing-state diffusion + rANS, 8-bit images */
  DC_CODEC_SIGNAL_LOSSLESS = 4,/* absorbing-state diffusion + rANS, integer 1-D signals */
  DC_CODEC_IMAGE_LOSSY = 5,    /* Gaussian diffusion + reverse channel coding, 8-bit images */
  DC_CODEC_SIGNAL_LOSSY = 6,   /* Gaussian diffusion + reverse channel coding, 1-D signals */
  DC_CODEC_VIDEO_LOSSLESS = 7, /* image-lossless per Y/U/V plane, conditioned on the previous frame */
  DC_CODEC_VIDEO_LOSSY = 8,    /* image-lossy per frame, prior conditioned on the previous reconstruction */
  DC_CODEC_FORCE_32BIT = 0x7FFFFFFF /* not a codec: makes any int value a valid dc_codec */
} dc_codec;

/* Name <-> id. dc_codec_from_name returns DC_ERR_UNKNOWN_CODEC for an unknown name. */
const char* dc_codec_name(dc_codec c);
dc_error dc_codec_from_name(const char* name, dc_codec* out);

/* What the original file was, so that decompress can restore it. Pinned values. */
typedef enum {
  DC_FORMAT_RAW = 0, /* arbitrary bytes, restored exactly */
  DC_FORMAT_PNG = 1, /* restored as a PNG with identical pixels */
  DC_FORMAT_PPM = 2, /* binary PPM (P6), restored with a canonical header */
  DC_FORMAT_PGM = 3, /* binary PGM (P5), restored with a canonical header */
  DC_FORMAT_WAV = 4,       /* RIFF WAV, PCM; restored byte for byte (header kept as side data) */
  DC_FORMAT_WFDB = 5,      /* WFDB format-212 record (.hea + .dat), restored byte for byte */
  DC_FORMAT_CSV = 6,       /* numeric CSV table, restored byte for byte */
  DC_FORMAT_RAW_S16LE = 7, /* headerless little-endian int16 samples */
  DC_FORMAT_RAW_S32LE = 8, /* headerless little-endian int32 samples */
  DC_FORMAT_Y4M = 9,       /* YUV4MPEG2, 8-bit 4:2:0 or 4:4:4; restored byte for byte */
  DC_FORMAT_RAW_I420 = 10, /* headerless planar 8-bit 4:2:0 frames (I420); restored byte for byte */
  DC_FORMAT_FORCE_32BIT = 0x7FFFFFFF
} dc_format;

/* Kinds of content a codec takes. */
typedef enum {
  DC_KIND_BYTES = 0, /* data/size: a byte string */
  DC_KIND_IMAGE = 1, /* data: interleaved 8-bit pixels, row-major, width*height*channels bytes */
  DC_KIND_SIGNAL = 2, /* data: int32 samples (native endian), frame-major: frames*channels values;
                         size in bytes; width = frames, channels, bit_depth = significant bits */
  DC_KIND_VIDEO = 3, /* data: frames one after another, each its Y, U, V planes (row-major, 8-bit);
                        width, height (luma), frames, chroma (420 or 444); channels 3, bit_depth 8 */
  DC_KIND_FORCE_32BIT = 0x7FFFFFFF
} dc_kind;

/* Limits on what the library accepts (and what a decoder believes from a header). */
#define DC_MAX_IMAGE_DIM 65535u
#define DC_MAX_IMAGE_PIXELS (1ull << 28) /* 268 M pixels, e.g. 16384 x 16384 */
#define DC_MAX_BYTES_INPUT (1ull << 32)  /* 4 GiB */

/* Content handed to or returned by the codecs. For DC_KIND_IMAGE, channels is 1 (gray), 3 (RGB)
 * or 4 (RGBA) and bit_depth 8. */
typedef struct {
  uint32_t struct_size; /* sizeof(dc_content), set by dc_content_init (0: the 0.2.0 layout) */
  dc_kind kind;
  dc_format format; /* original file type, recorded in the container */
  const uint8_t* data;
  size_t size;
  uint32_t width, height, channels, bit_depth;
  /* Side data the format layer needs to rebuild the original file (e.g. a WAV header, a WFDB
   * .hea text, a CSV layout); stored verbatim in the container. May be NULL/0. */
  const uint8_t* side;
  size_t side_size;
  uint32_t frames; /* DC_KIND_VIDEO: number of frames */
  uint32_t chroma; /* DC_KIND_VIDEO: 420 or 444 */
  /* New fields go here, at the end (ABI: see the top of this file). */
} dc_content;

/* Zeroes *c and sets c->struct_size. */
void dc_content_init(dc_content* c);

/* Compression parameters. Initialise with dc_params_init. */
typedef struct {
  uint32_t struct_size;   /* sizeof(dc_params), set by dc_params_init (0: the 0.2.0 layout) */
  dc_codec codec;
  int threads;            /* worker threads; 0 = all cores. Never changes the output bytes. */
  uint32_t tile_size;     /* image codecs: tile side in pixels (0 = default 256) */
  const char* model_path; /* model file, or NULL for the shipped default */
  /* Progress callback (may be NULL): done/total work units. Called from the calling thread. */
  void (*progress)(void* opaque, uint64_t done, uint64_t total);
  void* progress_opaque;
  /* Lossy codecs (0 = not set; the codec documents its default and which one wins). */
  double bpp;             /* image-lossy: target bits per pixel; video-lossy: bits per luma pixel
                             per frame, on average */
  double quality;         /* image-lossy, video-lossy: quality on the codec's documented scale */
  double snr_db;          /* signal-lossy: target signal-to-noise ratio in dB */
  double bits_per_sample; /* signal-lossy: target bits per sample */
  uint32_t keyint;        /* video: keyframe interval in frames (0 = default 30) */
  /* Bytes a compression or decompression may hold (0 = the default, 2 GiB). When the work fits
   * only with fewer threads than `threads`, it runs with fewer (the output never depends on the
   * thread count); a file or input that needs more even on one thread fails with
   * DC_ERR_TOO_LARGE naming the need, before it is decoded.
   * Not part of the struct_size 0 layout: read only when struct_size covers it. */
  uint64_t memory_limit;
  /* New fields go here, at the end (ABI: see the top of this file). */
} dc_params;

/* Sets the defaults (codec image-lossless, everything else 0 = not set) and p->struct_size. */
void dc_params_init(dc_params* p);

/* A buffer owned by the library; release with dc_buffer_free. */
typedef struct {
  uint8_t* data;
  size_t size;
} dc_buffer;
void dc_buffer_free(dc_buffer* b);

/* Figures about one compression (optional output of dc_compress). */
typedef struct {
  double model_nll_bits; /* the model's negative log-likelihood of the content in bits (float
                            mixture, as in training); 0 for codecs without a model */
  double model_bits;     /* -log2 of the quantised probabilities actually coded */
  double level_nll_bits[24]; /* image-lossless: model NLL per pyramid level (0 = full
                                resolution; the 1x1 base and alpha flags are in the last level) */
  double stage_nll_bits[3];  /* image-lossless: model NLL per stage, all levels */
  uint64_t payload_size; /* bytes of codec payload */
  uint64_t container_size;
} dc_stats;

/* Compresses content into a container (.dfc bytes). stats may be NULL.
 * @return DC_OK, or an error code (out is then left empty). */
dc_error dc_compress(const dc_content* in, const dc_params* params, dc_buffer* out,
                     dc_stats* stats);

/* Decoded content, owned by the library; release with dc_decoded_free. Zero it (or call
 * dc_content_init on .content) before dc_decompress: content.struct_size tells the library how
 * much of content it may fill. */
typedef struct {
  uint8_t* storage_;
  dc_content content; /* content.data points into storage owned by this struct; last (it grows) */
} dc_decoded;
void dc_decoded_free(dc_decoded* d);

/* Decompresses a container. params may be NULL (defaults: all cores, shipped model); only
 * threads, model_path and progress are read. Verifies the content checksum.
 * @return DC_OK, or an error code (out is then left empty). */
dc_error dc_decompress(const uint8_t* data, size_t size, const dc_params* params,
                       dc_decoded* out);

/* Header facts of a container, without decoding the payload. */
typedef struct {
  uint32_t version_major, version_minor; /* container version */
  dc_codec codec;
  uint32_t revision;          /* the codec's bitstream revision (1 for container 1.0 files) */
  dc_format format;
  dc_kind kind;
  uint32_t model_id;          /* 0 = no model */
  uint32_t model_fingerprint; /* first 4 bytes of SHA-256 of the model file's weights section */
  uint64_t original_size;     /* bytes (DC_KIND_BYTES) or width*height*channels */
  uint32_t width, height, channels, bit_depth;
  uint64_t payload_size;
  uint64_t container_size;
} dc_info;

dc_error dc_read_info(const uint8_t* data, size_t size, dc_info* out);

/* Video: decoding frame by frame (memory: a few frames whatever the length), any range. */
typedef struct dc_video_decoder dc_video_decoder;
typedef struct {
  uint32_t width, height, chroma; /* chroma: 420 or 444 */
  uint64_t frames;
  uint32_t keyint;                /* frame i is a keyframe iff i % keyint == 0 */
  uint64_t frame_bytes;           /* bytes of one decoded frame (Y, U, V planes) */
  dc_format format;
  const uint8_t* side;            /* the format layer's side data (owned by the decoder) */
  size_t side_size;
} dc_video_info;
/* Opens a video-lossless or video-lossy container. `data` must stay valid until dc_video_decoder_free. params
 * as dc_decompress (threads, model_path); the model is loaded at the first decoded frame, so
 * that the index can be read without it. */
dc_error dc_video_decoder_open(const uint8_t* data, size_t size, const dc_params* params, dc_video_decoder** out);
dc_error dc_video_decoder_info(const dc_video_decoder* d, dc_video_info* out);
/* Coded bytes of frame i (from the frame index). */
dc_error dc_video_frame_coded_size(const dc_video_decoder* d, uint64_t frame, uint64_t* bytes);
/* Decodes frame i into out (out_size >= frame_bytes). The next frame is cheap; any other frame
 * decodes from the keyframe at or before it. The frame's CRC-32 is verified (DC_ERR_CHECKSUM):
 * video-lossless checks the decoded planes, video-lossy the frame's coded data. */
dc_error dc_video_decode_frame(dc_video_decoder* d, uint64_t frame, uint8_t* out, size_t out_size);
/* After every frame was decoded in order from frame 0: checks the container's checksum of the
 * whole content (video-lossless; video-lossy: of the payload) (DC_ERR_CHECKSUM); otherwise
 * DC_ERR_INVALID_ARGUMENT. */
dc_error dc_video_decoder_verify_all(const dc_video_decoder* d);
void dc_video_decoder_free(dc_video_decoder* d);

/* Cuts a progressive (lossy) container to at most `rate` in the codec's unit: bits per pixel
 * for image-lossy, bits per sample (all channels) for signal-lossy, counting the whole
 * container. The result keeps the longest prefix of whole diffusion-step segments that fits
 * (never a partial one) and is itself a valid container (its payload CRC-32 is recomputed).
 * The input's payload checksum is verified first (DC_ERR_CHECKSUM).
 * @return DC_OK; DC_ERR_INVALID_ARGUMENT if the codec is not progressive, rate is not a positive
 * number, or rate is below the file's minimum (container fields and codec header; the message
 * names it); container/payload errors as dc_decompress. out is left empty on error. */
dc_error dc_truncate(const uint8_t* data, size_t size, double rate, dc_buffer* out);
/* As dc_truncate, with params for the decode that a container 2.0 file's checksum of the
 * decoded content needs (model_path, threads, memory_limit; NULL: defaults). */
dc_error dc_truncate_with(const uint8_t* data, size_t size, double rate, const dc_params* params,
                          dc_buffer* out);

/* Shipped / loadable models. */
typedef struct {
  uint32_t model_id;
  uint32_t fingerprint;
  char name[64];
  char codec[32];
  uint64_t parameters;
  uint64_t macs_per_pixel; /* network multiply-adds per image pixel (per sample for signal codecs), all levels and stages */
  char path[512];
} dc_model_info;

/* Describes the model at path (or the default model of `codec` if path is NULL). */
dc_error dc_model_describe(dc_codec codec, const char* path, dc_model_info* out);

/* The library version, for a header/library check at start-up. */
uint32_t dc_version_number(void); /* major*10000 + minor*100 + patch */
uint32_t dc_abi_version(void);    /* DC_ABI_VERSION of the library */
/* True when the library that was loaded can serve a program built with this header: the same
 * ABI, and a release at least as new as the header. */
static inline int dc_version_ok(void) {
  return dc_abi_version() == DC_ABI_VERSION && dc_version_number() >= DC_VERSION_NUMBER;
}

#ifdef __cplusplus
}
#endif
#endif /* DIFFCOMP_DIFFCOMP_H_ */
