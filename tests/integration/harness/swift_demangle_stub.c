/* Preloaded into mosquitto after the sanitizer runtimes, in the sanitizer
 * build only (tests/integration/CMakeLists.txt). Without it, libpq's first
 * connect inside mosquitto hangs for ever:
 *
 * mosquitto is not instrumented, so ASan initializes lazily, at the first
 * malloc. That malloc comes from inside glibc's bindtextdomain, called by
 * libgpg-error's constructor (mosquitto links it through libsystemd) with
 * glibc's gettext lock held for writing. Among the last steps of its
 * initialization ASan looks up an optional `swift_demangle` with dlsym and
 * clears the failure with dlerror(), which translates the message: a read
 * lock and unlock of the lock this thread holds for writing, and the lock's
 * count is left one reader short. The next bindtextdomain after the first
 * (libpq's, at its first connect) then waits for that reader for ever.
 *
 * With a `swift_demangle` to find, the lookup does not fail and dlerror()
 * has nothing to translate. ASan calls it to demangle Swift names; there
 * are none here, and NULL means "not demangled". */
#include <stddef.h>
#include <stdint.h>

char* swift_demangle(const char* mangled, size_t length, char* out, size_t* out_length,
                     uint32_t flags) {
  (void)mangled;
  (void)length;
  (void)out;
  (void)out_length;
  (void)flags;
  return NULL;
}
