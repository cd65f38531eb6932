//! `alloc::release_free_memory`, alone in its process: the resident memory it reads is no other
//! test's.

/// Blocks freed in the middle of the C allocator's heap (a small block kept after each run) stay
/// resident until `release_free_memory` (glibc only). On a thread of its own, whose heap the
/// test harness does not share.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn freed_memory_in_the_middle_of_the_heap_is_returned() {
    fn rss_kb() -> u64 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }
    let dropped = std::thread::spawn(|| {
        // SAFETY: plain malloc and free of blocks this test owns, each written before it is freed.
        unsafe {
            // Runs of 64 blocks (a page cache's pages), a small block kept after each run.
            let mut big = Vec::new();
            let mut kept = Vec::new();
            for i in 0..16_000 {
                let b = libc::malloc(4_000);
                std::ptr::write_bytes(b.cast::<u8>(), 1, 4_000);
                big.push(b);
                if i % 64 == 63 {
                    kept.push(libc::malloc(64));
                }
            }
            let full = rss_kb();
            for b in big {
                libc::free(b);
            }
            let freed = rss_kb();
            hubtriage::alloc::release_free_memory();
            let released = rss_kb();
            for k in kept {
                libc::free(k);
            }
            (full, freed, released)
        }
    });
    let (full, freed, released) = dropped.join().unwrap();
    // 64 MB written, then freed: resident still, until released.
    assert!(freed + 16_000 > full, "freed blocks stay resident: {full} -> {freed} kB");
    assert!(released + 32_000 < freed, "released: {freed} -> {released} kB");
}
