// libFuzzer target over the wheel's text files: RECORD (CSV), WHEEL and METADATA (RFC 822
// headers), and the wheel file name. Each is parsed or refused with an aw::Error.
#include "base/diagnostics.hpp"
#include "wheel/record_file.hpp"
#include "wheel/wheel_metadata.hpp"
#include "wheel/wheel_name.hpp"

#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    std::vector<aw::RecordRow> rows;
    try {
        rows = aw::parse_record_file(text, "RECORD");
    } catch (const aw::Error&) {
    }
    // What whl-pack writes, whl-unpack reads back as it was.
    auto again = aw::parse_record_file(aw::format_record_file(rows), "RECORD");
    if (again.size() != rows.size()) std::abort();
    for (std::size_t i = 0; i < rows.size(); ++i)
        if (again[i].path != rows[i].path || again[i].hash != rows[i].hash || again[i].size != rows[i].size) std::abort();
    try {
        aw::WheelMetadata::parse(text, "WHEEL").serialize();
    } catch (const aw::Error&) {
    }
    try {
        aw::parse_wheel_filename(std::string(text.substr(0, 512)));
    } catch (const aw::Error&) {
    }
    return 0;
}
