//! CloudTrail evidence: what the functions' roles really did, against what the code says.
//!
//! Static analysis says what the code can do; CloudTrail says what the role did. Sources
//! ([`Source`]) turn log files ([`files`]), the LookupEvents API ([`lookup`]) or a CloudTrail
//! Lake query ([`lake`]) into [`Evidence`]: events counted per role, event and outcome.
//! [`mapping`] turns each event into the IAM actions it was authorized by, through the same
//! catalog as the code side; [`report`] sets each function's evidence against its code, and
//! [`observe`] adds observed actions to a generated policy (`generate --with-observed`).

pub mod event;
pub mod evidence;
pub mod files;
pub mod lake;
pub mod lookup;
pub mod mapping;
pub mod observe;
pub mod progress;
pub mod render;
pub mod report;
pub mod time;

use thiserror::Error;

pub use evidence::{Evidence, Filter};
pub use progress::Progress;
pub use report::{RoleArg, TrailReport};

#[derive(Debug, Error)]
pub enum TrailError {
    /// Bad input: a missing path, a bad flag value.
    #[error("{0}")]
    Input(String),
    /// AWS answered with an error, or could not be reached.
    #[error("{0}")]
    Aws(String),
}

/// Somewhere CloudTrail events come from.
pub trait Source: Sync {
    /// How the source is named in the report (`CloudTrail log files`, `LookupEvents`).
    fn name(&self) -> String;
    /// Reads every event the filter keeps, counted.
    fn read(&self, filter: &Filter, progress: &Progress) -> Result<Evidence, TrailError>;
}

/// Reads every source, one after another, into one body of evidence.
pub fn read_all(
    sources: &[Box<dyn Source>],
    filter: &Filter,
    progress: &Progress,
) -> Result<Evidence, TrailError> {
    let mut evidence = Evidence::default();
    for source in sources {
        evidence = evidence.merge(source.read(filter, progress)?);
    }
    Ok(evidence)
}

/// Runs an AWS SDK future on a runtime of its own (the rest of iamsynth is synchronous).
pub(crate) fn block_on<F: std::future::Future>(future: F) -> Result<F::Output, TrailError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| TrailError::Aws(format!("cannot start the AWS client: {e}")))?;
    Ok(runtime.block_on(future))
}

/// The SDK configuration: the usual AWS environment (`AWS_PROFILE`, `AWS_REGION`,
/// `AWS_ENDPOINT_URL`, ...), with patient retries: LookupEvents allows about 2 requests a
/// second per account and region, and throttled calls are retried with backoff.
pub(crate) async fn aws_config() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(8))
        .load()
        .await
}

/// An SDK error with its service message, not just "service error".
pub(crate) fn sdk_error<E, R>(
    what: &str,
    error: aws_sdk_cloudtrail::error::SdkError<E, R>,
) -> TrailError
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug,
{
    use std::error::Error as _;
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    TrailError::Aws(format!("{what}: {message}"))
}
