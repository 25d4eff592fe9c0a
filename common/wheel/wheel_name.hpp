// Wheel file names (PEP 427 / PEP 491): name-version(-build)?-python-abi-platform.whl
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aw {

struct WheelName {
    std::string name;
    std::string version;
    std::optional<std::string> build;
    // Each compressed tag set expanded ("cp311.cp312" -> {"cp311", "cp312"}).
    std::vector<std::string> python;
    std::vector<std::string> abi;
    std::vector<std::string> platform;
    // Everything before the platform tags, kept as written so a retag only
    // changes the last component (as pypa auditwheel does).
    std::string prefix;

    std::string filename_with_platforms(const std::vector<std::string>& platforms) const;
};

// Parses the last component of `path`; throws Error naming `path` and what
// is wrong with its name.
WheelName parse_wheel_filename(std::string_view path);

// A compressed tag set: sorted, unique, joined with '.'.
std::string compress_tags(std::vector<std::string> tags);

}  // namespace aw
