//! Zappa projects: `zappa_settings.json` (or `.yml`), one Lambda per stage named
//! `<project_name>-<stage>`. The WSGI app (`app_function: "api.app.app"`) is the
//! function's main code: the entry `api/app.py:app` names the app object, whose registered
//! routes the Python analyzer runs. Functions run by `events` (schedules,
//! event sources) execute in the same Lambda with the same role, so they are further
//! entries of the stage's one function and their calls join its policy.
//! Reference: https://github.com/zappa/Zappa#advanced-settings

use std::collections::BTreeMap;
use std::path::Path;

use serde_norway::Value as Yaml;

use super::cloudformation::finish;
use super::discovery::Found;
use super::document::{self, get, scalar_string};
use super::handler::{normalize, search_path};
use super::{
    Deployment, EventKind, EventSource, FileFunctions, FunctionSpec, InfraError, RoleSpec,
};
use crate::diagnostics::Diagnostic;
use crate::project::{Entry, Language};
use crate::source::relative;
use crate::value::Value;

/// Most `extends` links followed between stages.
const MAX_EXTENDS: usize = 8;

/// Event source ARN service -> event kind.
const SOURCE_KINDS: &[(&str, EventKind)] = &[
    (":s3:", EventKind::S3),
    (":sqs:", EventKind::Sqs),
    (":sns:", EventKind::Sns),
    (":dynamodb:", EventKind::DynamodbStream),
    (":kinesis:", EventKind::KinesisStream),
];

/// Reads every stage of one Zappa settings file, or only the `--stage` one.
pub fn read(
    root: &Path,
    file: &Found,
    deployment: &Deployment,
) -> Result<FileFunctions, InfraError> {
    let doc = document::load(root, &file.path)?;
    let stages = doc.tree.as_mapping().ok_or_else(|| {
        InfraError::invalid(
            &doc.rel,
            1,
            "Zappa settings must map stage names to settings",
        )
    })?;
    let project_dir = normalize(file.path.parent().unwrap_or(root));
    let dir_name = project_dir
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    // `zappa deploy STAGE` refuses a stage the settings do not define; so does `--stage`.
    if let Some(wanted) = &deployment.stage
        && !stages.keys().any(|k| k.as_str() == Some(wanted))
    {
        return Err(InfraError::invalid(
            &doc.rel,
            1,
            format!("--stage {wanted}: no such stage in the Zappa settings"),
        ));
    }
    let mut out = FileFunctions::default();
    for (stage, _) in stages {
        let Some(stage) = stage.as_str() else {
            continue;
        };
        if deployment
            .stage
            .as_deref()
            .is_some_and(|wanted| wanted != stage)
        {
            continue;
        }
        let settings = effective(&doc.tree, stage);
        let text = |key: &str| get(&settings, &[key]).and_then(scalar_string);
        let line = doc.line_of_key(stage, None);
        let project = text("project_name").unwrap_or_else(|| dir_name.clone());
        let function_name = format!("{project}-{stage}");
        let env = environment(&settings);
        let role = match (text("role_arn"), text("role_name")) {
            (Some(arn), _) => RoleSpec::External {
                role: Value::str(arn),
            },
            (None, Some(name)) if get(&settings, &["manage_roles"]) == Some(&Yaml::Bool(false)) => {
                RoleSpec::External {
                    role: Value::str(name),
                }
            }
            (None, name) => RoleSpec::Shared {
                logical_id: name
                    .unwrap_or_else(|| format!("{function_name}-ZappaLambdaExecutionRole")),
            },
        };
        let spec = |name: String, entry: Entry| FunctionSpec {
            entry: Entry {
                file: relative(root, &project_dir.join(&entry.file)),
                function: entry.function,
            },
            name,
            runtime: text("runtime"),
            language: Language::Python,
            env: env.clone(),
            search_paths: vec![search_path(root, &project_dir)],
            declared_in: doc.rel.clone(),
            line,
            function_name: Value::str(&function_name),
            log_group: Value::str(format!("/aws/lambda/{function_name}")),
            events: Vec::new(),
            tracing: get(&settings, &["xray_tracing"]) == Some(&Yaml::Bool(true)),
            vpc: get(&settings, &["vpc_config", "SubnetIds"]).is_some(),
            destinations: Vec::new(),
            kms_keys: Vec::new(),
            also_runs: Vec::new(),
            role: Some(role.clone()),
            policies: Vec::new(),
            layers: Vec::new(),
        };
        // The WSGI app is the Lambda's handler; `events` functions run in the same Lambda
        // (Zappa's handler dispatches to them), so they join its one policy.
        let mut entries = Vec::new();
        match text("app_function") {
            Some(app) => match python_entry(&app) {
                Some(entry) => entries.push(entry),
                None => out.diagnostics.push(Diagnostic::warning(
                    &doc.rel,
                    line,
                    format!("stage `{stage}` skipped: `app_function` `{app}` is not `module.object`"),
                )),
            },
            None if get(&settings, &["django_settings"]).is_some() => {
                out.diagnostics.push(Diagnostic::warning(
                    &doc.rel,
                    line,
                    format!("stage `{stage}`: Django apps (`django_settings`) are not read; pass `--entry`"),
                ))
            }
            None => {}
        }
        let events = get(&settings, &["events"])
            .and_then(Yaml::as_sequence)
            .cloned()
            .unwrap_or_default();
        let mut sources = Vec::new();
        for (index, event) in events.iter().enumerate() {
            let Some(function) = get(event, &["function"]).and_then(scalar_string) else {
                continue;
            };
            let Some(entry) = python_entry(&function) else {
                continue;
            };
            entries.push(entry);
            sources.push(event_source(event, index));
        }
        let mut entries = entries.into_iter();
        let Some(main) = entries.next() else {
            continue;
        };
        let mut stage_spec = spec(stage.to_string(), main);
        stage_spec.also_runs = entries
            .map(|entry| Entry {
                file: relative(root, &project_dir.join(&entry.file)),
                function: entry.function,
            })
            .collect();
        stage_spec.events = sources;
        out.functions.push(finish(stage_spec));
    }
    Ok(out)
}

/// A stage's settings with its `extends` chain applied (the stage's own keys win).
fn effective(tree: &Yaml, stage: &str) -> Yaml {
    let mut chain = Vec::new();
    let mut at = Some(stage.to_string());
    while let Some(name) = at.take() {
        if chain.len() >= MAX_EXTENDS || chain.iter().any(|(n, _)| *n == name) {
            break;
        }
        let Some(settings) = get(tree, &[name.as_str()]).and_then(Yaml::as_mapping) else {
            break;
        };
        at = settings
            .get("extends")
            .and_then(Yaml::as_str)
            .map(String::from);
        chain.push((name, settings.clone()));
    }
    let mut merged = serde_norway::Mapping::new();
    for (_, settings) in chain.into_iter().rev() {
        for (key, value) in settings {
            merged.insert(key, value);
        }
    }
    Yaml::Mapping(merged)
}

/// `environment_variables` and `aws_environment_variables` (both set on the Lambda);
/// `remote_env` (an S3 file read at start) cannot be known and is left out.
fn environment(settings: &Yaml) -> BTreeMap<String, Value> {
    let mut env = BTreeMap::new();
    for key in ["environment_variables", "aws_environment_variables"] {
        if let Some(vars) = get(settings, &[key]).and_then(Yaml::as_mapping) {
            for (name, value) in vars {
                let value = scalar_string(value)
                    .map(Value::str)
                    .unwrap_or(Value::Unknown);
                env.insert(document::key_string(name), value);
            }
        }
    }
    env
}

/// `api.app.app` -> `api/app.py` with `app`: a function, or the WSGI app object, whose
/// registered routes (blueprints included) the Python analyzer runs.
fn python_entry(dotted: &str) -> Option<Entry> {
    let (module, object) = dotted.rsplit_once('.')?;
    Some(Entry {
        file: format!("{}.py", module.replace('.', "/")),
        function: Some(object.to_string()),
    })
}

/// A schedule (`expression`) or an event source (`event_source.arn`).
fn event_source(event: &Yaml, index: usize) -> EventSource {
    let name = format!("events[{index}]");
    if let Some(arn) = get(event, &["event_source", "arn"]).and_then(scalar_string) {
        let kind = SOURCE_KINDS
            .iter()
            .find(|(service, _)| arn.contains(service))
            .map(|(_, kind)| *kind)
            .unwrap_or(EventKind::Other);
        return EventSource {
            kind,
            name,
            resource: Some(Value::str(arn)),
        };
    }
    EventSource {
        kind: EventKind::Schedule,
        name,
        resource: get(event, &["expression"])
            .and_then(scalar_string)
            .map(Value::str),
    }
}
