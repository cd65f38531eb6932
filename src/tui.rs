//! The terminal side: setup and teardown (ratatui restores the terminal on panic too), the
//! crossterm event stream and a tick, and the main loop that turns keys into actions, runs
//! `update`, hands effects to the worker and redraws only when the state is dirty.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context as _, Result};
use crossterm::event::{Event as TermEvent, EventStream, KeyEventKind};
use futures_util::StreamExt;
use tokio::sync::mpsc;

use crate::app::state::Config;
use crate::app::{self, AppState, Effect};
use crate::backend::Backend;
use crate::keys::Keymap;
use crate::{ui, worker};

/// Settings from `config.toml` in the config directory:
/// `user = "alice"`, `suppress_reason_required = true` and `default_view = "all"`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub user: Option<String>,
    #[serde(default)]
    pub suppress_reason_required: bool,
    /// The view the workbench opens on (`app::views`); "open work" when not set.
    pub default_view: Option<String>,
    /// Clicks and the wheel; on unless `mouse = false`. Off leaves the terminal's own selection
    /// (copying text with the mouse) as it is.
    pub mouse: Option<bool>,
}

impl Settings {
    pub fn file() -> Option<PathBuf> {
        crate::paths::config_file("config.toml")
    }

    pub fn load(path: Option<&std::path::Path>) -> Result<Settings> {
        let Some(path) = path.filter(|p| p.exists()) else { return Ok(Settings::default()) };
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("settings {}", path.display()))
    }

    /// The view to open on: the command line's `--view`, else `default_view`, else the console's
    /// open work.
    pub fn start_view(&self, flag: Option<&str>) -> String {
        flag.or(self.default_view.as_deref()).unwrap_or(crate::app::views::OPEN_WORK).trim().to_string()
    }
}

/// The most a copy sends: terminals cap what OSC 52 takes (xterm and tmux near 100 kB).
const OSC52_MAX: usize = 100_000;

/// How often the open workbench has the worker reopen suppressions whose expiry has passed.
const EXPIRY_EVERY: Duration = Duration::from_secs(60);

/// How long the worker events waiting at once are handled before a frame is drawn and keys are
/// read again (the events left wait for the next turn of the loop).
pub const COALESCE_FOR: Duration = Duration::from_millis(30);

/// Standard base64 (RFC 4648, with padding), as OSC 52 carries the value.
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ABC[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Our own OSC 52 sequence for `text`: only base64 follows the fixed prefix, so the value cannot
/// end the sequence or drive the terminal. `Err` says why this terminal cannot take it.
fn osc52(text: &str, term: Option<&str>) -> Result<String, String> {
    match term {
        Some("linux") => return Err("the Linux console has no clipboard for OSC 52".into()),
        Some("dumb") => return Err("this terminal (TERM=dumb) has no clipboard for OSC 52".into()),
        _ => {}
    }
    let encoded = base64(text.as_bytes());
    if encoded.len() > OSC52_MAX {
        return Err(format!("it is too large for the terminal's clipboard ({} kB)", text.len() / 1000));
    }
    Ok(format!("\x1b]52;c;{encoded}\x07"))
}

/// Writes a copy to the terminal, and says how it went.
fn copy(what: String, text: &str) -> app::Event {
    use std::io::Write;
    let term = std::env::var("TERM").ok();
    let written = osc52(text, term.as_deref()).and_then(|seq| {
        let mut out = std::io::stdout();
        out.write_all(seq.as_bytes()).and_then(|()| out.flush()).map_err(|e| e.to_string())
    });
    match written {
        Ok(()) => app::Event::Copied { what, chars: text.chars().count() },
        Err(reason) => app::Event::CopyFailed { what, reason },
    }
}

fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

/// Runs the workbench until the analyst quits.
pub fn run(backend: Box<dyn Backend>, config: Config) -> Result<()> {
    crate::alloc::tune_for_workbench();
    let keymap = Keymap::load(Keymap::user_file().as_deref())?;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting the runtime")?;
    // The header's first words need not wait for the findings to be read (`Backend::first_description`).
    let source = backend.first_description().unwrap_or_else(|| backend.describe());
    let mut terminal = ratatui::init();
    // Mouse capture only when the mouse is on: capturing takes the terminal's own text selection.
    let mouse = config.mouse;
    if mouse {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture);
    }
    let result = rt.block_on(main_loop(&mut terminal, backend, config, source, &keymap));
    if mouse {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
    }
    ratatui::restore();
    result
}

async fn main_loop(
    terminal: &mut ratatui::DefaultTerminal,
    backend: Box<dyn Backend>,
    config: Config,
    source: String,
    keymap: &Keymap,
) -> Result<()> {
    let (effect_tx, effect_rx) = mpsc::unbounded_channel::<Effect>();
    let (event_tx, mut event_rx) = mpsc::unbounded_channel();
    let copy_tx = event_tx.clone();
    worker::spawn(backend, effect_rx, event_tx).context("starting the worker thread")?;
    let mut state = AppState::new(config, source, now());
    let size = terminal.size()?;
    app::resize(&mut state, size.width, size.height);
    // The first frame goes out before any data is read.
    terminal.draw(|f| ui::render(f, &state, keymap))?;
    let send = |effects: Vec<Effect>| {
        for e in effects {
            // A copy is a write to this terminal, made here between frames; its answer comes back
            // as the worker's do.
            if let Effect::Copy { what, text } = e {
                let _ = copy_tx.send(copy(what, &text));
                continue;
            }
            // The worker only goes away when we quit; a failed send then is harmless.
            let _ = effect_tx.send(e);
        }
    };
    // Suppressions whose expiry passed while the workbench was closed are reopened before the rows
    // are read, then every minute, by the worker (never on this thread).
    send(vec![Effect::ExpireDue]);
    send(app::start(&mut state));
    let mut next_expiry = std::time::Instant::now() + EXPIRY_EVERY;
    // Another process's writes to the store are noticed by the worker's poll (`worker::watch`).
    send(vec![Effect::WatchStore]);
    let mut next_watch = std::time::Instant::now() + worker::watch::WATCH_EVERY;
    let mut terminal_events = EventStream::new();
    let mut ticker = tokio::time::interval(Duration::from_millis(250));
    loop {
        tokio::select! {
            ev = terminal_events.next() => match ev {
                Some(Ok(TermEvent::Key(k))) if k.kind != KeyEventKind::Release => {
                    if let Some(a) = keymap.resolve(state.context(), &k) {
                        send(app::update(&mut state, a));
                    }
                }
                Some(Ok(TermEvent::Resize(w, h))) => app::resize(&mut state, w, h),
                Some(Ok(TermEvent::Mouse(m))) if state.config.mouse => {
                    if let Some(a) = ui::mouse_action(&state, &m) {
                        send(app::update(&mut state, a));
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => state.error(format!("terminal input: {e}")),
                None => break,
            },
            ev = event_rx.recv() => match ev {
                Some(ev) => {
                    send(app::handle_event(&mut state, ev));
                    // Coalesce a burst of worker events into one frame, for a while only: chunks of
                    // a large load queue up faster than the list takes them, and handling them all
                    // at once kept a key typed meanwhile waiting for several.
                    let burst = std::time::Instant::now();
                    while burst.elapsed() < COALESCE_FOR {
                        let Ok(ev) = event_rx.try_recv() else { break };
                        send(app::handle_event(&mut state, ev));
                    }
                }
                None => {
                    state.error("The background worker stopped; edits can no longer be sent");
                }
            },
            _ = ticker.tick() => {
                app::tick(&mut state, now());
                if std::time::Instant::now() >= next_expiry {
                    next_expiry = std::time::Instant::now() + EXPIRY_EVERY;
                    send(vec![Effect::ExpireDue]);
                }
                if std::time::Instant::now() >= next_watch {
                    next_watch = std::time::Instant::now() + worker::watch::WATCH_EVERY;
                    send(vec![Effect::WatchStore]);
                }
            }
        }
        if state.quit {
            break;
        }
        if state.dirty {
            if let Some(bottom) = ui::detail_bottom(&state) {
                app::detail_measured(&mut state, bottom);
            }
            if let Some(matches) = ui::detail_matches(&state) {
                app::detail_search_measured(&mut state, matches);
            }
            if state.help {
                let (w, h) = state.size;
                let area = ratatui::layout::Rect::new(0, 0, w, h);
                let bottom = ui::help_bottom(area, keymap, state.help_topic);
                app::help_measured(&mut state, bottom);
            }
            terminal.draw(|f| ui::render(f, &state, keymap))?;
            state.dirty = false;
        }
    }
    // The worker may still be busy (a load) or stopped at the quit: the history is written here
    // too, once the UI is done with.
    if let Some(path) = state.config.history_file.as_ref().filter(|_| state.cmdline.to_save()) {
        let _ = worker::history::write(path, &state.cmdline.history.entries);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Settings;

    #[test]
    fn a_copy_is_our_own_osc52_sequence_of_base64() {
        assert_eq!(super::base64(b""), "");
        assert_eq!(super::base64(b"f"), "Zg==");
        assert_eq!(super::base64(b"fo"), "Zm8=");
        assert_eq!(super::base64(b"foobar"), "Zm9vYmFy");
        let hostile = "arn:x\x07\x1b]52;c;ZXZpbA==\x07\x1b[2J";
        let seq = super::osc52(hostile, Some("xterm-256color")).unwrap();
        let body = seq.strip_prefix("\x1b]52;c;").and_then(|b| b.strip_suffix('\x07')).unwrap();
        assert!(body.chars().all(|c| c.is_ascii_alphanumeric() || "+/=".contains(c)), "{seq:?}");
        assert!(super::osc52("x", Some("linux")).unwrap_err().contains("Linux console"));
        let big = "x".repeat(super::OSC52_MAX);
        assert!(super::osc52(&big, None).unwrap_err().contains("too large"));
    }

    #[test]
    fn the_workbench_opens_on_open_work_unless_told_otherwise() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        assert_eq!(Settings::load(Some(&path)).unwrap().start_view(None), "open work");
        std::fs::write(&path, "default_view = \"all\"\n").unwrap();
        let settings = Settings::load(Some(&path)).unwrap();
        assert_eq!(settings.start_view(None), "all");
        assert_eq!(settings.start_view(Some("failed controls")), "failed controls", "--view wins");
    }
}
