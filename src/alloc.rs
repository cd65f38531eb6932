//! Settings of the binary's allocator (mimalloc, `src/main.rs`; the benches use it too).

/// mimalloc's `mi_option_purge_delay` (its index in `mi_option_t`, the same in mimalloc 2 and 3;
/// `libmimalloc-sys` names the options around it but not this one): how long freed memory is kept
/// before it is returned to the OS, in milliseconds; -1 never.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Keeps memory this process frees for its own reuse instead of returning it to the OS. A bulk
/// import allocates findings on the parsing thread and frees them on the import threads, hundreds
/// of megabytes a second: returned pages were faulted back in (and zeroed by the kernel) moments
/// later. Measured on 100,000 findings (`cargo bench --bench engine`): ~50,000 page faults per
/// import became ~21,000 (those of a new store's page cache), and the system CPU time fell by
/// about 0.3 s. The memory stays at the process's peak, so only the `import` command, a process
/// that ends when the import does, asks for it.
pub fn hold_freed_memory() {
    // SAFETY: mi_option_set only stores the value of a valid option index.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, -1) }
}

/// mimalloc's current purge delay (ms; -1 never).
pub fn purge_delay() -> std::ffi::c_long {
    // SAFETY: mi_option_get only reads the value of a valid option index.
    unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) }
}

#[cfg(test)]
mod tests {
    #[test]
    fn freed_memory_is_held() {
        // A purge delay is a number of milliseconds (mimalloc's default is 10 or more) until set.
        let before = super::purge_delay();
        assert!(before == -1 || before >= 0, "{before}");
        super::hold_freed_memory();
        assert_eq!(super::purge_delay(), -1);
    }
}
