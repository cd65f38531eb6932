//! Remote mode's client foundation: Security Hub (or anything that speaks its REST-JSON API, such as
//! `hubtriage serve`) over HTTPS. `endpoint` says where and in which region, `credentials` loads the
//! AWS CLI's credential chain, `limit` keeps each (account, region, operation) within the published
//! rate, `retry` decides what is sent again and when, `client` signs with `sigv4` and sends the
//! operations with the wire types of `model::wire`, and `error` says what went wrong in words a user
//! can act on; `backend` is `RemoteBackend`, the workbench's `Backend` over a client. Nothing here ever prints a secret: the types that hold one have a redacting `Debug`.
//!
//! `outbox` keeps every edit on disk before it is acknowledged and `sender` sends it; `cache` mirrors
//! a view of the remote's findings into a local store that the workbench and `findings` read.

pub mod backend;
pub mod cache;
pub mod client;
pub mod credentials;
pub mod endpoint;
pub mod error;
pub mod http;
pub mod limit;
pub mod outbox;
pub mod pending;
pub mod recheck;
pub mod recheck_v2;
pub mod retry;
pub mod sender;

pub use backend::RemoteBackend;
pub use client::{Client, ClientConfig, ClientStats, Operation};
pub use endpoint::{Environment, RemoteOptions};
pub use error::RemoteError;
