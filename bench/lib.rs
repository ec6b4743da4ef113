//! Generators of synthetic projects for the benchmarks. Each benchmark target lives in its
//! own file (`catalog.rs`, `python.rs`, ...); speed targets are measured here, never in tests.

/// The allocator of the `iamsynth` binary (synth/src/main.rs), so that what the benchmarks
/// measure, analyses and raw parser baselines alike, is what users run.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
