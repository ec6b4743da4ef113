//! `--deployed live`: each function's execution role as IAM has it today. The only part of
//! iamsynth that touches the network.
//!
//! The role is the one `--role` names, else the deployed function's (Lambda
//! `GetFunctionConfiguration`), else the ARN the infrastructure gives. Its permissions are
//! its inline policies (`ListRolePolicies`, `GetRolePolicy`) and the default version of each
//! attached managed policy (`ListAttachedRolePolicies`, `GetPolicy`, `GetPolicyVersion`);
//! documents come back percent-encoded and are decoded. A permissions boundary is noted,
//! not evaluated. Endpoint, region and credentials come from the standard AWS environment
//! (`AWS_ENDPOINT_URL`, `AWS_PROFILE`, `AWS_ACCESS_KEY_ID` ...). Timeouts and a single retry
//! keep a dead endpoint from hanging: every failure is an error within 30 seconds.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Context as _, Result, anyhow, bail};
use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_iam::config::http::HttpResponse;
use aws_sdk_iam::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use super::deployed::Deployed;
use crate::generate::{FunctionReport, Report};

/// The whole live read must finish within this, or it is an error.
const DEADLINE: Duration = Duration::from_secs(25);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(4);
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(8);
const OPERATION_TIMEOUT: Duration = Duration::from_secs(15);

/// Error codes by which AWS rejects the credentials themselves: an unknown access key, a
/// wrong secret, an expired session (IAM, STS and Lambda API references, "Common Errors").
const REJECTED_CODES: &[&str] = &[
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "ExpiredTokenException",
    "UnrecognizedClientException",
    "InvalidAccessKeyId",
    "AuthFailure",
    "InvalidSignatureException",
];

/// Error codes by which AWS refuses an authenticated caller an action its policies do not
/// allow.
const NOT_ALLOWED_CODES: &[&str] = &["AccessDenied", "AccessDeniedException"];

/// Every action the live read calls, said when one is refused so the whole grant can be
/// added at once.
const READ_ACTIONS: &[&str] = &[
    "iam:GetRole",
    "iam:ListRolePolicies",
    "iam:GetRolePolicy",
    "iam:ListAttachedRolePolicies",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
    "lambda:GetFunctionConfiguration",
];

/// Which role each function has, as the command line says.
#[derive(Debug, Clone, Default)]
pub struct Targets {
    /// `--role ROLE`: the role of every function.
    pub role_for_all: Option<String>,
    /// `--role FUNCTION=ROLE`.
    pub roles: BTreeMap<String, String>,
    /// `--function-name FUNCTION=NAME`: the deployed Lambda function.
    pub function_names: BTreeMap<String, String>,
}

/// Where to look up a function's role.
enum Source {
    Role(String),
    Function(String),
}

/// The live permissions of each function of `report`, in order.
pub fn deployed(report: &Report, targets: &Targets) -> Result<Vec<Deployed>> {
    let sources = report
        .functions
        .iter()
        .map(|f| source(f, targets))
        .collect::<Result<Vec<_>>>()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the AWS client runtime")?;
    runtime.block_on(async {
        match tokio::time::timeout(DEADLINE, read_all(&sources)).await {
            Ok(result) => result,
            Err(_) => Err(anyhow!(
                "no answer from AWS{} within {} seconds",
                endpoint_hint(),
                DEADLINE.as_secs()
            )),
        }
    })
}

fn source(function: &FunctionReport, targets: &Targets) -> Result<Source> {
    if let Some(role) = targets.roles.get(&function.name) {
        return Ok(Source::Role(role.clone()));
    }
    if let Some(name) = targets.function_names.get(&function.name) {
        return Ok(Source::Function(name.clone()));
    }
    if let Some(role) = &targets.role_for_all {
        return Ok(Source::Role(role.clone()));
    }
    let spec = function.spec.as_ref();
    if let Some(analyzer::infra::RoleSpec::External { role }) = spec.and_then(|s| s.role.as_ref())
        && let Some(role) = known_text(role)
        && role.starts_with("arn:")
    {
        return Ok(Source::Role(role));
    }
    if let Some(name) = spec.and_then(|s| known_text(&s.function_name)) {
        return Ok(Source::Function(name));
    }
    bail!(
        "cannot tell which deployed function or role {} is: give --function-name {}=NAME or --role {}=ROLE",
        function.name,
        function.name,
        function.name
    )
}

fn known_text(value: &analyzer::Value) -> Option<String> {
    match value {
        analyzer::Value::Str { value } => Some(value.clone()),
        analyzer::Value::Infra(reference) if reference.attribute.is_none() => {
            reference.known.clone()
        }
        _ => None,
    }
}

async fn read_all(sources: &[Source]) -> Result<Vec<Deployed>> {
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
        .operation_timeout(OPERATION_TIMEOUT)
        .build();
    let config = aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(timeouts)
        .retry_config(RetryConfig::standard().with_max_attempts(2))
        .load()
        .await;
    // IAM is global: it signs in us-east-1 whatever the configured region.
    let iam_config = aws_sdk_iam::config::Builder::from(&config)
        .region(aws_config::Region::new("us-east-1"))
        .build();
    let iam = aws_sdk_iam::Client::from_conf(iam_config);
    let lambda = aws_sdk_lambda::Client::new(&config);
    let mut roles: BTreeMap<String, Deployed> = BTreeMap::new();
    let mut out = Vec::with_capacity(sources.len());
    for source in sources {
        let role = match source {
            Source::Role(role) => role.clone(),
            Source::Function(name) => {
                let configuration = lambda
                    .get_function_configuration()
                    .function_name(name)
                    .send()
                    .await
                    .map_err(|e| {
                        aws_error(
                            &format!("Lambda function {name}"),
                            "lambda:GetFunctionConfiguration",
                            e,
                        )
                    })?;
                configuration
                    .role()
                    .map(str::to_string)
                    .ok_or_else(|| anyhow!("Lambda function {name} has no role"))?
            }
        };
        let name = role_name(&role).to_string();
        if !roles.contains_key(&name) {
            let deployed = read_role(&iam, &name).await?;
            roles.insert(name.clone(), deployed);
        }
        out.push(roles[&name].clone());
    }
    Ok(out)
}

/// `arn:aws:iam::123456789012:role/service-role/orders` -> `orders`; a name stays itself.
fn role_name(role: &str) -> &str {
    if role.starts_with("arn:") {
        role.rsplit('/').next().unwrap_or(role)
    } else {
        role
    }
}

async fn read_role(iam: &aws_sdk_iam::Client, name: &str) -> Result<Deployed> {
    let what = format!("IAM role {name}");
    let role = iam
        .get_role()
        .role_name(name)
        .send()
        .await
        .map_err(|e| aws_error(&what, "iam:GetRole", e))?;
    let role = role
        .role()
        .ok_or_else(|| anyhow!("{what}: IAM returned no role"))?;
    let mut deployed = Deployed::new(Some(role.arn().to_string()));
    if let Some(boundary) = role
        .permissions_boundary()
        .and_then(|b| b.permissions_boundary_arn())
    {
        deployed.notes.push(format!(
            "permissions boundary {boundary} is attached: not evaluated (it can only narrow what the role allows)"
        ));
    }

    let mut marker: Option<String> = None;
    let mut inline = Vec::new();
    loop {
        let page = iam
            .list_role_policies()
            .role_name(name)
            .set_marker(marker.take())
            .send()
            .await
            .map_err(|e| aws_error(&what, "iam:ListRolePolicies", e))?;
        inline.extend(page.policy_names().iter().cloned());
        match (page.is_truncated(), page.marker()) {
            (true, Some(next)) => marker = Some(next.to_string()),
            _ => break,
        }
    }
    for policy in inline {
        let document = iam
            .get_role_policy()
            .role_name(name)
            .policy_name(&policy)
            .send()
            .await
            .map_err(|e| {
                aws_error(
                    &format!("{what}, inline policy {policy}"),
                    "iam:GetRolePolicy",
                    e,
                )
            })?;
        deployed.add_document_text(document.policy_document(), &policy, None);
    }

    let mut attached = Vec::new();
    loop {
        let page = iam
            .list_attached_role_policies()
            .role_name(name)
            .set_marker(marker.take())
            .send()
            .await
            .map_err(|e| aws_error(&what, "iam:ListAttachedRolePolicies", e))?;
        for policy in page.attached_policies() {
            if let Some(arn) = policy.policy_arn() {
                let label = policy.policy_name().unwrap_or(arn).to_string();
                attached.push((arn.to_string(), label));
            }
        }
        match (page.is_truncated(), page.marker()) {
            (true, Some(next)) => marker = Some(next.to_string()),
            _ => break,
        }
    }
    for (arn, label) in attached {
        let policy_what = format!("{what}, managed policy {arn}");
        let policy = iam
            .get_policy()
            .policy_arn(&arn)
            .send()
            .await
            .map_err(|e| aws_error(&policy_what, "iam:GetPolicy", e))?;
        let Some(version) = policy.policy().and_then(|p| p.default_version_id()) else {
            deployed
                .notes
                .push(format!("{label}: IAM gave no default version; not counted"));
            continue;
        };
        let version = iam
            .get_policy_version()
            .policy_arn(&arn)
            .version_id(version)
            .send()
            .await
            .map_err(|e| aws_error(&policy_what, "iam:GetPolicyVersion", e))?;
        match version.policy_version().and_then(|v| v.document()) {
            Some(document) => deployed.add_document_text(document, &label, None),
            None => deployed
                .notes
                .push(format!("{label}: IAM gave no document; not counted")),
        }
    }
    Ok(deployed)
}

/// ` at <url>` when an endpoint is configured through the environment.
fn endpoint_hint() -> String {
    std::env::var("AWS_ENDPOINT_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .map(|u| format!(" at {u}"))
        .unwrap_or_default()
}

/// An AWS error in words that say which kind: unreachable, timed out, credentials
/// rejected, an action not allowed, not found, or what AWS said. `action` is the IAM action
/// of the call that failed.
fn aws_error<E>(what: &str, action: &str, error: SdkError<E, HttpResponse>) -> anyhow::Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let detail = DisplayErrorContext(&error).to_string();
    match &error {
        SdkError::DispatchFailure(failure) if failure.is_timeout() => anyhow!(
            "{what}: the AWS endpoint{} did not answer in time (unreachable?): {detail}",
            endpoint_hint()
        ),
        SdkError::DispatchFailure(_) => anyhow!(
            "{what}: cannot reach the AWS endpoint{} (unreachable): {detail}",
            endpoint_hint()
        ),
        SdkError::TimeoutError(_) => anyhow!(
            "{what}: the AWS endpoint{} did not answer in time (unreachable?)",
            endpoint_hint()
        ),
        SdkError::ServiceError(service) => {
            let (code, message) = code_and_message(service.err(), service.raw());
            let (code, message) = (code.as_str(), message.as_str());
            if REJECTED_CODES.contains(&code) {
                anyhow!(
                    "{what}: AWS{} rejected the credentials ({code}: {message}); check AWS_PROFILE, or AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN",
                    endpoint_hint()
                )
            } else if NOT_ALLOWED_CODES.contains(&code) {
                anyhow!(
                    "{what}: the credentials are not allowed to call {action} ({code}: {message}); grant {action} (the live read needs {})",
                    READ_ACTIONS.join(", ")
                )
            } else if matches!(code, "NoSuchEntity" | "ResourceNotFoundException") {
                anyhow!("{what}: not found ({code}): {message}")
            } else {
                anyhow!("{what}: AWS error {code}: {message}")
            }
        }
        SdkError::ConstructionFailure(_) => {
            anyhow!("{what}: cannot make the request (no AWS credentials or region?): {detail}")
        }
        _ => anyhow!("{what}: {detail}"),
    }
}

/// The error code and message AWS sent: as the SDK read them, else from the response body.
/// The SDK reads the query protocol's `<ErrorResponse><Error><Code>`, which IAM sends
/// (IAM API Reference, "Common Errors"); moto wraps the same error in `<Errors>`
/// (`<ErrorResponse><Errors><Error><Code>`), which the SDK leaves unread.
fn code_and_message<E: ProvideErrorMetadata>(error: &E, raw: &HttpResponse) -> (String, String) {
    let body = raw
        .body()
        .bytes()
        .map(String::from_utf8_lossy)
        .unwrap_or_default();
    let element = |name: &str| -> Option<String> {
        let open = format!("<{name}>");
        let start = body.find(&open)? + open.len();
        let end = body[start..].find(&format!("</{name}>"))? + start;
        Some(body[start..end].trim().to_string())
    };
    let code = error
        .code()
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .or_else(|| element("Code"))
        .unwrap_or_default();
    let message = error
        .message()
        .filter(|m| !m.is_empty())
        .map(str::to_string)
        .or_else(|| element("Message"))
        .unwrap_or_else(|| format!("HTTP {}", raw.status().as_u16()));
    (code, message)
}

#[cfg(test)]
mod tests {
    use super::role_name;

    #[test]
    fn role_names_come_from_arns_with_paths() {
        assert_eq!(
            role_name("arn:aws:iam::123456789012:role/service-role/orders"),
            "orders"
        );
        assert_eq!(role_name("orders"), "orders");
    }
}
