//! The `iamsynth` binary: the command line's edge, where errors become exit codes.

/// mimalloc for Rust and, through its `override` feature, for tree-sitter's C code too.
/// A tree-sitter tree is one heap block per syntax node: analysing 2,000 Python files
/// makes and frees a million of them, and glibc's free-list coalescing was a fifth of the
/// analysis time (see bench/python.rs). The benchmarks use the same allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(synth::cli::main());
}
