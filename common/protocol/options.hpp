// One option table per stage: it parses the command line and writes the
// usage text, so the two cannot disagree (pax-utils' pax_usage).
//
// The rules are argparse's, which pypa auditwheel's users type: a long option
// may be shortened to any unambiguous prefix (--wheel-d for --wheel-dir), takes
// its value as --name=VALUE or as the next argument, and may come before or
// after the operands; "--" ends the options. A short option takes its value
// glued (-wDIR) or as the next argument. The whole command line is parsed
// before a stage acts on any of it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aw {

struct OptionSpec {
    std::string name;       // long name, without "--"
    char short_name = 0;    // e.g. 'w'; 0 for none
    int values = 0;         // 0: a flag; 1; 2 (--replace-needed OLD NEW)
    std::string metavar;    // "DIR", "OLD NEW"
    std::string help;       // one sentence; wrapped in the usage text
};

// What the command line said, in order.
class CommandLine {
public:
    struct Given {
        std::string name;  // the spec's long name
        std::vector<std::string> values;
    };

    // Each of these asks for an option of the table by its long name; one the table lacks (a
    // misspelled name) is a bug, which throws std::logic_error instead of reading as absent.
    bool has(std::string_view name) const;
    // The value of the last occurrence (a repeated single option: the last one wins).
    std::optional<std::string> last(std::string_view name) const;
    // Every value of every occurrence, in order.
    std::vector<std::string> all(std::string_view name) const;
    const std::vector<Given>& given() const { return given_; }
    const std::vector<std::string>& operands() const { return operands_; }
    bool help() const { return help_; }

private:
    friend class OptionTable;
    void require_known(std::string_view name) const;
    std::vector<std::string> known_;  // the table's long names
    std::vector<Given> given_;
    std::vector<std::string> operands_;
    bool help_ = false;
};

class OptionTable {
public:
    // `operands` is the synopsis' tail ("FILE..." or "< RECORDS"); `about` the
    // paragraph after it; `see` the man pages named at the end.
    OptionTable(std::string program, std::string operands, std::string about, std::vector<OptionSpec> options);

    // Throws Error (exit status 2) naming the argument at fault: an unknown
    // option, an ambiguous prefix (with its candidates), a missing value, a
    // value given to a flag. -h and --help are always known.
    CommandLine parse(int argc, const char* const* argv) const;
    // What every stage does first: parse(); for -h/--help print the usage on
    // stdout and exit 0; a stage whose operands are "< RECORDS" refuses any.
    CommandLine parse_stage_arguments(int argc, const char* const* argv) const;
    CommandLine parse(const std::vector<std::string>& arguments) const;

    std::string usage() const;
    // The long option a (possibly shortened) name means; throws as parse does.
    const OptionSpec& resolve(std::string_view given) const;

private:
    std::string program_, operands_, about_;
    std::vector<OptionSpec> options_;
};

}  // namespace aw
