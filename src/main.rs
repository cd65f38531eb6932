//! The `hubtriage` binary: parse arguments, run the command, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;
use hubtriage::cli::{self, Cli, Outcome};

// The binary's allocator (`hubtriage::alloc::binary_allocator`).
hubtriage::binary_allocator!();

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
