//! Settings of the binary's allocator (mimalloc, `src/main.rs`; the benches use it too) for a
//! bulk import, where findings are allocated on the parsing thread and freed on the import threads;
//! and returning the C allocator's free memory to the OS when a load ends.

/// mimalloc's `mi_option_purge_delay` (its index in `mi_option_t`, the same in mimalloc 2 and 3;
/// `libmimalloc-sys` names the options around it but not this one): how long freed memory is kept
/// before it is returned to the OS, in milliseconds; -1 never.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// mimalloc 3's `mi_option_page_reclaim_on_free` (its index in `mi_option_t`): whether a thread
/// that frees a block in a page another thread has let go of ("abandoned") takes the page over:
/// -1 never, 0 (the default) only a page it allocated itself, 1 any page.
const PAGE_RECLAIM_ON_FREE: libmimalloc_sys::mi_option_t = 35;

/// Sets mimalloc for a bulk import, whose findings are allocated on one thread and freed on others.
/// Only the `import` command (a process that ends when the import does) and the engine bench ask
/// for it: memory stays at the process's peak.
///
/// - Freed memory is kept for this process's reuse instead of being returned to the OS: returned
///   pages were faulted back in (and zeroed by the kernel) moments later. Measured on 100,000
///   findings (`cargo bench --bench engine`): ~50,000 page faults per import became ~21,000 (those
///   of a new store's page cache), and the system CPU time fell by about 0.3 s.
/// - A thread freeing findings into pages another thread has let go of takes those pages over, so
///   its later frees there are its own (no atomic operations) and it allocates from them. callgrind
///   of `hubtriage import` of 10,000 generated findings: 2.374 G instructions became 2.268 G;
///   `hubtriage import` of 100,000, six runs each in turn: user CPU 3.79 s became 3.59 s.
///   Left at mimalloc's default (0: a thread takes back only its own pages), the reading thread
///   was expected to fault in fewer fresh pages; measured in turn on the shared 2-core machine
///   (`cargo bench --bench ocsf` and `--bench engine`, 100,000 findings, three runs each), CPU per
///   import rose instead: OCSF ~6.0 s to ~6.2 s, ASFF ~5.6-5.7 s to ~5.7-6.1 s. So it stays at 1.
pub fn tune_for_bulk_import() {
    // SAFETY: mi_option_set only stores the value of a valid option index.
    unsafe {
        libmimalloc_sys::mi_option_set(PURGE_DELAY, -1);
        libmimalloc_sys::mi_option_set(PAGE_RECLAIM_ON_FREE, 1);
    }
}

/// Sets mimalloc for the workbench, which holds a million rows for as long as it runs: memory freed
/// is returned to the OS at once (mimalloc's default waits 10 ms, then purges only when the thread
/// that freed it allocates or frees again, so what the load's threads freed stayed resident).
/// Called when the workbench starts (`tui::run`) and by its bench, before the rows are read; with
/// `commit_arenas_lazily`, see there for the figures.
pub fn tune_for_workbench() {
    // SAFETY: mi_option_set only stores the value of a valid option index.
    unsafe {
        libmimalloc_sys::mi_option_set(PURGE_DELAY, 0);
    }
}

/// mimalloc's `mi_option_arena_eager_commit` (its index in `mi_option_t`, the same in mimalloc 2
/// and 3): whether an arena's memory is committed when it is reserved; by default it is where the
/// OS overcommits, as Linux does.
const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;

/// Has mimalloc commit its arenas as they are used, so that memory it purges leaves the resident
/// set. Must run before the first allocation, which reserves the first arena (1 GiB, where all of
/// a million rows' load lives): the binaries run it from `.init_array`, before Rust's runtime
/// starts (`AT_LOAD`). The workbench's VmRSS at the end of a million rows' load
/// (`BENCH_COUNT=1000000 cargo bench --bench tui`, on the binary's allocator): mimalloc's defaults
/// 511-555 MB, `tune_for_workbench` alone 445-457 MB, with this too 426-427 MB (the binary itself
/// in tmux at 160×48: 558, 475 and 443 MB); the load to the last row took 2.09-2.35 s, 2.49-2.90 s and
/// 2.32-2.59 s (docs/performance.md).
pub extern "C" fn commit_arenas_lazily() {
    // SAFETY: mi_option_set only stores the value of a valid option index.
    unsafe {
        libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0);
    }
}

/// mimalloc's allocator type, for `binary_allocator!`.
pub use mimalloc::MiMalloc;

/// Declares the `hubtriage` binary's allocator, in the binary and in each bench that stands for it,
/// so their figures are the binary's: mimalloc (parsing and writing findings is allocation-heavy, a
/// serde_json tree per finding; it cuts that cost by about a quarter against the system
/// allocator), its arenas committed as used (`commit_arenas_lazily`, run from `.init_array` before
/// the first allocation). The workbench bench without it measured glibc's allocator, whose memory
/// figures were not the binary's.
#[macro_export]
macro_rules! binary_allocator {
    () => {
        #[global_allocator]
        static GLOBAL: $crate::alloc::MiMalloc = $crate::alloc::MiMalloc;

        #[cfg(target_os = "linux")]
        #[used]
        #[link_section = ".init_array"]
        static AT_LOAD: extern "C" fn() = $crate::alloc::commit_arenas_lazily;
    };
}

/// Returns to the OS the free memory the C library's allocator holds in the middle of its heaps.
/// SQLite allocates its page cache with it (not with the binary's allocator): the workbench's
/// listing of a million rows fills the cache (64 MB) and frees it when done (`PRAGMA
/// shrink_memory`), but glibc keeps freed blocks resident unless they end its heap; so did the
/// strings a load frees where the C allocator is the Rust one too (the tui bench). Measured there
/// at the end of a million rows' load: VmRSS 564 MB became 500 MB. A few milliseconds, once per
/// load.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns whole free pages of the allocator's own heaps to the OS.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// mimalloc's current value of an option.
#[cfg(test)]
fn option(option: libmimalloc_sys::mi_option_t) -> std::ffi::c_long {
    // SAFETY: mi_option_get only reads the value of a valid option index.
    unsafe { libmimalloc_sys::mi_option_get(option) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bulk_import_holds_freed_memory_and_reclaims_pages_on_free() {
        // A purge delay is a number of milliseconds (mimalloc's default is 10 or more) until set;
        // reclaiming on free is -1, 0 or 1 (0 by default). Wrong indexes would read other options.
        let before = option(PURGE_DELAY);
        assert!(before == -1 || before >= 0, "{before}");
        assert!((-1..=1).contains(&option(PAGE_RECLAIM_ON_FREE)));
        tune_for_bulk_import();
        assert_eq!(option(PURGE_DELAY), -1);
        assert_eq!(option(PAGE_RECLAIM_ON_FREE), 1);
    }
}
