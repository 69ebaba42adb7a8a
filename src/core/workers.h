// A pool of threads that take work items in turn, where an exception in any
// of them (an internal error: a failed TINT_CHECK, std::bad_alloc) reaches
// the caller's thread instead of ending the process with std::terminate.
#pragma once

#include <cstddef>
#include <functional>

namespace tint {

// Calls work(i) for every i in [0, count) on `threads` threads (the calling
// one among them), each taking the next index in turn. If a call throws, no
// new index is handed out, the other threads finish the call they are in,
// and the first exception is rethrown here once all have joined.
void ForEachOnThreads(size_t count, int threads, const std::function<void(size_t)>& work);

}  // namespace tint
