//! The thread Rust analysis runs on.
//!
//! syn and the walker recurse over the syntax tree, so analysis needs a large stack; and
//! proc-macro2 (with span locations) keeps a per-thread map of every source file it has
//! lexed, which only the thread itself can clear. Spawning a thread per analysis gave both,
//! but cost a spawn and fresh stack pages per function (a measurable share of the
//! throughput benchmark). Instead each calling thread keeps one long-lived worker with a
//! large stack; the worker clears its span map after every analysis, so memory stays flat.

use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Receiver, Sender, channel};

use crate::{Context, Entry, FunctionFacts};

/// Stack for an analysis thread: generous, since deep nesting is legal Rust.
const ANALYSIS_STACK_BYTES: usize = 256 * 1024 * 1024;

/// One analysis: what to analyse, and where the worker sends the outcome (`None` when the
/// analysis panicked).
type Job = (Context, Entry);
type Outcome = Option<FunctionFacts>;

struct Worker {
    jobs: Sender<Job>,
    outcomes: Receiver<Outcome>,
}

thread_local! {
    /// This thread's worker, started on first use. Dropped with the thread: the worker's
    /// channel closes and it ends.
    static WORKER: RefCell<Option<Worker>> = const { RefCell::new(None) };
}

/// Runs `analyze(ctx, entry)` on this thread's analysis worker. `Err(())` when no worker
/// thread could be started (the caller analyses in place); `Ok(None)` when the analysis
/// panicked (the worker survives and serves the next call).
pub fn run(
    ctx: &Context,
    entry: &Entry,
    analyze: fn(&Context, &Entry) -> FunctionFacts,
) -> Result<Outcome, ()> {
    WORKER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = start(analyze);
        }
        let worker = slot.as_ref().ok_or(())?;
        let sent = worker.jobs.send((ctx.clone(), entry.clone()));
        match sent.ok().and_then(|()| worker.outcomes.recv().ok()) {
            Some(outcome) => Ok(outcome),
            // The worker is gone (it cannot be, short of an abort): start afresh next time.
            None => {
                *slot = None;
                Err(())
            }
        }
    })
}

fn start(analyze: fn(&Context, &Entry) -> FunctionFacts) -> Option<Worker> {
    let (jobs, job_rx) = channel::<Job>();
    let (outcome_tx, outcomes) = channel::<Outcome>();
    std::thread::Builder::new()
        .name("iamsynth-rust".into())
        .stack_size(ANALYSIS_STACK_BYTES)
        .spawn(move || {
            while let Ok((ctx, entry)) = job_rx.recv() {
                let outcome = catch_unwind(AssertUnwindSafe(|| analyze(&ctx, &entry))).ok();
                // Spans of the files just parsed are never looked at again.
                proc_macro2::extra::invalidate_current_thread_spans();
                if outcome_tx.send(outcome).is_err() {
                    break;
                }
            }
        })
        .ok()?;
    Some(Worker { jobs, outcomes })
}
