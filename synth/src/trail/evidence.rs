//! What the sources hand back: CloudTrail events counted per role, session, event and
//! outcome. Counting happens as records stream past, so memory grows with the number of
//! distinct (role, event) pairs, never with the number of records.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::event::Record;
use super::time::Window;

/// The error codes of a call that IAM refused (CloudTrail User Guide, "Identity-based
/// policy denials"; EC2's query API says `Client.UnauthorizedOperation`).
pub const DENIAL_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "Client.UnauthorizedOperation",
    "UnauthorizedOperation",
];

/// How a call ended, as far as IAM is concerned.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    /// The call was authorized (it may still have failed for another reason).
    Allowed,
    /// IAM refused it; `action` is the action the error message names, when it names one.
    Denied { action: Option<String> },
}

/// One kind of call by one role.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    /// The role's ARN (`arn:aws:iam::123456789012:role/orders-role`).
    pub role: String,
    /// The session name when it is one the report asked about (a function's name), else empty.
    pub session: String,
    /// `dynamodb.amazonaws.com`.
    pub event_source: String,
    /// `PutItem`.
    pub event_name: String,
    pub outcome: Outcome,
}

/// How often, and when last.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub count: u64,
    /// Canonical UTC text; the latest event time.
    pub last_seen: String,
}

impl Tally {
    pub fn add(&mut self, count: u64, time: &str) {
        self.count += count;
        if time > self.last_seen.as_str() {
            self.last_seen = time.to_string();
        }
    }

    pub fn merge(&mut self, other: &Tally) {
        self.add(other.count, &other.last_seen);
    }
}

/// A file (or page, or query) that could not be read whole.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// The file as given or found (or `LookupEvents`, `CloudTrail Lake`).
    pub file: String,
    pub message: String,
}

/// Counts that say how much evidence there was, for the summary line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    pub files: u64,
    /// Files whose name puts them outside `--since`/`--until`; never opened.
    pub files_skipped: u64,
    pub records: u64,
    /// Records outside the window.
    pub records_outside: u64,
    /// Records not made by a role session (IAM users, AWS services, the root user).
    pub records_not_role: u64,
    /// Records without an event time, source or name, per file.
    pub records_incomplete: BTreeMap<String, u64>,
}

/// Everything one or more sources found.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    pub tallies: HashMap<Key, Tally>,
    pub problems: Vec<Problem>,
    pub stats: Stats,
    /// Warnings about the evidence as a whole (LookupEvents has no data events, ...).
    pub notes: BTreeSet<String>,
}

impl Evidence {
    pub fn merge(mut self, other: Evidence) -> Evidence {
        // Fold the smaller map into the larger one.
        let (mut big, small) = if self.tallies.len() >= other.tallies.len() {
            (std::mem::take(&mut self.tallies), other.tallies)
        } else {
            (other.tallies, std::mem::take(&mut self.tallies))
        };
        for (key, tally) in small {
            big.entry(key).or_default().merge(&tally);
        }
        self.tallies = big;
        self.problems.extend(other.problems);
        self.notes.extend(other.notes);
        let s = &mut self.stats;
        let o = other.stats;
        s.files += o.files;
        s.files_skipped += o.files_skipped;
        s.records += o.records;
        s.records_outside += o.records_outside;
        s.records_not_role += o.records_not_role;
        for (file, n) in o.records_incomplete {
            *s.records_incomplete.entry(file).or_default() += n;
        }
        self
    }

    /// The problems sorted, with one line per file that had incomplete records.
    pub fn all_problems(&self) -> Vec<Problem> {
        let mut problems = self.problems.clone();
        for (file, n) in &self.stats.records_incomplete {
            problems.push(Problem {
                file: file.clone(),
                message: format!(
                    "{n} record{} without eventTime, eventSource or eventName skipped",
                    if *n == 1 { "" } else { "s" }
                ),
            });
        }
        problems.sort();
        problems
    }
}

/// What to keep from each record: the window, and the session names worth telling apart.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub window: Window,
    /// Session names to keep (functions' deployed names); others count under the empty name.
    pub sessions: BTreeSet<String>,
}

impl Filter {
    /// Counts one record into `evidence`; `file` names where it came from, for problems.
    pub fn count(&self, record: Record, file: &str, evidence: &mut Evidence) {
        evidence.stats.records += 1;
        let (Some(time), Some(source), Some(name)) = (
            record.event_time.as_deref(),
            record.event_source.as_deref(),
            record.event_name.as_deref(),
        ) else {
            *evidence
                .stats
                .records_incomplete
                .entry(file.to_string())
                .or_default() += 1;
            return;
        };
        if !self.window.contains(time) {
            evidence.stats.records_outside += 1;
            return;
        }
        let Some(role) = record.role_arn.as_deref().filter(|r| r.contains(":role/")) else {
            evidence.stats.records_not_role += 1;
            return;
        };
        let session = record
            .session_name()
            .filter(|s| self.sessions.contains(*s))
            .unwrap_or_default();
        let outcome = match record.error_code.as_deref() {
            Some(code) if DENIAL_CODES.contains(&code) => Outcome::Denied {
                action: record.error_message.as_deref().and_then(denied_action),
            },
            _ => Outcome::Allowed,
        };
        let key = Key {
            role: role.to_string(),
            session: session.to_string(),
            event_source: source.to_string(),
            event_name: name.to_string(),
            outcome,
        };
        evidence.tallies.entry(key).or_default().add(1, time);
    }
}

/// The action an AccessDenied message names: `User: arn:... is not authorized to perform:
/// dynamodb:PutItem on resource: ...` (also `...perform: kms:Decrypt because no
/// identity-based policy allows...`).
pub fn denied_action(message: &str) -> Option<String> {
    let (_, rest) = message.split_once("not authorized to perform: ")?;
    let action: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '-' | '_' | '.'))
        .collect();
    let action = action.trim_end_matches('.');
    let (prefix, name) = action.split_once(':')?;
    (!prefix.is_empty() && !name.is_empty() && !name.contains(':')).then(|| action.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn denial_messages_name_the_action() {
        assert_eq!(
            denied_action("User: arn:aws:sts::1:assumed-role/r/f is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:1:table/Orders because no identity-based policy allows the dynamodb:PutItem action").as_deref(),
            Some("dynamodb:PutItem")
        );
        assert_eq!(
            denied_action("You are not authorized to perform: ec2:DescribeInstances.").as_deref(),
            Some("ec2:DescribeInstances")
        );
        assert_eq!(denied_action("Access Denied"), None);
    }

    #[test]
    fn records_count_per_role_event_and_outcome() {
        let filter = Filter {
            window: Window {
                since: Some("2026-11-01T00:00:00Z".into()),
                until: None,
            },
            sessions: ["CreateOrder".to_string()].into(),
        };
        let mut evidence = Evidence::default();
        let record = |time: &str, session: &str, error: Option<&str>| Record {
            event_time: Some(time.into()),
            event_source: Some("sqs.amazonaws.com".into()),
            event_name: Some("SendMessage".into()),
            error_code: error.map(str::to_string),
            error_message: None,
            role_arn: Some("arn:aws:iam::1:role/r".into()),
            identity_arn: Some(format!("arn:aws:sts::1:assumed-role/r/{session}")),
        };
        filter.count(
            record("2026-11-01T10:00:00Z", "CreateOrder", None),
            "f",
            &mut evidence,
        );
        filter.count(
            record("2026-11-01T11:00:00Z", "CreateOrder", None),
            "f",
            &mut evidence,
        );
        filter.count(
            record(
                "2026-11-01T09:00:00Z",
                "CreateOrder",
                Some("QueueDoesNotExist"),
            ),
            "f",
            &mut evidence,
        );
        filter.count(
            record("2026-11-02T09:00:00Z", "i-0abc", None),
            "f",
            &mut evidence,
        );
        filter.count(
            record("2026-11-02T09:00:00Z", "x", Some("AccessDenied")),
            "f",
            &mut evidence,
        );
        filter.count(
            record("2026-10-31T09:00:00Z", "x", None),
            "f",
            &mut evidence,
        );
        filter.count(Record::default(), "f", &mut evidence);

        let key = |session: &str, outcome: Outcome| Key {
            role: "arn:aws:iam::1:role/r".into(),
            session: session.into(),
            event_source: "sqs.amazonaws.com".into(),
            event_name: "SendMessage".into(),
            outcome,
        };
        let tally = |count, last: &str| Tally {
            count,
            last_seen: last.into(),
        };
        let expected: HashMap<Key, Tally> = [
            (
                key("CreateOrder", Outcome::Allowed),
                tally(3, "2026-11-01T11:00:00Z"),
            ),
            (key("", Outcome::Allowed), tally(1, "2026-11-02T09:00:00Z")),
            (
                key("", Outcome::Denied { action: None }),
                tally(1, "2026-11-02T09:00:00Z"),
            ),
        ]
        .into();
        assert_eq!(evidence.tallies, expected);
        assert_eq!(evidence.stats.records, 7);
        assert_eq!(evidence.stats.records_outside, 1);
        assert_eq!(evidence.stats.records_incomplete.get("f"), Some(&1));
    }
}
