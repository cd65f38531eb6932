//! hubtriage: triage AWS Security Hub findings from the terminal.
//!
//! `model` holds the findings model and the service's rules as pure functions; `store` is the
//! embedded SQLite store that applies them; `api` speaks the Security Hub operations as JSON in and
//! JSON out over a store; `query` is the human query language; `generate` makes synthetic findings;
//! `input` reads findings files; `cli` is the command line; `serve` puts the store behind Security
//! Hub's HTTP API; `remote` is the client of a remote Security Hub; `sigv4` signs and verifies AWS Signature Version 4 requests; `paths` says where
//! files are kept by default; `alloc` sets the binary's allocator.
pub mod alloc;
pub mod api;
pub mod app;
pub mod backend;
pub mod cli;
pub mod export;
pub mod generate;
pub mod input;
pub mod keys;
pub mod model;
pub mod paths;
pub mod query;
pub mod remote;
pub mod rules;
pub mod serve;
pub mod sigv4;
pub mod store;
pub mod tui;
pub mod ui;
pub mod worker;
