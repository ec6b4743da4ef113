//! Reading project files safely: inside the root only, text only, bounded in size.

use std::path::{Component, Path, PathBuf};

use crate::diagnostics::Diagnostic;

/// Files larger than this are skipped with a note: generated bundles, data dumps.
pub const MAX_SOURCE_BYTES: u64 = 4 * 1024 * 1024;

/// A source file read into memory.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Relative to the project root, with `/`.
    pub rel: String,
    pub path: PathBuf,
    pub text: String,
}

/// Reads `path` (absolute, or relative to `root`) if it is a regular text file inside
/// `root`. Everything else becomes a diagnostic, never a panic: files reached through a
/// symlink that leaves the root, binary and non-UTF-8 files, files over the size limit.
pub fn read_source(root: &Path, path: &Path) -> Result<SourceFile, Diagnostic> {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        root.join(path)
    };
    let rel = relative(root, &joined);
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let canonical = joined
        .canonicalize()
        .map_err(|e| Diagnostic::warning(&rel, 0, format!("cannot read: {e}")))?;
    if !canonical.starts_with(&canonical_root) {
        return Err(Diagnostic::warning(
            &rel,
            0,
            "leads outside the project through a symlink; not followed",
        ));
    }
    let meta = std::fs::metadata(&canonical)
        .map_err(|e| Diagnostic::warning(&rel, 0, format!("cannot read: {e}")))?;
    if !meta.is_file() {
        return Err(Diagnostic::warning(&rel, 0, "not a regular file"));
    }
    if meta.len() > MAX_SOURCE_BYTES {
        return Err(Diagnostic::note(
            &rel,
            0,
            format!(
                "skipped: {} bytes is over the {} byte limit for source files",
                meta.len(),
                MAX_SOURCE_BYTES
            ),
        ));
    }
    let bytes = std::fs::read(&canonical)
        .map_err(|e| Diagnostic::warning(&rel, 0, format!("cannot read: {e}")))?;
    if bytes.contains(&0) {
        return Err(Diagnostic::warning(&rel, 0, "skipped: binary file"));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        Diagnostic::warning(
            &rel,
            0,
            format!(
                "skipped: not UTF-8 (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    Ok(SourceFile {
        rel,
        path: joined,
        text,
    })
}

/// `path` relative to `root`, with `/`, lexically normalised (`a/./b/../c` is `a/c`).
pub fn relative(root: &Path, path: &Path) -> String {
    let stripped = path.strip_prefix(root).unwrap_or(path);
    let mut parts: Vec<String> = Vec::new();
    for component in stripped.components() {
        match component {
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            Component::ParentDir => {
                parts.pop();
            }
            _ => {}
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_binary_non_utf8_and_escaping_symlinks() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("proj");
        std::fs::create_dir(&root).expect("mkdir");
        std::fs::write(root.join("ok.py"), "x = 1\n").expect("write");
        std::fs::write(root.join("bin.py"), b"\x00\x01").expect("write");
        std::fs::write(root.join("latin.py"), b"caf\xe9").expect("write");
        std::fs::write(dir.path().join("secret.py"), "y = 2\n").expect("write");
        #[cfg(unix)]
        std::os::unix::fs::symlink(dir.path().join("secret.py"), root.join("link.py"))
            .expect("symlink");

        assert_eq!(
            read_source(&root, Path::new("ok.py")).expect("ok").text,
            "x = 1\n"
        );
        assert!(
            read_source(&root, Path::new("bin.py"))
                .unwrap_err()
                .message
                .contains("binary")
        );
        assert!(
            read_source(&root, Path::new("latin.py"))
                .unwrap_err()
                .message
                .contains("UTF-8")
        );
        #[cfg(unix)]
        assert!(
            read_source(&root, Path::new("link.py"))
                .unwrap_err()
                .message
                .contains("outside")
        );
    }

    #[test]
    fn relative_paths_are_normalised() {
        assert_eq!(
            relative(Path::new("/r"), Path::new("/r/a/./b/../c.py")),
            "a/c.py"
        );
    }
}
