//! `--lookup`: the LookupEvents API (CloudTrail's 90-day event history).
//!
//! LookupEvents holds management events only: S3 object, DynamoDB item, Lambda Invoke, SQS
//! and SNS calls never appear there, so the report says so. Pages of 50 events follow
//! `NextToken`; the API allows about 2 requests a second, and throttled requests are retried
//! with the SDK's exponential backoff (see [`super::aws_config`]).
//! Source: CloudTrail API Reference, LookupEvents.

use aws_sdk_cloudtrail::primitives::DateTime;

use super::event::Record;
use super::evidence::{Evidence, Filter, Problem};
use super::progress::Progress;
use super::time::seconds_of;
use super::{Source, TrailError, aws_config, block_on, sdk_error};

/// The warning every LookupEvents report carries.
pub const MANAGEMENT_ONLY: &str = "LookupEvents holds management events only (the last 90 days): S3 object, DynamoDB item, Lambda Invoke, SQS and SNS calls never appear there, so such actions are listed as not observed; use --cloudtrail with a trail that logs data events, or --lake";

pub struct Lookup;

impl Source for Lookup {
    fn name(&self) -> String {
        "LookupEvents".to_string()
    }

    fn read(&self, filter: &Filter, progress: &Progress) -> Result<Evidence, TrailError> {
        block_on(read(filter, progress))?
    }
}

async fn read(filter: &Filter, progress: &Progress) -> Result<Evidence, TrailError> {
    let config = aws_config().await;
    let client = aws_sdk_cloudtrail::Client::new(&config);
    let time = |t: &Option<String>| t.as_deref().and_then(seconds_of).map(DateTime::from_secs);
    let mut pages = client
        .lookup_events()
        .set_start_time(time(&filter.window.since))
        .set_end_time(time(&filter.window.until))
        .max_results(50)
        .into_paginator()
        .send();
    let mut evidence = Evidence::default();
    evidence.notes.insert(MANAGEMENT_ONLY.to_string());
    progress.start(0, "LookupEvents pages");
    let mut page_number = 0u64;
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| sdk_error("LookupEvents", e))?;
        page_number += 1;
        for event in page.events() {
            let Some(text) = event.cloud_trail_event() else {
                continue;
            };
            match Record::from_json(text) {
                Ok(record) => filter.count(record, "LookupEvents", &mut evidence),
                Err(e) => evidence.problems.push(Problem {
                    file: format!("LookupEvents page {page_number}"),
                    message: format!(
                        "event {} is not valid JSON: {e}",
                        event.event_id().unwrap_or("?")
                    ),
                }),
            }
        }
        progress.advance(1);
    }
    progress.finish();
    Ok(evidence)
}
