//! The connections of `hubtriage serve`: accepting them up to a limit, the timeouts that close
//! the ones that send nothing (a silent client must not hold a slot or a file descriptor), and
//! graceful shutdown. A non-loopback listener is open to anyone who can reach it, so every
//! resource a connection takes has a bound here or in `limits::BodyBudget`.

use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Semaphore;

use super::{handle, ServeError, State};

/// Connections still open this long after a shutdown signal are cut.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);
/// File descriptors kept free of connections, for the store, the log and the listener itself.
const FD_RESERVE: u64 = 64;

/// How long a connection may take and how many the server holds (`--header-timeout`,
/// `--idle-timeout`, `--max-connections`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnLimits {
    /// From the moment the server is ready to read a request (a new connection, or the end of the
    /// previous answer on a kept-alive one) until its whole head has arrived.
    pub header_timeout: Duration,
    /// No byte read or written for this long, with no request being answered, closes the
    /// connection; a request body that pauses this long is answered 408.
    pub idle_timeout: Duration,
    /// Connections open at once; more wait in the listen queue until one closes.
    pub max_connections: usize,
}

impl Default for ConnLimits {
    fn default() -> ConnLimits {
        ConnLimits {
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: 256,
        }
    }
}

/// When a connection last moved a byte, and how many of its requests are being answered.
struct Activity {
    started: Instant,
    last_ms: AtomicU64,
    busy: AtomicUsize,
}

impl Activity {
    fn new() -> Activity {
        Activity { started: Instant::now(), last_ms: AtomicU64::new(0), busy: AtomicUsize::new(0) }
    }

    fn touch(&self) {
        self.last_ms.store(self.started.elapsed().as_millis() as u64, Ordering::Relaxed);
    }

    fn quiet_for(&self) -> Duration {
        let last = Duration::from_millis(self.last_ms.load(Ordering::Relaxed));
        self.started.elapsed().saturating_sub(last)
    }

    fn is_busy(&self) -> bool {
        self.busy.load(Ordering::Relaxed) > 0
    }
}

/// Marks a request as being answered while alive.
struct Busy(Arc<Activity>);

impl Busy {
    fn new(activity: &Arc<Activity>) -> Busy {
        activity.busy.fetch_add(1, Ordering::Relaxed);
        Busy(Arc::clone(activity))
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::Relaxed);
        self.0.touch();
    }
}

/// A stream that records in `Activity` each time it reads or writes.
struct Tracked<T> {
    inner: T,
    activity: Arc<Activity>,
}

impl<T: AsyncRead + Unpin> AsyncRead for Tracked<T> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.touch();
        }
        polled
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Tracked<T> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, data);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// `max_connections`, lowered to fit the process's open-file limit: past it, `accept` fails for
/// everyone (the listener cannot take even the connection that would have been answered).
fn connection_slots(max_connections: usize) -> usize {
    let mut slots = max_connections.max(1);
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        // SAFETY: getrlimit writes only into the struct it is given.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0 && limit.rlim_cur != libc::RLIM_INFINITY {
            let free = limit.rlim_cur.saturating_sub(FD_RESERVE).max(1);
            slots = slots.min(usize::try_from(free).unwrap_or(usize::MAX));
        }
    }
    slots
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate());
        match term {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Binds `addr`, prints `listening on http://ADDR`, and serves until Ctrl-C or SIGTERM; then stops
/// accepting and lets the requests in flight finish (for up to `SHUTDOWN_GRACE`).
pub(super) async fn accept_loop(
    state: Arc<State>,
    addr: std::net::SocketAddr,
    limits: ConnLimits,
) -> Result<(), ServeError> {
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|source| ServeError::Bind { addr, source })?;
    let bound = listener.local_addr().map_err(|source| ServeError::Bind { addr, source })?;
    println!("listening on http://{bound}");
    // Tests and scripts read the address from this line as soon as it is printed.
    let _ = std::io::Write::flush(&mut std::io::stdout());
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout);
    let slots = Arc::new(Semaphore::new(connection_slots(limits.max_connections)));
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        // A slot first: past the limit, new connections wait in the kernel's listen queue (holding
        // no descriptor of ours) until a connection closes.
        let slot = tokio::select! {
            slot = Arc::clone(&slots).acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            _ = &mut shutdown => break,
        };
        let stream = tokio::select! {
            conn = listener.accept() => match conn {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors and the like: pause rather than spin.
                    eprintln!("hubtriage serve: accept: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let activity = Arc::new(Activity::new());
        let io = TokioIo::new(Tracked { inner: stream, activity: Arc::clone(&activity) });
        let (state, busy) = (Arc::clone(&state), Arc::clone(&activity));
        let service = hyper::service::service_fn(move |req| {
            let (state, busy) = (Arc::clone(&state), Busy::new(&busy));
            async move {
                let answer = handle(state, req).await;
                drop(busy);
                answer
            }
        });
        let conn = graceful.watch(http.serve_connection(io, service));
        let idle = limits.idle_timeout;
        tokio::spawn(async move {
            let _slot = slot;
            tokio::pin!(conn);
            loop {
                let quiet = activity.quiet_for();
                let busy = activity.is_busy();
                if quiet >= idle && !busy {
                    // Dropping the connection closes it.
                    break;
                }
                let wait = if busy { idle } else { idle - quiet };
                tokio::select! {
                    // Errors here are clients going away (or an injected drop): nothing to report.
                    _ = &mut conn => break,
                    _ = tokio::time::sleep(wait) => {}
                }
            }
        });
    }
    drop(listener);
    eprintln!("hubtriage serve: shutting down; finishing requests in flight");
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await.is_err() {
        eprintln!("hubtriage serve: connections still open after {SHUTDOWN_GRACE:?}; closing them");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_slots_fit_the_open_file_limit() {
        assert!(connection_slots(0) >= 1);
        let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        // SAFETY: getrlimit writes only into the struct it is given.
        assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) }, 0);
        let huge = usize::MAX / 2;
        if limit.rlim_cur != libc::RLIM_INFINITY {
            assert_eq!(connection_slots(huge) as u64, limit.rlim_cur.saturating_sub(FD_RESERVE).max(1));
        }
        assert_eq!(connection_slots(4), 4);
    }
}
