//! Generators of synthetic projects for the benchmarks. Each benchmark target lives in its
//! own file (`catalog.rs`, `python.rs`, ...); speed targets are measured here, never in tests.
