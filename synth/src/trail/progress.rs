//! A progress bar on stderr for long reads (files, pages, query polls), shown only when
//! stderr is a terminal and `-q` was not given; otherwise every call is a no-op.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A bar when stderr is a terminal and `enabled`; otherwise nothing is drawn.
    pub fn new(enabled: bool) -> Progress {
        let bar = (enabled && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {pos}/{len} {msg} [{elapsed}] {wide_bar}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar
        });
        Progress { bar }
    }

    /// Draws nothing, ever (tests, piped output).
    pub fn hidden() -> Progress {
        Progress { bar: None }
    }

    /// Begins a count of `total` `what`s (0 when the total is unknown).
    pub fn start(&self, total: u64, what: &str) {
        if let Some(bar) = &self.bar {
            bar.set_position(0);
            bar.set_length(total);
            bar.set_message(what.to_string());
        }
    }

    pub fn advance(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
