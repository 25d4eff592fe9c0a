// libFuzzer target over the record protocol: the line reader and every stage's reading of the
// records it uses (the wheel record, policy-check, lib-graft, rpath-set, whl-pack). A stage turns any exception
// into one line and exit 1 (run_stage), so only a crash, a sanitizer report or a hang is a bug.
#include "base/diagnostics.hpp"
#include "edit/elf_edit_record.hpp"
#include "graft/graft.hpp"
#include "policy/analysis_input.hpp"
#include "protocol/records.hpp"
#include "protocol/stage_stream.hpp"
#include "wheel/pack.hpp"
#include "wheel/wheel_metadata.hpp"

#include <exception>
#include <new>
#include <sstream>

namespace {
template <typename Read>
void refused_or_read(Read read) {
    try {
        read();
    } catch (const std::bad_alloc&) {
        std::abort();  // a small input must not need much memory
    } catch (const std::exception&) {
        // one line and exit 1 in a stage
    }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
    std::vector<aw::Record> records;
    refused_or_read([&] { records = aw::RecordReader(in).read_all(); });
    for (const aw::Record& record : records) {
        std::string kind;
        refused_or_read([&] { kind = record.kind(); });
        if (kind == "wheel") refused_or_read([&] { aw::read_wheel_record(record); });
        if (kind == "graft_plan") refused_or_read([&] { aw::read_graft_plan(record.value); });
        if (kind == "elf_edit") refused_or_read([&] { aw::dynamic_edits_from_record(record.value); });
        if (kind == "retag") refused_or_read([&] { aw::read_retag(record.value); });
    }
    refused_or_read([&] { aw::read_analysis_input(records); });
    refused_or_read([&] { aw::read_pack_input(records); });
    return 0;
}
