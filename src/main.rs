//! The `hubtriage` binary: parse arguments, run the command, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;
use hubtriage::cli::{self, Cli, Outcome};

/// Parsing and writing findings is allocation-heavy (a serde_json tree per finding): mimalloc cuts
/// that cost by about a quarter against the system allocator (benches/engine.rs uses it too).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's arenas committed as used (`alloc::commit_arenas_lazily`), set before the first allocation.
#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array"]
static AT_LOAD: extern "C" fn() = hubtriage::alloc::commit_arenas_lazily;

fn main() -> ExitCode {
    // Output piped into `head` ends quietly, as other command-line tools do, instead of panicking.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    match cli::run(cli) {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::Failed) => ExitCode::FAILURE,
        Err(e) => {
            // Errors can quote third-party text (file names, values); none of it may drive the terminal.
            eprintln!("hubtriage: {}", hubtriage::model::sanitize::text(&format!("{e:#}")));
            ExitCode::from(2)
        }
    }
}
