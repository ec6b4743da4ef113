//! The `iamsynth` binary: the command line's edge, where errors become exit codes.

fn main() {
    std::process::exit(synth::cli::main());
}
