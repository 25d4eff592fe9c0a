#include "base/interrupt.hpp"

#include <charconv>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <sys/prctl.h>
#include <unistd.h>

namespace aw {
namespace {
volatile std::sig_atomic_t g_signal = 0;

extern "C" void remember_signal(int sig) { g_signal = sig; }

// A stage the auditwheel wrapper started stops, as for SIGTERM, once the wrapper is gone (a kill -9
// of it, as a CI runner sends after its grace time), instead of finishing a repair whose command
// has already failed: the kernel sends SIGTERM when the parent dies, and a parent that died before
// this call shows as a getppid() that is no longer the wrapper's pid. A stage the wrapper exec'd in
// its own place (lddtree) has the wrapper's pid itself.
void stop_when_the_wrapper_is_gone() {
    const char* text = std::getenv("AUDITWHEEL_WRAPPER_PID");
    if (text == nullptr) return;
    pid_t wrapper = 0;
    const char* end = text + std::strlen(text);
    if (auto [stop, error] = std::from_chars(text, end, wrapper); error != std::errc() || stop != end || wrapper <= 1)
        return;
    if (::getpid() == wrapper) return;
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != wrapper) g_signal = SIGTERM;
}
}  // namespace

void install_interrupt_handlers() {
    struct sigaction action {};
    action.sa_handler = remember_signal;
    sigemptyset(&action.sa_mask);
    // No SA_RESTART: a blocking read of stdin returns so the stage can stop.
    action.sa_flags = 0;
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) sigaction(sig, &action, nullptr);
    stop_when_the_wrapper_is_gone();
}

int pending_signal() { return g_signal; }

void throw_if_interrupted() {
    if (g_signal != 0) throw Interrupted(g_signal);
}

}  // namespace aw
