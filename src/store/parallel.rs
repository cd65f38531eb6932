//! Two cores for one write: the pure work on each item (parsing, applying, serialising,
//! compressing documents) runs on this thread and a helper, while this thread writes the finished
//! items to the database in order as soon as each is ready.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};

/// Fewer items than this are done on this thread alone: a thread costs more than it saves.
const MIN_PARALLEL: usize = 2;

/// `prepare`s every item and hands the results to `consume` on this thread, in the items' order,
/// stopping at `consume`'s first error. Items are taken one at a time from a shared counter by this
/// thread and a helper thread; this thread consumes the next result as soon as it is ready and
/// prepares items itself while it is not, so writing and preparing overlap. With one core (or
/// few items) it is `items.map(prepare).try_for_each(consume)`.
pub(crate) fn prepare_and_consume<T: Send, R: Send, E>(
    items: Vec<T>,
    prepare: impl Fn(T) -> R + Sync,
    mut consume: impl FnMut(R) -> Result<(), E>,
) -> Result<(), E> {
    let n = items.len();
    let two_cores = std::thread::available_parallelism().is_ok_and(|c| c.get() >= 2);
    if n < MIN_PARALLEL || !two_cores {
        return items.into_iter().map(prepare).try_for_each(consume);
    }
    let inputs: Vec<Mutex<Option<T>>> = items.into_iter().map(|t| Mutex::new(Some(t))).collect();
    // results[i]: Some once item i is prepared (None inside: it had already been taken, never happens).
    let done = Mutex::new(Done { results: std::iter::repeat_with(|| None).take(n).collect(), waiting: false });
    let ready = Condvar::new();
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let helper_gone = AtomicBool::new(false);
    let run = |i: usize| {
        let input = inputs[i].lock().unwrap_or_else(PoisonError::into_inner).take();
        let result = input.map(&prepare);
        let mut d = done.lock().unwrap_or_else(PoisonError::into_inner);
        d.results[i] = Some(result);
        // Only a waiting consumer needs waking (a wake is a system call).
        if d.waiting {
            ready.notify_all();
        }
    };
    std::thread::scope(|s| {
        let helper = std::thread::Builder::new().name("hubtriage-prep".into()).spawn_scoped(s, || {
            /// Tells the consumer the helper has stopped, even when it stops by panicking.
            struct OnExit<'a, R>(&'a AtomicBool, &'a Condvar, &'a Mutex<Done<R>>);
            impl<R> Drop for OnExit<'_, R> {
                fn drop(&mut self) {
                    self.0.store(true, Ordering::SeqCst);
                    // Under the lock: a consumer that saw the flag unset is already waiting.
                    let _d = self.2.lock().unwrap_or_else(PoisonError::into_inner);
                    self.1.notify_all();
                }
            }
            let _exit = OnExit(&helper_gone, &ready, &done);
            while !stop.load(Ordering::Relaxed) {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                run(i);
            }
        });
        let outcome = (|| {
            for w in 0..n {
                let result = loop {
                    if let Some(r) = done.lock().unwrap_or_else(PoisonError::into_inner).results[w].take() {
                        break r;
                    }
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i < n {
                        run(i);
                        continue;
                    }
                    // Every item is taken: wait for the helper to finish item w.
                    let mut d = done.lock().unwrap_or_else(PoisonError::into_inner);
                    while d.results[w].is_none() && !helper_gone.load(Ordering::SeqCst) {
                        d.waiting = true;
                        d = ready.wait(d).unwrap_or_else(PoisonError::into_inner);
                    }
                    d.waiting = false;
                    match d.results[w].take() {
                        Some(r) => break r,
                        // The helper stopped (panicked) before finishing item w.
                        None => break None,
                    }
                };
                match result {
                    Some(r) => consume(r)?,
                    None => return Ok(false),
                }
            }
            Ok(true)
        })();
        stop.store(true, Ordering::Relaxed);
        if let Ok(h) = helper {
            if let Err(panic) = h.join() {
                std::panic::resume_unwind(panic);
            }
        }
        outcome.map(|_| ())
    })
}

/// Prepared results, and whether the consumer is waiting for one.
struct Done<R> {
    results: Vec<Option<Option<R>>>,
    waiting: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_are_consumed_in_order() {
        for n in [0, 1, 2, 3, 10, 257] {
            let mut seen = Vec::new();
            let r: Result<(), ()> = prepare_and_consume(
                (0..n).collect(),
                |i: usize| i * 2,
                |r| {
                    seen.push(r);
                    Ok(())
                },
            );
            assert_eq!(r, Ok(()));
            assert_eq!(seen, (0..n).map(|i| i * 2).collect::<Vec<_>>());
        }
    }

    #[test]
    fn the_first_error_stops_consuming() {
        let mut seen = Vec::new();
        let r = prepare_and_consume(
            (0..100).collect(),
            |i: usize| i,
            |r| {
                if r == 40 {
                    return Err(r);
                }
                seen.push(r);
                Ok(())
            },
        );
        assert_eq!(r, Err(40));
        assert_eq!(seen, (0..40).collect::<Vec<_>>());
    }

    // A panic while preparing, on either thread, reaches the caller; nothing waits forever.
    #[test]
    #[should_panic(expected = "item 50")]
    fn a_panic_while_preparing_is_not_a_hang() {
        let _ = prepare_and_consume(
            (0..100).collect(),
            |i: usize| {
                if i == 50 {
                    panic!("item {i}");
                }
                std::thread::sleep(std::time::Duration::from_micros(200));
                i
            },
            |_| Ok::<(), ()>(()),
        );
    }
}
