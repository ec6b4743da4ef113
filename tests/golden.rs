//! Golden tests: every `fixtures/**/golden.toml` (and `examples/**/golden.toml`) names command lines and the exact output
//! expected from each, written by hand from AWS documentation. The fixture folder is the
//! working directory. A difference prints both texts and fails.

mod support;

use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Golden {
    case: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    args: Vec<String>,
    /// File (relative to the fixture) holding the exact expected stdout.
    expected: String,
    #[serde(default)]
    exit: i32,
    /// Text that must appear in stderr.
    #[serde(default)]
    stderr_contains: Vec<String>,
}

fn golden_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            golden_files(&path, out);
        } else if path.file_name().is_some_and(|n| n == "golden.toml") {
            out.push(path);
        }
    }
}

#[test]
fn every_fixture_matches_its_golden_output() {
    let mut files = Vec::new();
    golden_files(&support::fixtures(), &mut files);
    golden_files(&support::repo_root().join("examples"), &mut files);
    assert!(!files.is_empty(), "no fixtures/**/golden.toml found");
    let mut failures = Vec::new();
    let mut cases = 0;
    for file in &files {
        let dir = file.parent().expect("golden.toml has a folder");
        let text = std::fs::read_to_string(file).expect("readable golden.toml");
        let golden: Golden =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for case in golden.case {
            cases += 1;
            let args: Vec<&str> = case.args.iter().map(String::as_str).collect();
            let output = support::iamsynth(dir, &args);
            let expected = std::fs::read_to_string(dir.join(&case.expected))
                .unwrap_or_else(|e| panic!("{}: {e}", dir.join(&case.expected).display()));
            let got = support::stdout(&output);
            let code = output.status.code().unwrap_or(-1);
            let stderr = support::stderr(&output);
            let label = format!(
                "{} iamsynth {}",
                dir.strip_prefix(support::repo_root())
                    .unwrap_or(dir)
                    .display(),
                case.args.join(" ")
            );
            if code != case.exit {
                failures.push(format!(
                    "{label}: exit {code}, expected {}\nstderr:\n{stderr}",
                    case.exit
                ));
            } else if got != expected {
                failures.push(format!("{label}: stdout differs from {}\n--- expected\n{expected}\n--- got\n{got}\nstderr:\n{stderr}", case.expected));
            }
            for needle in &case.stderr_contains {
                if !stderr.contains(needle) {
                    failures.push(format!(
                        "{label}: stderr lacks {needle:?}\nstderr:\n{stderr}"
                    ));
                }
            }
        }
    }
    println!("{cases} golden cases in {} fixtures", files.len());
    assert!(
        failures.is_empty(),
        "{} of {cases} golden cases failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
