// libFuzzer target over the record protocol: the line reader and every codec of a kind some stage
// reads (through the protocol's table), and the stages' readings of whole streams (policy-check,
// lib-graft, whl-pack). A stage turns an input's exception into one line and exit 1 (run_stage),
// so only a crash, a sanitizer report, a hang or a std::logic_error (a stage reading a field the
// table lacks: a bug) is a finding.
#include "base/diagnostics.hpp"
#include "edit/elf_edit_record.hpp"
#include "elf/elf_record.hpp"
#include "elf/symvers_record.hpp"
#include "graft/graft.hpp"
#include "graft/graft_plan.hpp"
#include "policy/analysis_input.hpp"
#include "protocol/records.hpp"
#include "protocol/wheel_record.hpp"
#include "wheel/member_record.hpp"
#include "wheel/pack.hpp"
#include "wheel/wheel_metadata.hpp"

#include <cstdlib>
#include <exception>
#include <new>
#include <sstream>
#include <stdexcept>

namespace {
template <typename Read>
void refused_or_read(Read read) {
    try {
        read();
    } catch (const std::bad_alloc&) {
        std::abort();  // a small input must not need much memory
    } catch (const std::logic_error&) {
        std::abort();  // a bug of ours, not the input's fault
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
        if (kind == "member") refused_or_read([&] { aw::read_member_record(record); });
        if (kind == "elf") refused_or_read([&] { aw::read_elf_record(record); });
        if (kind == "library") refused_or_read([&] { aw::read_library_record(record); });
        if (kind == "symvers") refused_or_read([&] { aw::read_symvers_record(record); });
        if (kind == "graft_plan") refused_or_read([&] { aw::read_graft_plan(record); });
        if (kind == "elf_edit") refused_or_read([&] { aw::read_elf_edit_record(record); });
        if (kind == "retag") refused_or_read([&] { aw::read_retag(record); });
    }
    aw::GraftTarget target;
    for (const aw::Record& record : records) refused_or_read([&] { aw::take_record(target, record); });
    refused_or_read([&] { aw::read_analysis_input(records); });
    refused_or_read([&] { aw::read_pack_input(records); });
    return 0;
}
