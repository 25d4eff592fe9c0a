// Ctrl-C, SIGTERM, SIGHUP and SIGPIPE become a flag that long loops poll, so
// that a stage unwinds through its destructors (removing temp files and work
// directories) instead of dying with half-written output on disk. A stage the
// auditwheel wrapper started ($AUDITWHEEL_WRAPPER_PID) also stops, as for
// SIGTERM, when the wrapper is gone.
#pragma once

#include <exception>

namespace aw {

struct Interrupted : std::exception {
    explicit Interrupted(int sig) : signal(sig) {}
    const char* what() const noexcept override { return "interrupted"; }
    int signal;
};

// Sets the handlers, and the stop with the wrapper.
void install_interrupt_handlers();
// The signal received so far, or 0.
int pending_signal();
void throw_if_interrupted();

}  // namespace aw
