//! Writing results: stdout, or one file per function written atomically, all or nothing.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

pub fn print(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        // A closed pipe (`| head`) is not an error of ours.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to stdout"),
    }
}

/// A function name as a file name: letters, digits, `.`, `_` and `-` kept, the rest `-`.
pub fn file_name(function: &str, extension: &str) -> String {
    let stem: String = function
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("{}.{extension}", stem.trim_matches('-'))
}

/// Writes every file into `dir` through a temporary file and a rename, so a reader never
/// sees half a file; the output is complete in memory before the first write.
pub fn write_files(dir: &Path, files: &[(String, &'static str, String)]) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut names = std::collections::BTreeSet::new();
    for (function, extension, _) in files {
        let name = file_name(function, extension);
        anyhow::ensure!(
            names.insert(name.clone()),
            "two functions map to the same file name {name}: {function}"
        );
    }
    for (function, extension, text) in files {
        let target = dir.join(file_name(function, extension));
        let mut temp = tempfile::NamedTempFile::new_in(dir)
            .with_context(|| format!("cannot write in {}", dir.display()))?;
        temp.write_all(text.as_bytes())
            .with_context(|| format!("cannot write {}", target.display()))?;
        temp.persist(&target)
            .with_context(|| format!("cannot write {}", target.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::file_name;

    #[test]
    fn function_names_become_safe_file_names() {
        assert_eq!(
            file_name("src/orders/app.py:handler", "json"),
            "src-orders-app.py-handler.json"
        );
        assert_eq!(file_name("CreateOrder", "yaml"), "CreateOrder.yaml");
    }
}
