//! `--lake EVENT_DATA_STORE`: CloudTrail Lake, for organisation-scale trails.
//!
//! One SQL query (StartQuery) has the service count events per role, session, event and
//! outcome; only those aggregate rows come back (GetQueryResults, polled until the query
//! finishes, then paged by `NextToken`). Lake speaks Trino SQL (CloudTrail User Guide,
//! "CloudTrail Lake SQL constraints").

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_cloudtrail::types::QueryStatus;

use super::evidence::{DENIAL_CODES, Evidence, Filter, Key, Outcome, Problem};
use super::progress::Progress;
use super::time::normalize;
use super::{Source, TrailError, aws_config, block_on, sdk_error};

pub struct Lake {
    /// The event data store's ARN or id.
    pub event_data_store: String,
    /// Longest wait for the query, polling with backoff.
    pub timeout: Duration,
}

impl Source for Lake {
    fn name(&self) -> String {
        format!("CloudTrail Lake {}", self.store_id().unwrap_or("?"))
    }

    fn read(&self, filter: &Filter, progress: &Progress) -> Result<Evidence, TrailError> {
        let store = self.store_id().ok_or_else(|| {
            TrailError::Input(format!(
                "--lake {}: expected an event data store ARN or id",
                self.event_data_store
            ))
        })?;
        let sql = query(store, filter);
        block_on(run(&sql, self.timeout, progress))?
    }
}

impl Lake {
    /// The id part of `arn:aws:cloudtrail:REGION:ACCOUNT:eventdatastore/ID`, or the id itself.
    fn store_id(&self) -> Option<&str> {
        let id = self
            .event_data_store
            .rsplit('/')
            .next()
            .unwrap_or(&self.event_data_store);
        (!id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')).then_some(id)
    }
}

/// The aggregate query. Session names are kept only for the functions asked about, so the
/// result stays one row per role and event kind.
pub fn query(store: &str, filter: &Filter) -> String {
    let quote = |s: &str| format!("'{}'", s.replace('\'', "''"));
    let denial_codes = DENIAL_CODES
        .iter()
        .map(|c| quote(c))
        .collect::<Vec<_>>()
        .join(", ");
    let session = "element_at(split(userIdentity.arn, '/'), 3)";
    let session_column = if filter.sessions.is_empty() {
        "''".to_string()
    } else {
        let names = filter
            .sessions
            .iter()
            .map(|s| quote(s))
            .collect::<Vec<_>>()
            .join(", ");
        format!("CASE WHEN {session} IN ({names}) THEN {session} ELSE '' END")
    };
    let mut conditions =
        vec!["userIdentity.sessionContext.sessionIssuer.arn LIKE 'arn:%:role/%'".to_string()];
    let lake_time = |t: &str| quote(&t.replace('T', " ").replace('Z', ""));
    if let Some(since) = &filter.window.since {
        conditions.push(format!("eventTime >= {}", lake_time(since)));
    }
    if let Some(until) = &filter.window.until {
        conditions.push(format!("eventTime <= {}", lake_time(until)));
    }
    format!(
        "SELECT userIdentity.sessionContext.sessionIssuer.arn AS role, \
{session_column} AS session, eventSource, eventName, \
CASE WHEN errorCode IN ({denial_codes}) THEN 'denied' ELSE 'allowed' END AS outcome, \
CASE WHEN errorCode IN ({denial_codes}) THEN regexp_extract(errorMessage, 'not authorized to perform: ([A-Za-z0-9-]+:[A-Za-z0-9*]+)', 1) END AS deniedAction, \
COUNT(*) AS calls, MAX(eventTime) AS lastSeen \
FROM {store} WHERE {} GROUP BY 1, 2, 3, 4, 5, 6",
        conditions.join(" AND ")
    )
}

async fn run(sql: &str, timeout: Duration, progress: &Progress) -> Result<Evidence, TrailError> {
    let config = aws_config().await;
    let client = aws_sdk_cloudtrail::Client::new(&config);
    let started = client
        .start_query()
        .query_statement(sql)
        .send()
        .await
        .map_err(|e| sdk_error("CloudTrail Lake StartQuery", e))?;
    let query_id = started
        .query_id()
        .ok_or_else(|| TrailError::Aws("CloudTrail Lake StartQuery returned no query id".into()))?
        .to_string();
    let mut evidence = Evidence::default();
    let mut next_token: Option<String> = None;
    let mut waited = Duration::ZERO;
    let mut delay = Duration::from_millis(200);
    progress.start(0, "CloudTrail Lake result pages");
    loop {
        let page = client
            .get_query_results()
            .query_id(&query_id)
            .set_next_token(next_token.clone())
            .send()
            .await
            .map_err(|e| sdk_error("CloudTrail Lake GetQueryResults", e))?;
        match page.query_status() {
            Some(QueryStatus::Queued) | Some(QueryStatus::Running) => {
                if waited >= timeout {
                    return Err(TrailError::Aws(format!(
                        "CloudTrail Lake query {query_id} did not finish within {} s",
                        timeout.as_secs()
                    )));
                }
                tokio::time::sleep(delay).await;
                waited += delay;
                delay = (delay * 2).min(Duration::from_secs(5));
                continue;
            }
            Some(QueryStatus::Finished) => {}
            other => {
                return Err(TrailError::Aws(format!(
                    "CloudTrail Lake query {query_id} ended {}: {}",
                    other.map_or("without a status", |s| s.as_str()),
                    page.error_message().unwrap_or("no message")
                )));
            }
        }
        for row in page.query_result_rows() {
            add_row(row, &mut evidence);
        }
        progress.advance(1);
        next_token = page.next_token().map(str::to_string);
        if next_token.is_none() {
            break;
        }
    }
    progress.finish();
    Ok(evidence)
}

/// One result row: a list of single-column maps, as GetQueryResults returns them.
fn add_row(row: &[HashMap<String, String>], evidence: &mut Evidence) {
    let get = |column: &str| {
        row.iter()
            .find_map(|cell| cell.get(column))
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    let count = get("calls").and_then(|c| c.parse::<u64>().ok());
    let last_seen = get("lastSeen").and_then(normalize);
    let (Some(role), Some(source), Some(name), Some(count), Some(last_seen)) = (
        get("role"),
        get("eventSource"),
        get("eventName"),
        count,
        last_seen,
    ) else {
        evidence.problems.push(Problem {
            file: "CloudTrail Lake".into(),
            message: format!("a result row lacks a column or has an unreadable value: {row:?}"),
        });
        return;
    };
    let outcome = if get("outcome") == Some("denied") {
        Outcome::Denied {
            action: get("deniedAction").map(str::to_string),
        }
    } else {
        Outcome::Allowed
    };
    evidence.stats.records += count;
    let key = Key {
        role: role.to_string(),
        session: get("session").unwrap_or_default().to_string(),
        event_source: source.to_string(),
        event_name: name.to_string(),
        outcome,
    };
    evidence
        .tallies
        .entry(key)
        .or_default()
        .add(count, &last_seen);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trail::time::Window;

    #[test]
    fn the_query_aggregates_in_the_service() {
        let filter = Filter {
            window: Window {
                since: Some("2026-11-01T00:00:00Z".into()),
                until: None,
            },
            sessions: ["orders-dev-create".to_string(), "o'brien".to_string()].into(),
        };
        let sql = query("EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE", &filter);
        assert!(sql.contains("FROM EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE WHERE"));
        assert!(sql.contains("GROUP BY 1, 2, 3, 4, 5, 6"));
        assert!(sql.contains("IN ('o''brien', 'orders-dev-create')"));
        assert!(sql.contains("eventTime >= '2026-11-01 00:00:00'"));
        assert!(sql.contains("COUNT(*) AS calls, MAX(eventTime) AS lastSeen"));
    }

    #[test]
    fn store_ids_come_from_arns() {
        let lake = |s: &str| Lake {
            event_data_store: s.into(),
            timeout: Duration::from_secs(1),
        };
        assert_eq!(
            lake("arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/EXAMPLE-1").store_id(),
            Some("EXAMPLE-1")
        );
        assert_eq!(lake("x; DROP").store_id(), None);
    }
}
