//! The workbench's core, free of terminal, async runtime and I/O: state, the three message types
//! (`Action` in, `Effect` out, `Event` back), and the pure `update`/`handle_event` functions.
//!
//! A bench or test drives it without a terminal:
//! `AppState::new` → `update::start` → `handle_event(RowsLoaded{..})` → `update(Action)` →
//! `ui::render` into a ratatui `TestBackend`.
pub mod action;
pub mod edit;
pub mod effect;
pub mod event;
pub mod filter;
pub mod form;
pub mod layout;
pub mod matcher;
pub mod row;
pub mod rows;
pub mod state;
pub mod update;

pub use action::Action;
pub use effect::Effect;
pub use event::Event;
pub use state::AppState;
pub use update::{detail_measured, handle_event, resize, start, tick, update};
#[cfg(test)]
pub(crate) mod tests;
