// The dist-info WHEEL file (RFC 822-style headers) and platform retagging.
#pragma once

#include "protocol/records.hpp"
#include "wheel/wheel_name.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aw {

class WheelMetadata {
public:
    // Throws Error (prefixed with `where`) on a line that is not a header.
    static WheelMetadata parse(std::string_view text, std::string_view where);

    std::vector<std::string> all(std::string_view name) const;
    std::optional<std::string> first(std::string_view name) const;
    void remove_all(std::string_view name);
    void append(std::string name, std::string value);
    // Headers one per line, then a blank line, as Python's email generator writes them.
    std::string serialize() const;

    const std::vector<std::pair<std::string, std::string>>& headers() const { return headers_; }

private:
    std::vector<std::pair<std::string, std::string>> headers_;
};

// A change of platform tags: `add` in order, `remove` dropped (a "retag" record).
struct Retag {
    std::vector<std::string> add;
    std::vector<std::string> remove;
};

// The retag record (auditwheel-records(7)); reading throws Error naming the record's line when
// a field is not a list of names.
Json record_json(const Retag& retag);
Retag read_retag(const Record& record);

struct RetagResult {
    std::vector<std::string> platforms;      // for the file name, in order
    std::optional<WheelMetadata> metadata;   // set only when WHEEL must change
    std::vector<std::string> log;            // pypa's INFO lines for it, in its order and words
};

// pypa auditwheel 6.8.1's add_platforms, applied once per retag in order.
RetagResult apply_retags(const WheelName& name, const WheelMetadata& metadata, const std::vector<Retag>& retags);

}  // namespace aw
