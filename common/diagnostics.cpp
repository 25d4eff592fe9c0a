#include "diagnostics.hpp"

#include "interrupt.hpp"

#include <cstdio>
#include <exception>
#include <new>

namespace aw {
namespace {
std::string g_tool_name = "auditwheel";

void print_line(std::string_view severity, std::string_view message) {
    std::string line = fmt::format("{}: {}: {}\n", g_tool_name, severity, message);
    std::fputs(line.c_str(), stderr);
}
}  // namespace

const std::string& tool_name() { return g_tool_name; }

void print_warning(std::string_view message) { print_line("warning", message); }

int run_stage(std::string_view tool, const std::function<int()>& body) {
    g_tool_name = std::string(tool);
    install_interrupt_handlers();
    try {
        return body();
    } catch (const Interrupted& stop) {
        print_line("error", fmt::format("interrupted by signal {}; nothing was written", stop.signal));
        return 128 + stop.signal;
    } catch (const Error& error) {
        print_line("error", error.what());
        return error.exit_code();
    } catch (const std::bad_alloc&) {
        print_line("error", "out of memory");
        return kExitError;
    } catch (const std::exception& error) {
        print_line("error", fmt::format("internal error: {}", error.what()));
        return kExitError;
    }
}

}  // namespace aw
