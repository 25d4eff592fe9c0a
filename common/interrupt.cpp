#include "interrupt.hpp"

#include <csignal>
#include <initializer_list>

namespace aw {
namespace {
volatile std::sig_atomic_t g_signal = 0;

extern "C" void remember_signal(int sig) { g_signal = sig; }
}  // namespace

void install_interrupt_handlers() {
    struct sigaction action {};
    action.sa_handler = remember_signal;
    sigemptyset(&action.sa_mask);
    // No SA_RESTART: a blocking read of stdin returns so the stage can stop.
    action.sa_flags = 0;
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) sigaction(sig, &action, nullptr);
}

int pending_signal() { return g_signal; }

void throw_if_interrupted() {
    if (g_signal != 0) throw Interrupted(g_signal);
}

}  // namespace aw
