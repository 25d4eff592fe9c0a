#include "protocol/options.hpp"

#include "base/diagnostics.hpp"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <stdexcept>

namespace aw {
namespace {
constexpr std::size_t kWidth = 100;
constexpr std::size_t kHelpColumn = 30;

std::string words(const OptionSpec& spec) {
    std::string text = "--" + spec.name;
    if (!spec.metavar.empty()) text += " " + spec.metavar;
    return text;
}

// Appends `text` to `out`, wrapped at kWidth, continuation lines indented by `indent`.
void wrap(std::string& out, std::string_view text, std::size_t first_column, std::size_t indent) {
    std::size_t column = first_column;
    bool first = true;
    while (!text.empty()) {
        std::size_t end = text.find(' ');
        std::string_view word = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
        if (!first && column + 1 + word.size() > kWidth) {
            out += "\n" + std::string(indent, ' ');
            column = indent;
        } else if (!first) {
            out += ' ';
            ++column;
        }
        out += word;
        column += word.size();
        first = false;
    }
}
}  // namespace

void CommandLine::require_known(std::string_view name) const {
    if (std::find(known_.begin(), known_.end(), name) == known_.end())
        throw std::logic_error("the stage asks for --" + std::string(name) + ", which its option table lacks");
}

bool CommandLine::has(std::string_view name) const {
    require_known(name);
    return std::any_of(given_.begin(), given_.end(), [&](const Given& g) { return g.name == name; });
}

std::optional<std::string> CommandLine::last(std::string_view name) const {
    require_known(name);
    for (auto it = given_.rbegin(); it != given_.rend(); ++it)
        if (it->name == name && !it->values.empty()) return it->values.front();
    return std::nullopt;
}

std::vector<std::string> CommandLine::all(std::string_view name) const {
    require_known(name);
    std::vector<std::string> values;
    for (const Given& g : given_)
        if (g.name == name) values.insert(values.end(), g.values.begin(), g.values.end());
    return values;
}

OptionTable::OptionTable(std::string program, std::string operands, std::string about, std::vector<OptionSpec> options)
    : program_(std::move(program)), operands_(std::move(operands)), about_(std::move(about)), options_(std::move(options)) {
    // Built here, not copied from a global: the tables are globals of other files, whose
    // initialisation order against this file's is unspecified.
    options_.insert(options_.begin(), OptionSpec{"help", 'h', 0, "", "print this text and exit"});
}

const OptionSpec& OptionTable::resolve(std::string_view given) const {
    std::vector<const OptionSpec*> candidates;
    for (const OptionSpec& spec : options_) {
        if (spec.name == given) return spec;
        if (spec.name.starts_with(given)) candidates.push_back(&spec);
    }
    if (candidates.size() == 1) return *candidates.front();
    if (candidates.empty()) fail_usage("unknown option '--{}'; see {} --help", given, program_);
    std::string names;
    for (const OptionSpec* spec : candidates) names += (names.empty() ? "--" : ", --") + spec->name;
    fail_usage("ambiguous option '--{}' could be {}", given, names);
}

CommandLine OptionTable::parse(int argc, const char* const* argv) const {
    return parse(std::vector<std::string>(argv + (argc > 0 ? 1 : 0), argv + argc));
}

CommandLine OptionTable::parse(const std::vector<std::string>& arguments) const {
    CommandLine line;
    for (const OptionSpec& spec : options_) line.known_.push_back(spec.name);
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const std::string& argument = arguments[i];
        if (argument == "--") {
            line.operands_.insert(line.operands_.end(), arguments.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                                  arguments.end());
            break;
        }
        if (argument.size() < 2 || argument[0] != '-') {
            line.operands_.push_back(argument);
            continue;
        }
        const OptionSpec* spec = nullptr;
        std::optional<std::string> glued;  // --name=VALUE or -wVALUE
        std::string shown;                 // the option as the user typed it, for errors
        if (argument[1] == '-') {
            std::string_view body = std::string_view(argument).substr(2);
            std::size_t equals = body.find('=');
            if (equals != std::string_view::npos) glued = std::string(body.substr(equals + 1));
            spec = &resolve(body.substr(0, equals));
            shown = "--" + spec->name;
        } else {
            auto found = std::find_if(options_.begin(), options_.end(),
                                      [&](const OptionSpec& s) { return s.short_name == argument[1]; });
            if (found == options_.end()) fail_usage("unknown option '{}'; see {} --help", argument.substr(0, 2), program_);
            spec = &*found;
            shown = argument.substr(0, 2);
            if (argument.size() > 2) {
                if (spec->values == 0) fail_usage("option {} takes no value (in '{}')", shown, argument);
                glued = argument.substr(2);
            }
        }
        CommandLine::Given given{spec->name, {}};
        if (spec->values == 0 && glued) fail_usage("option {} takes no value (in '{}')", shown, argument);
        if (glued) {
            if (spec->values != 1) fail_usage("option {} takes {} values, not '='", shown, spec->values);
            given.values.push_back(*glued);
        }
        while (given.values.size() < static_cast<std::size_t>(spec->values)) {
            if (++i >= arguments.size())
                fail_usage("option {} needs {}{}", shown, spec->values == 1 ? "a value " : "", spec->metavar);
            given.values.push_back(arguments[i]);
        }
        if (spec == &options_.front()) line.help_ = true;
        line.given_.push_back(std::move(given));
    }
    return line;
}

CommandLine OptionTable::parse_stage_arguments(int argc, const char* const* argv) const {
    CommandLine line = parse(argc, argv);
    if (line.help()) {
        std::cout << usage() << std::flush;
        std::exit(kExitOk);
    }
    if (operands_ == "< RECORDS" && !line.operands().empty())
        fail_usage("unexpected argument '{}'; {} reads records from stdin", line.operands().front(), program_);
    return line;
}

std::string OptionTable::usage() const {
    std::string prefix = "usage: " + program_ + " ";
    std::string synopsis;
    for (const OptionSpec& spec : options_)
        synopsis += (synopsis.empty() ? "" : " ") + ("[" + (spec.short_name ? std::string("-") + spec.short_name : words(spec)) +
                                                    (spec.short_name && !spec.metavar.empty() ? " " + spec.metavar : "") + "]");
    if (!operands_.empty()) synopsis += " " + operands_;
    std::string out = prefix;
    wrap(out, synopsis, prefix.size(), prefix.size());
    out += "\n";
    wrap(out, about_, 0, 0);
    out += "\n";
    for (const OptionSpec& spec : options_) {
        std::string names = "  " + (spec.short_name ? std::string("-") + spec.short_name + ", " : std::string()) + words(spec);
        out += names;
        if (names.size() + 2 > kHelpColumn) {
            out += "\n" + std::string(kHelpColumn, ' ');
        } else {
            out += std::string(kHelpColumn - names.size(), ' ');
        }
        wrap(out, spec.help, kHelpColumn, kHelpColumn);
        out += "\n";
    }
    out += "See " + program_ + "(1) and auditwheel-records(7).\n";
    return out;
}

}  // namespace aw
