//! Generators of synthetic projects for the benchmarks.
