// Whole-file reading and atomic writing (temp file in the same directory, fsync, rename), so that
// an error never leaves a partial output file and the input is never touched.
#ifndef DIFFCOMP_EXTRAS_FILE_IO_H_
#define DIFFCOMP_EXTRAS_FILE_IO_H_

#include <cstdint>
#include <string>
#include <vector>

#include "diffcomp/status.h"

namespace dc::extras {

// Reads a whole file. DC_ERR_IO if it cannot be opened or read; DC_ERR_TOO_LARGE past max_bytes.
StatusOr<std::vector<uint8_t>> ReadFile(const std::string& path,
                                        uint64_t max_bytes = DC_MAX_BYTES_INPUT);

// Writes `data` to `path` atomically: writes "<path>.<random>.tmp" beside it, then renames.
// With overwrite=false an existing path is DC_ERR_EXISTS (checked before writing and made
// race-free with link()/O_EXCL semantics where possible). On error nothing is left behind.
// A path that names a device, FIFO or socket (IsSpecialFile, e.g. /dev/null) is written in
// place, with or without overwrite: renaming a file over it would replace the node itself.
Status WriteFileAtomic(const std::string& path, const uint8_t* data, size_t size, bool overwrite);

bool FileExists(const std::string& path);

// True if `path` exists (following symlinks) and is neither a regular file nor a directory.
bool IsSpecialFile(const std::string& path);

}  // namespace dc::extras

#endif  // DIFFCOMP_EXTRAS_FILE_IO_H_
