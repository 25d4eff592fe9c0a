// The zip side of whl-pack: a new wheel written through libzip, with sources of our own where
// libzip's would compress twice, read or write 4 KiB at a time, or need bytes not yet known.
#pragma once

#include "wheel/parallel_deflate.hpp"
#include "wheel/zip_reader.hpp"

#include <zip.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <string>

namespace aw {

class WheelWriter {
public:
    // Writes `file`, which must not exist yet (whl-pack writes it in a staging directory of its
    // own); messages name it `shown_as`, where it goes once complete. Members get `mtime` and
    // new ones deflate `level` (0 stores) on `threads`. Writing stops early when `give_up`
    // becomes true or a signal is pending.
    WheelWriter(const std::string& file, const std::string& shown_as, std::int64_t mtime, int level, unsigned threads,
                const std::atomic<bool>& give_up);
    WheelWriter(const WheelWriter&) = delete;
    WheelWriter& operator=(const WheelWriter&) = delete;

    void add_directory(const std::string& name);
    // The member as `original` holds it, compressed bytes, method, sizes and CRC unchanged. Its
    // content is not checked here (whl-pack's CopyVerifier does that).
    void add_raw_copy(const std::string& name, const ZipReader& original, const ZipEntry& entry, std::uint32_t mode);
    // A file of the work directory of `size` bytes, compressed anew.
    void add_file(const std::string& name, const std::string& path, std::uint32_t mode, std::uint64_t size);
    void add_bytes(const std::string& name, std::string bytes, std::uint32_t mode);
    // A member whose bytes `make` gives when libzip comes to write it, after every member added
    // before it: RECORD, which needs every hash. What `make` throws, commit() throws.
    void add_deferred(const std::string& name, std::function<std::string()> make, std::uint32_t mode);

    // Writes the archive into `file`; throws Error (or what a deferred member threw) on failure,
    // leaving the caller to remove what was written.
    void commit();

private:
    struct Discard {
        void operator()(zip_t* archive) const { zip_discard(archive); }
    };
    void check(zip_int64_t result, const std::string& name);
    zip_uint64_t add(const std::string& name, zip_source_t* source, std::uint32_t mode);
    void set_new_member_compression(zip_uint64_t index, const std::string& name);
    void finish_entry(zip_uint64_t index, const std::string& name, std::uint32_t st_mode, std::uint32_t dos_attributes);

    std::string path_;
    std::int64_t mtime_;
    int level_;
    DeflatePipeline pipeline_;  // before archive_: libzip's sources use it until the archive is closed or discarded
    std::unique_ptr<zip_t, Discard> archive_;
    std::deque<std::string> buffers_;  // generated members, alive until commit
    std::exception_ptr source_failure_;  // what one of our sources threw while libzip used it
};

}  // namespace aw
