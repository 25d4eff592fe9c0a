#include "wheel/zip_reader.hpp"

#include "base/diagnostics.hpp"
#include "base/file_io.hpp"
#include "base/interrupt.hpp"
#include "base/unique_fd.hpp"

#include <libdeflate.h>
#include <zip.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

namespace aw {
std::string libzip_error_text(int code) {
    zip_error_t error;
    zip_error_init_with_code(&error, code);
    std::string text = zip_error_strerror(&error);
    zip_error_fini(&error);
    return text;
}

namespace {
// Deflate's best case is about 1032:1 (RFC 1951 block limits).
constexpr std::uint64_t kMaxDeflateRatio = 1032;

std::string open_error_text(int code) {
    std::string text = libzip_error_text(code);
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

namespace {
// The zip APPNOTE's records, read little-endian from the file with pread.
class RawZip {
public:
    RawZip(int fd, std::uint64_t size, const std::string& path) : fd_(fd), size_(size), path_(path) {}

    std::vector<unsigned char> read(std::uint64_t offset, std::size_t count, const char* what) const {
        if (!range_inside(offset, count, size_)) fail("{}: {} at {:#x} lies past the end of the file", path_, what, offset);
        std::vector<unsigned char> bytes(count);
        std::string error = read_all_at(fd_, std::as_writable_bytes(std::span(bytes)), offset);
        if (!error.empty()) fail("{}: cannot read {}: {}", path_, what, error);
        return bytes;
    }
    static std::uint64_t number(const std::vector<unsigned char>& bytes, std::size_t at, std::size_t width) {
        std::uint64_t value = 0;
        for (std::size_t i = width; i-- > 0;) value = value << 8 | bytes.at(at + i);
        return value;
    }

    // Each central-directory entry's local header offset, in central-directory order (libzip's
    // index order), found from the end-of-central-directory record (zip64 when it says so).
    struct CentralEntry {
        std::string name;  // as stored, not converted from CP437
        std::uint64_t local_header = 0;
        std::uint16_t flags = 0;  // the general purpose bit flag
    };
    // `comment` is set to the end-of-central-directory record's comment, which tells which record
    // was read when an archive holds several.
    std::vector<CentralEntry> central_entries(std::uint64_t& central_start, std::string& comment) const {
        constexpr std::size_t kEocd = 22;
        if (size_ < kEocd) fail("{}: too short for a zip archive", path_);
        std::size_t tail_size = static_cast<std::size_t>(std::min<std::uint64_t>(size_, kEocd + 0xFFFF));
        std::vector<unsigned char> tail = read(size_ - tail_size, tail_size, "the end of the archive");
        std::optional<std::size_t> eocd;
        for (std::size_t at = tail_size - kEocd + 1; at-- > 0;)
            if (number(tail, at, 4) == 0x06054b50 && at + kEocd + number(tail, at + 20, 2) <= tail_size) {
                eocd = at;
                break;
            }
        if (!eocd) fail("{}: no end-of-central-directory record", path_);
        comment.assign(tail.begin() + static_cast<std::ptrdiff_t>(*eocd + kEocd),
                       tail.begin() + static_cast<std::ptrdiff_t>(*eocd + kEocd + number(tail, *eocd + 20, 2)));
        std::uint64_t count = number(tail, *eocd + 10, 2), start = number(tail, *eocd + 16, 4);
        const bool saturated = count == 0xFFFF || start == 0xFFFFFFFF;
        const std::uint64_t locator_at = size_ - tail_size + *eocd;
        std::vector<unsigned char> locator;
        if (locator_at >= 20) locator = read(locator_at - 20, 20, "the zip64 locator");
        const bool has_locator = !locator.empty() && number(locator, 0, 4) == 0x07064b50;
        if (saturated && !has_locator) fail("{}: zip64 end-of-central-directory locator is missing", path_);
        if (has_locator) {
            // libzip and Python's zipfile follow a zip64 locator whenever there is one, other
            // readers only when the plain record's fields are all ones: found by review, a plain
            // record naming one central directory and a zip64 one naming another made each
            // reader see other bytes under the same names.
            std::vector<unsigned char> record = read(number(locator, 8, 8), 56, "the zip64 end-of-central-directory record");
            if (number(record, 0, 4) != 0x06064b50) fail("{}: zip64 end-of-central-directory record is missing", path_);
            std::uint64_t count64 = number(record, 32, 8), start64 = number(record, 48, 8);
            if ((count != 0xFFFF && count != count64) || (start != 0xFFFFFFFF && start != start64))
                fail("{}: the end-of-central-directory record and its zip64 record name different central "
                     "directories; refusing an ambiguous archive", path_);
            count = count64;
            start = start64;
        }
        central_start = start;
        std::vector<CentralEntry> entries;
        std::uint64_t at = start;
        for (std::uint64_t i = 0; i < count; ++i) {
            std::vector<unsigned char> header = read(at, 46, "a central directory header");
            if (number(header, 0, 4) != 0x02014b50) fail("{}: central directory header {} is malformed", path_, i);
            std::size_t name = number(header, 28, 2), extra = number(header, 30, 2), comment = number(header, 32, 2);
            std::uint64_t offset = number(header, 42, 4);
            if (offset == 0xFFFFFFFF) offset = zip64_local_offset(read(at + 46 + name, extra, "a zip64 extra field"),
                                                                  number(header, 24, 4) == 0xFFFFFFFF,
                                                                  number(header, 20, 4) == 0xFFFFFFFF, i);
            std::vector<unsigned char> stored = read(at + 46, name, "a member name");
            entries.push_back({std::string(stored.begin(), stored.end()), offset, static_cast<std::uint16_t>(number(header, 8, 2))});
            at += 46 + name + extra + comment;
        }
        return entries;
    }

    // Where the member's data starts: after its local header, name and extra field. Found by
    // review: libzip does not compare the local header's flags with the central entry's, so a
    // reader going by the local header could take the member as encrypted, or look for its end
    // in a data descriptor, where we do not.
    std::uint64_t data_offset(const CentralEntry& entry) const {
        std::vector<unsigned char> header = read(entry.local_header, 30, "a local file header");
        if (number(header, 0, 4) != 0x04034b50) fail("{}: no local file header at {:#x}", path_, entry.local_header);
        constexpr std::uint16_t kCompared = kEncrypted | kDataDescriptor | kStrongEncryption;
        if ((number(header, 6, 2) & kCompared) != (entry.flags & kCompared))
            fail("{}: member {}: its local header's flags ({:#06x}) disagree with its central directory entry's ({:#06x}) "
                 "on encryption or a data descriptor; refusing an ambiguous archive", path_, entry.name,
                 number(header, 6, 2), entry.flags);
        return entry.local_header + 30 + number(header, 26, 2) + number(header, 28, 2);
    }

    // A data descriptor's CRC-32 (after its optional signature) must be the central entry's: a
    // reader that streams the archive takes the descriptor's word for it.
    void check_data_descriptor(const ZipEntry& entry, std::uint64_t central_start) const {
        std::uint64_t at = entry.data_offset + entry.compressed_size;
        if (!range_inside(at, 12, central_start))
            fail("{}: member {}: its data descriptor is missing (the central directory follows its data)", path_, entry.name);
        std::vector<unsigned char> descriptor = read(at, 8, "a data descriptor");
        bool signed_crc = number(descriptor, 0, 4) == 0x08074b50 && number(descriptor, 4, 4) == entry.crc;
        if (!signed_crc && number(descriptor, 0, 4) != entry.crc)
            fail("{}: member {}: its data descriptor's CRC-32 disagrees with its central directory entry's ({:08x}); "
                 "refusing an ambiguous archive", path_, entry.name, entry.crc);
    }

    static constexpr std::uint16_t kEncrypted = 1 << 0, kDataDescriptor = 1 << 3, kStrongEncryption = 1 << 6;

private:
    // The zip64 extra field (id 1) holds, in order, only the fields whose 32-bit value is all ones.
    std::uint64_t zip64_local_offset(const std::vector<unsigned char>& extra, bool size_in_zip64,
                                     bool compressed_in_zip64, std::uint64_t entry) const {
        for (std::size_t at = 0; at + 4 <= extra.size();) {
            std::size_t id = number(extra, at, 2), length = number(extra, at + 2, 2);
            if (id == 1) {
                std::size_t field = at + 4 + (size_in_zip64 ? 8 : 0) + (compressed_in_zip64 ? 8 : 0);
                if (field + 8 > at + 4 + length || field + 8 > extra.size()) break;
                return number(extra, field, 8);
            }
            at += 4 + length;
        }
        fail("{}: central directory header {}: zip64 local header offset is missing", path_, entry);
    }

    int fd_;
    std::uint64_t size_;
    std::string path_;
};
}  // namespace

void ZipReader::Discard::operator()(zip_t* archive) const { zip_discard(archive); }

ZipReader::ZipReader(const std::string& path) : path_(path) {
    fd_ = open_regular_file(path);
    const int fd = fd_.get();
    struct stat info {};
    if (::fstat(fd, &info) != 0) fail("{}: cannot open: {}", path, std::strerror(errno));
    file_size_ = static_cast<std::uint64_t>(info.st_size);
    file_mtime_ns_ = static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec;
    UniqueFd for_libzip(::fcntl(fd, F_DUPFD_CLOEXEC, 0));
    if (!for_libzip) fail("{}: cannot open: {}", path, std::strerror(errno));
    int code = 0;
    archive_.reset(zip_fdopen(for_libzip.get(), ZIP_CHECKCONS, &code));
    if (!archive_) fail("{}: {}", path, open_error_text(code));
    static_cast<void>(for_libzip.release());  // libzip owns it now

    zip_int64_t count = zip_get_num_entries(archive_.get(), 0);
    for (zip_uint64_t index = 0; index < static_cast<zip_uint64_t>(count); ++index) {
        zip_stat_t st;
        if (zip_stat_index(archive_.get(), index, 0, &st) != 0)
            fail("{}: entry {}: {}", path, index, zip_strerror(archive_.get()));
        ZipEntry entry;
        entry.index = index;
        entry.name = st.name != nullptr ? st.name : "";
        entry.size = st.size;
        entry.compressed_size = st.comp_size;
        entry.method = st.comp_method;
        entry.crc = st.crc;
        entry.encryption = st.encryption_method;
        zip_uint8_t opsys = 0;
        zip_uint32_t attributes = 0;
        if (zip_file_get_external_attributes(archive_.get(), index, 0, &opsys, &attributes) == 0 &&
            opsys == ZIP_OPSYS_UNIX && (attributes >> 16) != 0)
            entry.unix_mode = attributes >> 16;
        index_by_name_.emplace(entry.name, entries_.size());
        entries_.push_back(std::move(entry));
    }
    locate_member_data();
}

// libzip checks each entry's local header against its central one, but not that entries stay
// apart: several central entries may point into the same compressed bytes, each under the
// deflate ratio, so a small archive inflates to any size (an "overlapping" zip bomb).
void ZipReader::locate_member_data() {
    RawZip raw(fd_.get(), file_size_, path_);
    std::uint64_t central_start = 0;
    std::string comment;
    std::vector<RawZip::CentralEntry> central = raw.central_entries(central_start, comment);
    // Found by review: an archive whose comment holds a second central directory and record
    // ending the file; libzip read the first record, this reader the last.
    int libzip_comment_size = 0;
    const char* libzip_comment = zip_get_archive_comment(archive_.get(), &libzip_comment_size, ZIP_FL_ENC_RAW);
    if (std::string(libzip_comment != nullptr ? libzip_comment : "", static_cast<std::size_t>(libzip_comment_size)) != comment)
        fail("{}: it holds more than one end-of-central-directory record; refusing an ambiguous archive", path_);
    if (central.size() != entries_.size())
        fail("{}: the central directory lists {} entries where libzip read {}; refusing an ambiguous archive", path_,
             central.size(), entries_.size());
    std::vector<std::size_t> by_offset(entries_.size());
    for (std::size_t i = 0; i < entries_.size(); ++i) {
        ZipEntry& entry = entries_[i];
        const char* raw_name = zip_get_name(archive_.get(), i, ZIP_FL_ENC_RAW);
        if (raw_name == nullptr || central[i].name != raw_name)
            fail("{}: central directory entry {} is not the one libzip read; refusing an ambiguous archive", path_, i);
        entry.local_header_offset = central[i].local_header;
        entry.data_offset = raw.data_offset(central[i]);
        if (!range_inside(entry.data_offset, entry.compressed_size, central_start))
            fail("{}: member {}: its data ({} bytes at {:#x}) runs into the central directory", path_, entry.name,
                 entry.compressed_size, entry.data_offset);
        if (central[i].flags & RawZip::kDataDescriptor) raw.check_data_descriptor(entry, central_start);
        by_offset[i] = i;
    }
    std::sort(by_offset.begin(), by_offset.end(),
              [&](std::size_t a, std::size_t b) { return entries_[a].local_header_offset < entries_[b].local_header_offset; });
    for (std::size_t k = 1; k < by_offset.size(); ++k) {
        const ZipEntry& before = entries_[by_offset[k - 1]];
        const ZipEntry& after = entries_[by_offset[k]];
        if (after.local_header_offset < before.data_offset + before.compressed_size)
            fail("{}: member {} overlaps member {} in the archive (possible zip bomb)", path_, after.name, before.name);
    }
}

const ZipEntry* ZipReader::find(const std::string& name) const {
    auto found = index_by_name_.find(name);
    return found == index_by_name_.end() ? nullptr : &entries_[found->second];
}

namespace {
struct InflaterEnd {
    void operator()(z_stream* stream) const { inflateEnd(stream); }
};

// A read or inflate buffer sized to what a member holds, up to `cap` bytes, and left unzeroed (each
// read overwrites it): most members are small, and every page a buffer touches costs a fault.
struct Block {
    Block(std::uint64_t wanted, std::size_t cap)
        : size(static_cast<std::size_t>(std::clamp<std::uint64_t>(wanted, 1, cap))),
          bytes(std::make_unique_for_overwrite<std::byte[]>(size)) {}
    std::size_t size;
    std::unique_ptr<std::byte[]> bytes;
};

struct DecompressorFree {
    void operator()(libdeflate_decompressor* decompressor) const { libdeflate_free_decompressor(decompressor); }
};
}  // namespace

void ZipReader::inflate_whole(const MemberBytes& read, const ZipEntry& entry, const ByteSink& take) const {
    Block input(entry.compressed_size, kWholeInflateLimit), output(entry.size, kWholeInflateLimit);
    std::size_t filled = 0;
    while (filled < input.size) {
        throw_if_interrupted();
        std::size_t got = read(std::span(input.bytes.get() + filled, input.size - filled));
        if (got == 0) break;
        filled += got;
    }
    std::unique_ptr<libdeflate_decompressor, DecompressorFree> decompressor(libdeflate_alloc_decompressor());
    if (!decompressor) fail("{}: member {}: cannot start libdeflate (out of memory)", path_, entry.name);
    std::size_t used = 0, produced = 0;
    switch (libdeflate_deflate_decompress_ex(decompressor.get(), input.bytes.get(), filled, output.bytes.get(),
                                             entry.size, &used, &produced)) {
        case LIBDEFLATE_SUCCESS: break;
        case LIBDEFLATE_INSUFFICIENT_SPACE:
            fail("{}: member {}: inflates past its declared size of {} bytes", path_, entry.name, entry.size);
        default: fail("{}: member {}: its deflate data is corrupt or ends early", path_, entry.name);
    }
    take(std::span<const std::byte>(output.bytes.get(), produced));
}

void ZipReader::stream_member(const MemberBytes& read, const ZipEntry& entry, bool deflated, const ByteSink& take) const {
    z_stream inflater{};
    std::unique_ptr<z_stream, InflaterEnd> inflating;
    if (deflated) {
        if (inflateInit2(&inflater, -15) != Z_OK) fail("{}: member {}: cannot start zlib", path_, entry.name);
        inflating.reset(&inflater);
    }
    Block input(std::max(entry.compressed_size, entry.size), std::size_t{1} << 18);
    Block output(deflated ? entry.size : 0, std::size_t{1} << 20);
    bool ended = !deflated;
    for (;;) {
        throw_if_interrupted();
        std::size_t got = read(std::span(input.bytes.get(), input.size));
        if (got == 0) break;
        std::span<const std::byte> block(input.bytes.get(), got);
        if (!deflated) {
            take(block);
            continue;
        }
        inflater.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(block.data()));
        inflater.avail_in = static_cast<uInt>(block.size());
        while (inflater.avail_in > 0 && !ended) {
            inflater.next_out = reinterpret_cast<Bytef*>(output.bytes.get());
            inflater.avail_out = static_cast<uInt>(output.size);
            int status = inflate(&inflater, Z_NO_FLUSH);
            if (status != Z_OK && status != Z_STREAM_END)
                fail("{}: member {}: its deflate data is corrupt ({})", path_, entry.name,
                     inflater.msg != nullptr ? inflater.msg : "zlib error");
            take(std::span<const std::byte>(output.bytes.get(), output.size - inflater.avail_out));
            ended = status == Z_STREAM_END;
        }
    }
    if (!ended) fail("{}: member {}: its deflate data ends early", path_, entry.name);
}

void ZipReader::read_compressed(const ZipEntry& entry, std::uint64_t offset, std::span<std::byte> into) const {
    if (!range_inside(offset, into.size(), entry.compressed_size))
        fail("{}: member {}: {} bytes from {} lie past its {} compressed bytes", path_, entry.name, into.size(), offset,
             entry.compressed_size);
    std::string error = read_all_at(fd_.get(), into, entry.data_offset + offset);
    if (!error.empty()) fail("{}: member {}: cannot read its data: {}", path_, entry.name, error);
}

bool ZipReader::reads_without_libzip(const ZipEntry& entry) {
    return (entry.method == ZIP_CM_STORE || entry.method == ZIP_CM_DEFLATE) && entry.encryption == 0;
}

void ZipReader::read_member(const ZipEntry& entry, const ByteSink& sink) const {
    // The member's bytes as they lie in the archive, read with pread from where the constructor
    // found and checked them, in large blocks (libzip reads 8 KiB at a time, seeking before each,
    // and checks a stored member's CRC with zlib's), inflated here and their CRC-32 checked by
    // libdeflate (several times zlib's speed); an encrypted or otherwise compressed one libzip
    // reads and checks.
    const bool raw = reads_without_libzip(entry);
    const bool deflated = raw && entry.method == ZIP_CM_DEFLATE;
    ZipFile file;
    std::uint64_t offset = 0;
    MemberBytes read;
    if (raw) {
        read = [&](std::span<std::byte> into) {
            std::size_t count = static_cast<std::size_t>(std::min<std::uint64_t>(into.size(), entry.compressed_size - offset));
            read_compressed(entry, offset, into.first(count));
            offset += count;
            return count;
        };
    } else {
        file = open_member(*this, entry);
        read = [&](std::span<std::byte> into) {
            zip_int64_t got = zip_fread(file.get(), into.data(), into.size());
            if (got < 0) fail("{}: member {}: {}", path_, entry.name, zip_file_strerror(file.get()));
            return static_cast<std::size_t>(got);
        };
    }
    std::uint64_t total = 0;
    std::uint32_t crc = 0;
    auto take = [&](std::span<const std::byte> block) {
        total += block.size();
        if (total > entry.size)
            fail("{}: member {}: inflates past its declared size of {} bytes", path_, entry.name, entry.size);
        if (raw) crc = libdeflate_crc32(crc, block.data(), block.size());
        sink(block);
    };
    if (deflated && entry.size <= kWholeInflateLimit && entry.compressed_size <= kWholeInflateLimit)
        inflate_whole(read, entry, take);
    else
        stream_member(read, entry, deflated, take);
    if (total != entry.size)
        fail("{}: member {}: holds {} bytes, its header declares {}", path_, entry.name, total, entry.size);
    if (raw && crc != entry.crc)
        fail("{}: member {}: CRC error (its bytes' CRC-32 is {:08x}, its header declares {:08x})", path_, entry.name, crc,
             entry.crc);
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

std::optional<std::string> implausible_total_size_reason(const std::vector<ZipEntry>& entries, std::uint64_t archive_size) {
    std::uint64_t total = 0;
    for (const ZipEntry& entry : entries) total = entry.size > UINT64_MAX - total ? UINT64_MAX : total + entry.size;
    if (total / kMaxDeflateRatio <= archive_size) return std::nullopt;
    return fmt::format("its members declare {} bytes in all, more than {} bytes of deflate data can hold (zip bomb?)",
                       total, archive_size);
}

}  // namespace aw
