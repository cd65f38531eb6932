//! Two cores for one write: the pure work on each item (parsing, applying, serialising,
//! compressing documents) runs on this thread and a helper, while this thread writes the finished
//! items to the database in order as soon as each is ready.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// Fewer items than this are done on this thread alone: a thread costs more than it saves.
pub(crate) const MIN_PARALLEL: usize = 2;

/// What the source of `prepare_stream` gives when asked for the next item.
pub(crate) enum Next<T> {
    Item(T),
    /// Nothing yet: only when asked not to wait.
    Later,
    End,
}

/// `prepare`s every item and hands the results to `consume` on this thread, in the items' order,
/// stopping at `consume`'s first error. Items are taken one at a time by this thread and a helper
/// thread; this thread consumes the next result as soon as it is ready and prepares items itself
/// while it is not, so writing and preparing overlap. With one core (or few items) it is
/// `items.map(prepare).try_for_each(consume)`.
pub(crate) fn prepare_and_consume<T: Send, R: Send, E>(
    items: Vec<T>,
    prepare: impl Fn(T) -> R + Sync,
    consume: impl FnMut(R) -> Result<(), E>,
) -> Result<(), E> {
    let parallel = items.len() >= MIN_PARALLEL;
    let mut items = items.into_iter();
    // The items are in memory already: all may be taken ahead.
    let next = |_wait| Ok(items.next().map_or(Next::End, Next::Item));
    prepare_stream(parallel, usize::MAX, next, prepare, consume)
}

/// `prepare_and_consume` for items that arrive over time: `next(wait)` gives the next item, and
/// when `wait` is false may answer `Later` rather than wait for one. This thread asks for items
/// without waiting as long as fewer than `lookahead` are taken and not yet consumed, and waits for
/// one only when it has nothing else to do, so items are prepared while the source is still
/// producing them, and few wait in memory. `next`'s error, like `consume`'s, stops the stream.
/// Serial (no helper) unless `parallel` and the machine has two cores.
pub(crate) fn prepare_stream<T: Send, R: Send, E>(
    parallel: bool,
    lookahead: usize,
    mut next: impl FnMut(bool) -> Result<Next<T>, E>,
    prepare: impl Fn(T) -> R + Sync,
    mut consume: impl FnMut(R) -> Result<(), E>,
) -> Result<(), E> {
    let two_cores = std::thread::available_parallelism().is_ok_and(|c| c.get() >= 2);
    if !parallel || !two_cores {
        loop {
            match next(true)? {
                Next::Item(t) => consume(prepare(t))?,
                Next::Later => {}
                Next::End => return Ok(()),
            }
        }
    }
    let lookahead = lookahead.max(1);
    let shared = Shared {
        state: Mutex::new(State {
            slots: VecDeque::new(),
            front: 0,
            next: 0,
            stop: false,
            helper_gone: false,
            helper_waiting: false,
            consumer_waiting: false,
        }),
        work: Condvar::new(),
        ready: Condvar::new(),
    };
    let shared = &shared;
    let prepare = &prepare;
    std::thread::scope(|s| {
        let helper = std::thread::Builder::new().name("hubtriage-prep".into()).spawn_scoped(s, move || {
            // Tells the consumer the helper has stopped, even when it stops by panicking.
            let _exit = OnDrop { shared, set: |s| s.helper_gone = true, wake: &shared.ready };
            let mut state = shared.lock();
            while !state.stop {
                match state.take() {
                    Some((n, item)) => {
                        drop(state);
                        let result = prepare(item);
                        state = shared.lock();
                        state.done(n, result);
                        // Only a waiting consumer needs waking (a wake is a system call).
                        if state.consumer_waiting {
                            shared.ready.notify_all();
                        }
                    }
                    None => {
                        state.helper_waiting = true;
                        state = shared.work.wait(state).unwrap_or_else(PoisonError::into_inner);
                        state.helper_waiting = false;
                    }
                }
            }
        });
        // Stops the helper however this thread leaves the stream (an error, a panic).
        let stop = OnDrop { shared, set: |s| s.stop = true, wake: &shared.work };
        let push = |item: T| {
            let mut state = shared.lock();
            state.slots.push_back(Slot::Todo(item));
            if state.helper_waiting {
                shared.work.notify_all();
            }
        };
        let outcome = (|| {
            let mut ended = false;
            loop {
                // Take what the source has without waiting, up to the lookahead.
                while !ended && shared.lock().slots.len() < lookahead {
                    match next(false)? {
                        Next::Item(t) => push(t),
                        Next::Later => break,
                        Next::End => ended = true,
                    }
                }
                let mut state = shared.lock();
                if let Some(result) = state.pop_done() {
                    drop(state);
                    consume(result)?;
                } else if let Some((n, item)) = state.take() {
                    drop(state);
                    let result = prepare(item);
                    shared.lock().done(n, result);
                } else if state.slots.is_empty() {
                    drop(state);
                    if ended {
                        return Ok(true);
                    }
                    match next(true)? {
                        Next::Item(t) => push(t),
                        Next::Later => {}
                        Next::End => ended = true,
                    }
                } else if state.helper_gone {
                    // The helper stopped (panicked) while preparing the next item.
                    return Ok(false);
                } else {
                    // The helper is preparing the next item.
                    state.consumer_waiting = true;
                    state = shared.ready.wait(state).unwrap_or_else(PoisonError::into_inner);
                    state.consumer_waiting = false;
                }
            }
        })();
        drop(stop);
        if let Ok(h) = helper {
            if let Err(panic) = h.join() {
                std::panic::resume_unwind(panic);
            }
        }
        outcome.map(|_| ())
    })
}

/// When dropped (however its thread leaves: a return, an error, a panic), sets a flag of the
/// shared state and wakes the threads waiting on `wake`.
struct OnDrop<'a, T, R> {
    shared: &'a Shared<T, R>,
    set: fn(&mut State<T, R>),
    wake: &'a Condvar,
}

impl<T, R> Drop for OnDrop<'_, T, R> {
    fn drop(&mut self) {
        (self.set)(&mut self.shared.lock());
        self.wake.notify_all();
    }
}

struct Shared<T, R> {
    state: Mutex<State<T, R>>,
    /// The helper waits here for items.
    work: Condvar,
    /// The consumer waits here for the next result.
    ready: Condvar,
}

impl<T, R> Shared<T, R> {
    fn lock(&self) -> MutexGuard<'_, State<T, R>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The items taken from the source and not yet consumed, in order.
struct State<T, R> {
    slots: VecDeque<Slot<T, R>>,
    /// The number (from 0, in the source's order) of the first slot's item.
    front: usize,
    /// The number of the next item to prepare: items are prepared in order, by either thread.
    next: usize,
    stop: bool,
    helper_gone: bool,
    helper_waiting: bool,
    consumer_waiting: bool,
}

enum Slot<T, R> {
    Todo(T),
    Taken,
    Done(R),
}

impl<T, R> State<T, R> {
    /// The next item to prepare, with its number.
    fn take(&mut self) -> Option<(usize, T)> {
        let slot = self.slots.get_mut(self.next - self.front)?;
        match std::mem::replace(slot, Slot::Taken) {
            Slot::Todo(item) => {
                self.next += 1;
                Some((self.next - 1, item))
            }
            other => {
                *slot = other;
                None
            }
        }
    }

    /// The first item's result, if it is ready.
    fn pop_done(&mut self) -> Option<R> {
        if !matches!(self.slots.front(), Some(Slot::Done(_))) {
            return None;
        }
        self.front += 1;
        match self.slots.pop_front() {
            Some(Slot::Done(result)) => Some(result),
            _ => None,
        }
    }

    /// Item `n`'s result. Its slot is still there: only a result is ever consumed.
    fn done(&mut self, n: usize, result: R) {
        if let Some(slot) = self.slots.get_mut(n - self.front) {
            *slot = Slot::Done(result);
        }
    }
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

    // Items that arrive over time (`Later` while the source has none) are all consumed, in order,
    // and no more than `lookahead` are taken ahead of the one consumed.
    #[test]
    fn a_stream_is_consumed_in_order_within_its_lookahead() {
        for lookahead in [1, 3, 16] {
            let (mut produced, mut items, mut consumed) = (0usize, 0usize, Vec::new());
            let most_ahead = std::sync::atomic::AtomicUsize::new(0);
            let consumed_count = std::sync::atomic::AtomicUsize::new(0);
            let r: Result<(), ()> = prepare_stream(
                true,
                lookahead,
                |wait| {
                    // Every third request without waiting finds nothing yet.
                    if !wait && produced % 3 == 1 {
                        produced += 1;
                        return Ok(Next::Later);
                    }
                    if produced >= 300 {
                        return Ok(Next::End);
                    }
                    produced += 1;
                    items += 1;
                    let ahead = items - consumed_count.load(std::sync::atomic::Ordering::SeqCst);
                    most_ahead.fetch_max(ahead, std::sync::atomic::Ordering::SeqCst);
                    Ok(Next::Item(produced))
                },
                |i| i * 10,
                |r| {
                    consumed.push(r);
                    consumed_count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    Ok(())
                },
            );
            assert_eq!(r, Ok(()));
            let expected: Vec<usize> = (1..=300).filter(|p| p % 3 != 2).map(|p| p * 10).collect();
            assert_eq!(consumed, expected, "lookahead {lookahead}");
            assert!(most_ahead.into_inner() <= lookahead, "lookahead {lookahead}");
        }
    }

    // The source's error stops the stream, after the items before it are consumed.
    #[test]
    fn the_sources_error_stops_the_stream() {
        let mut n = 0;
        let mut seen = Vec::new();
        let r = prepare_stream(
            true,
            4,
            |_| {
                n += 1;
                if n == 20 {
                    Err(n)
                } else {
                    Ok(Next::Item(n))
                }
            },
            |i: usize| i,
            |r| {
                seen.push(r);
                Ok(())
            },
        );
        assert_eq!(r, Err(20));
        assert!(seen.len() <= 19 && seen.iter().copied().eq(1..=seen.len()), "{seen:?}");
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
