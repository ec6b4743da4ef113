//! `iamsynth catalog LANG CLIENT METHOD`: the IAM actions one SDK call needs.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use analyzer::{Client, Operation, Sdk};
use anyhow::Result;
use clap::{Args, ValueEnum};
use serde_json::json;

use super::{EXIT_OK, output};
use crate::catalog::{Basis, catalog};
use crate::render::pretty;

#[derive(Debug, Args)]
pub struct CatalogArgs {
    /// The SDK's language and version.
    #[arg(value_enum)]
    pub lang: Lang,
    /// The client as the SDK names it: `s3` (python), `S3` (js-v2), `client-s3` (js-v3), `aws-sdk-s3` (rust).
    pub client: String,
    /// The method or command: `list_objects_v2`, `listObjectsV2`, `ListObjectsV2Command`.
    pub method: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CatalogFormat::Text)]
    pub format: CatalogFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Lang {
    Python,
    #[value(name = "js-v2")]
    JsV2,
    #[value(name = "js-v3")]
    JsV3,
    Rust,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CatalogFormat {
    Text,
    Json,
}

pub fn run(args: &CatalogArgs) -> Result<i32> {
    let sdk = match args.lang {
        Lang::Python => Sdk::Boto3,
        Lang::JsV2 => Sdk::JsV2,
        Lang::JsV3 => Sdk::JsV3,
        Lang::Rust => Sdk::Rust,
    };
    let catalog = catalog();
    let op = catalog.resolve(
        &Client {
            sdk,
            service: args.client.clone(),
        },
        &Operation::Method(args.method.clone()),
    )?;
    let requirement = catalog.required(op, &BTreeMap::new());
    let names = catalog.names(op.client);
    let operation = catalog.operation_name(op);
    let mut actions: Vec<&str> = requirement
        .needs
        .iter()
        .map(|n| n.action.as_str())
        .collect();
    actions.dedup();
    let basis = match requirement.basis {
        Basis::ServiceReference => "service-reference",
        Basis::Override => "override",
        Basis::NoPermission => "no-permission",
        Basis::Inferred => "inferred",
    };

    let described: Vec<serde_json::Value> = actions
        .iter()
        .map(|action| {
            let (level, resource_types) = match catalog.action(action) {
                Some((service, _, data)) => (
                    Some(data.level.clone()),
                    data.resources
                        .iter()
                        .map(|r| json!({"name": r, "arn_formats": service.resources.get(r).cloned().unwrap_or_default()}))
                        .collect::<Vec<_>>(),
                ),
                None => (None, Vec::new()),
            };
            json!({"action": action, "access_level": level, "resource_types": resource_types})
        })
        .collect();

    let text = match args.format {
        CatalogFormat::Json => pretty(&json!({
            "schema": crate::render::json::SCHEMA,
            "service": names.boto3,
            "service_id": names.service_id,
            "operation": operation,
            "basis": basis,
            "source": requirement.source,
            "actions": described,
        })),
        CatalogFormat::Text => {
            let mut text = String::new();
            if actions.is_empty() {
                let _ = writeln!(
                    text,
                    "{} {}: no IAM permission needed",
                    names.service_id, operation
                );
            }
            for action in &described {
                let _ = write!(text, "{}", action["action"].as_str().unwrap_or_default());
                if let Some(level) = action["access_level"].as_str() {
                    let _ = write!(text, "  ({level})");
                }
                let _ = writeln!(text);
                for resource in action["resource_types"].as_array().into_iter().flatten() {
                    let formats: Vec<&str> = resource["arn_formats"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|f| f.as_str())
                        .collect();
                    let _ = writeln!(
                        text,
                        "  {}: {}",
                        resource["name"].as_str().unwrap_or_default(),
                        formats.join(" ")
                    );
                }
            }
            if requirement.basis == Basis::Inferred {
                let _ = writeln!(
                    text,
                    "warning: inferred from the operation name; the AWS Service Authorization Reference lists no action for {operation}"
                );
            }
            text
        }
    };
    output::print(&text)?;
    Ok(EXIT_OK)
}
