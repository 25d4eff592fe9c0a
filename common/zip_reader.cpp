#include "zip_reader.hpp"

#include "diagnostics.hpp"
#include "interrupt.hpp"

#include <zip.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <sys/stat.h>

namespace aw {
namespace {
// Deflate's best case is about 1032:1 (RFC 1951 block limits).
constexpr std::uint64_t kMaxDeflateRatio = 1032;

std::string open_error_text(int code) {
    zip_error_t error;
    zip_error_init_with_code(&error, code);
    std::string text = zip_error_strerror(&error);
    zip_error_fini(&error);
    switch (code) {
        case ZIP_ER_NOZIP: return "not a zip archive";
        case ZIP_ER_EXISTS: return "two members of the archive have the same name";
        case ZIP_ER_INCONS: return "inconsistent zip archive (truncated or corrupt): " + text;
        default: return text;
    }
}

struct ZipFileCloser {
    void operator()(zip_file_t* file) const { zip_fclose(file); }
};
using ZipFile = std::unique_ptr<zip_file_t, ZipFileCloser>;

ZipFile open_member(const ZipReader& reader, const ZipEntry& entry) {
    ZipFile file(zip_fopen_index(reader.handle(), entry.index, 0));
    if (!file) fail("{}: member {}: cannot read: {}", reader.path(), entry.name, zip_strerror(reader.handle()));
    return file;
}
}  // namespace

ZipReader::ZipReader(const std::string& path) : path_(path) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) fail("{}: cannot open: {}", path, std::strerror(errno));
    if (!S_ISREG(info.st_mode)) fail("{}: not a regular file", path);
    file_size_ = static_cast<std::uint64_t>(info.st_size);
    file_mtime_ns_ = static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec;
    int code = 0;
    archive_ = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code);
    if (archive_ == nullptr) fail("{}: {}", path, open_error_text(code));

    zip_int64_t count = zip_get_num_entries(archive_, 0);
    for (zip_uint64_t index = 0; index < static_cast<zip_uint64_t>(count); ++index) {
        zip_stat_t st;
        if (zip_stat_index(archive_, index, 0, &st) != 0)
            fail("{}: entry {}: {}", path, index, zip_strerror(archive_));
        ZipEntry entry;
        entry.index = index;
        entry.name = st.name != nullptr ? st.name : "";
        entry.size = st.size;
        entry.compressed_size = st.comp_size;
        entry.method = st.comp_method;
        entry.encryption = st.encryption_method;
        zip_uint8_t opsys = 0;
        zip_uint32_t attributes = 0;
        if (zip_file_get_external_attributes(archive_, index, 0, &opsys, &attributes) == 0 &&
            opsys == ZIP_OPSYS_UNIX && (attributes >> 16) != 0)
            entry.unix_mode = attributes >> 16;
        index_by_name_.emplace(entry.name, entries_.size());
        entries_.push_back(std::move(entry));
    }
}

const ZipEntry* ZipReader::find(const std::string& name) const {
    auto found = index_by_name_.find(name);
    return found == index_by_name_.end() ? nullptr : &entries_[found->second];
}

ZipReader::~ZipReader() {
    if (archive_ != nullptr) zip_discard(archive_);
}

void ZipReader::read_member(const ZipEntry& entry, const ByteSink& sink) const {
    ZipFile file = open_member(*this, entry);
    std::array<std::byte, 1 << 16> buffer;
    std::uint64_t total = 0;
    for (;;) {
        throw_if_interrupted();
        zip_int64_t got = zip_fread(file.get(), buffer.data(), buffer.size());
        if (got < 0) fail("{}: member {}: {}", path_, entry.name, zip_file_strerror(file.get()));
        if (got == 0) break;
        total += static_cast<std::uint64_t>(got);
        if (total > entry.size)
            fail("{}: member {}: inflates past its declared size of {} bytes", path_, entry.name, entry.size);
        sink(std::span(buffer.data(), static_cast<std::size_t>(got)));
    }
    if (total != entry.size)
        fail("{}: member {}: holds {} bytes, its header declares {}", path_, entry.name, total, entry.size);
}

std::vector<std::byte> ZipReader::read_head(const ZipEntry& entry, std::size_t count) const {
    ZipFile file = open_member(*this, entry);
    std::vector<std::byte> head(count);
    std::size_t filled = 0;
    while (filled < count) {
        zip_int64_t got = zip_fread(file.get(), head.data() + filled, count - filled);
        if (got < 0) fail("{}: member {}: {}", path_, entry.name, zip_file_strerror(file.get()));
        if (got == 0) break;
        filled += static_cast<std::size_t>(got);
    }
    head.resize(filled);
    return head;
}

std::optional<std::string> implausible_size_reason(const ZipEntry& entry, std::uint64_t archive_size) {
    if (entry.compressed_size > archive_size)
        return fmt::format("declares {} compressed bytes in an archive of {} bytes", entry.compressed_size, archive_size);
    if (entry.method == ZIP_CM_STORE && entry.size != entry.compressed_size)
        return fmt::format("stored member declares {} bytes but holds {}", entry.size, entry.compressed_size);
    if (entry.method == ZIP_CM_DEFLATE && entry.size / kMaxDeflateRatio > entry.compressed_size + 1)
        return fmt::format("declares {} bytes from {} compressed bytes, more than deflate can expand (zip bomb?)",
                           entry.size, entry.compressed_size);
    return std::nullopt;
}

}  // namespace aw
