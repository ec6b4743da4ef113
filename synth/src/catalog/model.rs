//! The catalog's data as stored in `synth/data/catalog.jsonl` (written by
//! `tools/catalog/generate.py`).

use std::collections::BTreeMap;

use serde::Deserialize;

/// `[boto3, serviceId, js_v2 class, js_v3 package, rust crate, iam prefix, line]`
pub(crate) type ClientRow = (
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    usize,
);

/// `[name, http method, input members, default required actions, SAR authorized actions]`
pub type OperationRow = (String, String, Vec<String>, Vec<String>, Vec<String>);

/// Line 0: what is where.
#[derive(Debug, Deserialize)]
pub(crate) struct Index {
    pub schema: u32,
    pub clients: Vec<ClientRow>,
    /// `[iam prefix, line]`
    pub services: Vec<(String, usize)>,
}

/// One SDK client (a botocore service model).
#[derive(Debug, Deserialize)]
pub struct ClientData {
    pub boto3: String,
    pub service_id: String,
    pub js_v2: Option<String>,
    pub js_v3: String,
    pub rust: String,
    /// The IAM prefix most of its actions use.
    pub prefix: String,
    /// See [`OperationRow`].
    pub ops: Vec<OperationRow>,
    /// waiter name -> operation it polls
    pub waiters: BTreeMap<String, String>,
    pub paginators: Vec<String>,
}

/// One IAM service prefix from the Service Authorization Reference.
#[derive(Debug, Deserialize)]
pub struct ServiceData {
    pub prefix: String,
    pub name: String,
    pub actions: BTreeMap<String, ActionData>,
    /// resource type -> ARN formats
    pub resources: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Deserialize)]
pub struct ActionData {
    /// Read, List, Write, Permissions management, Tagging
    pub level: String,
    /// Resource types, in the Service Reference's order.
    pub resources: Vec<String>,
    pub conditions: Vec<String>,
}
