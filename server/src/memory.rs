//! Giving freed memory back to the system.
//!
//! glibc's malloc keeps what a thread freed in that thread's arena for
//! reuse and returns it to the system only from the top of the heap. The
//! query worker builds and drops whole indexes per job and the request
//! threads' buffers grow with the job lists they serialize, so without a
//! trim the resident size of a long-running server ratchets up to its
//! worst moment and stays there. `malloc_trim` releases the free pages of
//! every arena (`madvise`), leaving the allocations in use untouched.

use std::time::Duration;

/// How often the free pages are released: rarely enough to cost nothing
/// (a trim takes well under a millisecond here), often enough that a soak
/// shows a flat resident size.
const EVERY: Duration = Duration::from_secs(15);

/// Starts the background trim (glibc only; elsewhere the allocator returns
/// memory by itself or there is nothing to call).
pub fn spawn_trimmer() -> std::io::Result<()> {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    std::thread::Builder::new()
        .name("malloc-trim".into())
        .spawn(|| {
            loop {
                std::thread::sleep(EVERY);
                // The one unsafe call of the server, allowed here alone.
                // SAFETY: malloc_trim has no preconditions; it takes the
                // arenas' own locks and only releases free pages.
                #[allow(unsafe_code)]
                unsafe {
                    libc::malloc_trim(0);
                }
            }
        })
        .map(drop)?;
    Ok(())
}
