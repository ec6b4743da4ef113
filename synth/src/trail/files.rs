//! `--cloudtrail PATH`: CloudTrail log files as S3 delivers them, or any folder of them.
//!
//! Layout (CloudTrail User Guide, "Finding your CloudTrail log files"):
//! `AWSLogs/[o-ORGID/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz`.
//! Digest files (`CloudTrail-Digest/`) hold hashes, not events, and are skipped. Day folders
//! and files whose delivery time is outside `--since`/`--until` are skipped before they are
//! opened; each file is decompressed and parsed as a stream, files in parallel.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;
use rayon::prelude::*;

use super::event::read_records;
use super::evidence::{Evidence, Filter, Problem};
use super::progress::Progress;
use super::time::{Window, delivered_at};
use super::{Source, TrailError};

/// Log files and folders of log files.
#[derive(Debug, Clone)]
pub struct LogFiles {
    pub paths: Vec<PathBuf>,
}

impl Source for LogFiles {
    fn name(&self) -> String {
        "CloudTrail log files".to_string()
    }

    fn read(&self, filter: &Filter, progress: &Progress) -> Result<Evidence, TrailError> {
        let (files, skipped) = self.list(&filter.window)?;
        progress.start(files.len() as u64, "files");
        let mut evidence = files
            .par_iter()
            .map(|path| {
                let evidence = read_file(path, filter);
                progress.advance(1);
                evidence
            })
            .reduce(Evidence::default, Evidence::merge);
        progress.finish();
        evidence.stats.files_skipped += skipped;
        Ok(evidence)
    }
}

impl LogFiles {
    /// Every log file under the paths that may hold events in the window, sorted, and how
    /// many were skipped by their name.
    pub fn list(&self, window: &Window) -> Result<(Vec<PathBuf>, u64), TrailError> {
        let mut files = Vec::new();
        let mut skipped = 0;
        for root in &self.paths {
            if !root.exists() {
                return Err(TrailError::Input(format!(
                    "{}: no such file or folder",
                    root.display()
                )));
            }
            if root.is_file() {
                // A file named explicitly is read whatever its name says.
                files.push(root.clone());
                continue;
            }
            let window_for_walk = window.clone();
            let walker = ignore::WalkBuilder::new(root)
                .standard_filters(false)
                .follow_links(false)
                .sort_by_file_name(|a, b| a.cmp(b))
                .filter_entry(move |entry| {
                    let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                    !is_dir || day_folder_may_hold(entry.path(), &window_for_walk)
                })
                .build();
            for entry in walker {
                let entry = entry.map_err(|e| TrailError::Input(e.to_string()))?;
                if !entry.file_type().is_some_and(|t| t.is_file()) {
                    continue;
                }
                let path = entry.path();
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy())
                    .unwrap_or_default();
                if !is_log_file(&name) || is_digest(path) {
                    continue;
                }
                if delivered_at(&name).is_some_and(|at| !window.may_hold(at)) {
                    skipped += 1;
                    continue;
                }
                files.push(path.to_path_buf());
            }
        }
        files.sort();
        files.dedup();
        Ok((files, skipped))
    }
}

fn is_log_file(name: &str) -> bool {
    name.ends_with(".json") || name.ends_with(".json.gz")
}

fn is_digest(path: &Path) -> bool {
    path.components().any(|c| {
        c.as_os_str()
            .to_string_lossy()
            .contains("CloudTrail-Digest")
    })
}

/// A `YYYY`, `YYYY/MM` or `YYYY/MM/DD` folder under a `CloudTrail/REGION` folder is skipped
/// when the window excludes its dates; any other folder is walked.
fn day_folder_may_hold(path: &Path, window: &Window) -> bool {
    if window.since.is_none() && window.until.is_none() {
        return true;
    }
    let parts: Vec<String> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let Some(trail) = parts.iter().rposition(|p| p == "CloudTrail") else {
        return true;
    };
    // CloudTrail / REGION / YYYY / MM / DD
    let dated = parts.get(trail + 2..).unwrap_or_default();
    let number = |i: usize, len: usize| {
        dated
            .get(i)
            .filter(|p| p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|p| p.parse::<u32>().ok())
    };
    let Some(year) = number(0, 4) else {
        return true;
    };
    let month = number(1, 2);
    let day = month.and(number(2, 2));
    if dated.len() > 3
        || (dated.len() >= 2 && month.is_none())
        || (dated.len() == 3 && day.is_none())
    {
        return true;
    }
    window.may_hold_day(i64::from(year), month, day)
}

/// Reads one file; whatever breaks is a problem of this file, and the records read before the
/// break still count.
pub fn read_file(path: &Path, filter: &Filter) -> Evidence {
    let label = path.display().to_string();
    let mut evidence = Evidence::default();
    evidence.stats.files = 1;
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) => {
            evidence.problems.push(Problem {
                file: label,
                message: format!("cannot open: {e}"),
            });
            return evidence;
        }
    };
    let gzip = path.extension().is_some_and(|e| e == "gz");
    let reader: Box<dyn Read> = if gzip {
        Box::new(MultiGzDecoder::new(BufReader::with_capacity(1 << 16, file)))
    } else {
        Box::new(file)
    };
    let reader = BufReader::with_capacity(1 << 16, reader);
    let before = evidence.stats.records;
    let mut sink = |record| filter.count(record, &label, &mut evidence);
    let result = read_records(reader, &mut sink);
    if let Ok(false) = result {
        evidence.problems.push(Problem {
            file: label.clone(),
            message: "not a CloudTrail log file: no Records array".to_string(),
        });
    }
    if let Err(error) = result {
        let read = evidence.stats.records - before;
        let what = if error.is_io() {
            if gzip {
                "not a readable gzip stream"
            } else {
                "unreadable"
            }
        } else if error.is_eof() {
            "truncated JSON"
        } else {
            "invalid JSON"
        };
        evidence.problems.push(Problem {
            file: label,
            message: format!(
                "{what} ({error}); the {read} record{} before it still count{}",
                if read == 1 { "" } else { "s" },
                if read == 1 { "s" } else { "" }
            ),
        });
    }
    evidence
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_folders_outside_the_window_are_pruned() {
        let window = Window {
            since: Some("2026-11-02T00:00:00Z".into()),
            until: Some("2026-11-02T23:59:59Z".into()),
        };
        let base = "logs/AWSLogs/o-abc123/123456789012/CloudTrail/us-east-1";
        let holds = |p: &str| day_folder_may_hold(Path::new(&format!("{base}/{p}")), &window);
        assert!(holds("2026"));
        assert!(holds("2026/11"));
        assert!(!holds("2026/10"));
        assert!(!holds("2026/11/01"));
        assert!(holds("2026/11/02"));
        assert!(holds("2026/11/03"), "a late delivery may cross midnight");
        assert!(!holds("2026/11/04"));
        assert!(holds("notes"));
        assert!(day_folder_may_hold(
            Path::new("elsewhere/2026/10/01"),
            &window
        ));
    }
}
