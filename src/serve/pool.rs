//! The store behind the server, off the async reactor. One writer connection lives on its own
//! thread and applies imports and updates one at a time, in arrival order; reads run on a small pool
//! of separate read connections in tokio's blocking pool.
//!
//! Why this shape: a rusqlite `Connection` is not `Sync`, SQLite allows one writer at a time anyway,
//! and funnelling every write of this process through one connection means the server's own writes
//! never contend for the write lock (no SQLITE_BUSY between them; another process using the same
//! store is still waited for by the store's busy timeout). WAL lets the readers run beside the writer
//! on their own snapshots, so a slow GetFindings never delays an update and vice versa.

use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;

use serde_json::Value;
use tokio::sync::{oneshot, Semaphore};

use crate::api::{self, ApiError, Operation};
use crate::model::raw::Incoming;
use crate::store::{Caller, Store};

#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    #[error("{0}")]
    Store(#[from] crate::store::StoreError),
    #[error("cannot start the store writer thread: {0}")]
    Thread(std::io::Error),
}

type Job = Box<dyn FnOnce(&mut Store) + Send>;

pub struct StorePool {
    writer: Mutex<Option<mpsc::Sender<Job>>>,
    writer_thread: Mutex<Option<JoinHandle<()>>>,
    readers: Arc<Mutex<Vec<Store>>>,
    read_permits: Semaphore,
}

fn internal(message: impl Into<String>) -> ApiError {
    ApiError { code: "InternalException", status: 500, message: message.into() }
}

/// Runs one operation, turning a panic into an InternalException so the connection it ran on stays
/// in service (an open transaction was rolled back when it unwound).
fn guarded(f: impl FnOnce() -> Result<Value, ApiError>) -> Result<Value, ApiError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err(internal("the operation failed unexpectedly; see the server's log")))
}

impl StorePool {
    /// Opens the writer and `readers` read connections on the store at `path`.
    pub fn open(path: &std::path::Path, readers: usize) -> Result<StorePool, PoolError> {
        let writer_store = Store::open(path)?;
        let readers = (0..readers.max(1)).map(|_| Store::open(path)).collect::<Result<Vec<_>, _>>()?;
        let (tx, rx) = mpsc::channel::<Job>();
        let thread = std::thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || {
                let mut store = writer_store;
                while let Ok(job) = rx.recv() {
                    job(&mut store);
                }
                // Every sender is gone: fold the WAL into the database so the store is left clean.
                if let Err(e) = store.checkpoint() {
                    eprintln!("hubtriage serve: closing the store: {e}");
                }
            })
            .map_err(PoolError::Thread)?;
        let n = readers.len();
        Ok(StorePool {
            writer: Mutex::new(Some(tx)),
            writer_thread: Mutex::new(Some(thread)),
            readers: Arc::new(Mutex::new(readers)),
            read_permits: Semaphore::new(n),
        })
    }

    /// Runs one operation on the right connection.
    pub async fn call(&self, caller: Caller, op: Operation, input: Value) -> Result<Value, ApiError> {
        if op.reads_only() {
            self.read(caller, op, input).await
        } else {
            self.write(caller, op, input).await
        }
    }

    /// CreateAutomationRule, its ARN in `region`.
    pub async fn create_rule(&self, caller: Caller, input: Value, region: String) -> Result<Value, ApiError> {
        self.on_writer(move |store| {
            crate::rules::ops::call(store, &caller, &region, Operation::CreateAutomationRule, &input)
        })
        .await
    }

    /// BatchImportFindings of findings read from the request body (`api::import_findings`).
    pub async fn import(&self, caller: Caller, findings: Vec<Incoming>) -> Result<Value, ApiError> {
        self.on_writer(move |store| api::import(store, &caller, findings)).await
    }

    async fn write(&self, caller: Caller, op: Operation, input: Value) -> Result<Value, ApiError> {
        self.on_writer(move |store| api::call(store, &caller, op, &input)).await
    }

    /// Runs `f` on the writer connection, in arrival order.
    async fn on_writer(
        &self,
        f: impl FnOnce(&mut Store) -> Result<Value, ApiError> + Send + 'static,
    ) -> Result<Value, ApiError> {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |store: &mut Store| {
            // The requester may have gone (dropped connection); the write stands regardless.
            let _ = reply.send(guarded(|| f(store)));
        });
        let sender = self.writer.lock().map_err(|_| internal("store writer lock poisoned"))?.clone();
        sender
            .ok_or_else(|| internal("the server is shutting down"))?
            .send(job)
            .map_err(|_| internal("the store writer has stopped"))?;
        answer.await.map_err(|_| internal("the store writer stopped before answering"))?
    }

    async fn read(&self, caller: Caller, op: Operation, input: Value) -> Result<Value, ApiError> {
        // The permit guarantees a free connection in the pool when the blocking task starts.
        let _permit = self.read_permits.acquire().await.map_err(|_| internal("the read pool is closed"))?;
        let pool = Arc::clone(&self.readers);
        tokio::task::spawn_blocking(move || {
            let mut store = pool
                .lock()
                .map_err(|_| internal("read pool lock poisoned"))?
                .pop()
                .ok_or_else(|| internal("no read connection"))?;
            let result = guarded(|| api::call(&mut store, &caller, op, &input));
            if let Ok(mut p) = pool.lock() {
                p.push(store);
            }
            result
        })
        .await
        .map_err(|e| internal(format!("read task failed: {e}")))?
    }

    /// Lets queued writes finish, then closes the writer (checkpointing the WAL) and the readers.
    pub fn close(&self) {
        if let Ok(mut w) = self.writer.lock() {
            w.take();
        }
        if let Some(t) = self.writer_thread.lock().ok().and_then(|mut t| t.take()) {
            let _ = t.join();
        }
        if let Ok(mut r) = self.readers.lock() {
            r.clear();
        }
    }
}
