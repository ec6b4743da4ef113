//! The boto3 tables compiled in: the resource models generated from boto3's
//! `resources-1.json` files, the methods boto3 injects by code, and the s3transfer helpers.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

/// `grammars/python/boto3_resources.json`, written by `tools/grammars/boto3_resources.py`.
#[derive(Debug, Deserialize)]
pub struct ResourceTable {
    pub services: BTreeMap<String, ServiceModel>,
}

#[derive(Debug, Deserialize)]
pub struct ServiceModel {
    /// The service resource: what `boto3.resource('s3')` returns.
    pub service: ResourceModel,
    pub resources: BTreeMap<String, ResourceModel>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ResourceModel {
    pub identifiers: Vec<Identifier>,
    /// Attribute names (snake_case) that reading triggers `load`.
    pub attributes: Vec<String>,
    pub load: Option<Request>,
    pub actions: BTreeMap<String, ActionModel>,
    pub waiters: BTreeMap<String, WaiterModel>,
    /// Called with the missing identifiers: `bucket.Object('key')`.
    pub subresources: BTreeMap<String, ResourceRef>,
    /// Properties that need loaded data: `instance.vpc`.
    pub references: BTreeMap<String, ResourceRef>,
    pub collections: BTreeMap<String, CollectionModel>,
}

#[derive(Debug, Deserialize)]
pub struct Identifier {
    pub name: String,
    /// The Python attribute: `bucket_name`.
    pub attribute: String,
}

#[derive(Debug, Deserialize)]
pub struct Request {
    /// The client method (`list_objects`).
    pub op: String,
    pub params: Vec<Param>,
}

/// Where one request member or resource identifier comes from.
#[derive(Debug, Deserialize)]
pub struct Param {
    pub target: String,
    /// `identifier`, `input`, `string`, `integer`, `boolean`, `data`, `requestParameter`, `response`.
    pub source: String,
    pub name: Option<String>,
    pub path: Option<String>,
    pub value: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
pub struct ActionModel {
    pub request: Request,
    pub resource: Option<ResourceRef>,
}

#[derive(Debug, Deserialize)]
pub struct WaiterModel {
    /// The client waiter (`bucket_exists`).
    pub waiter: String,
    pub params: Vec<Param>,
}

#[derive(Debug, Deserialize)]
pub struct ResourceRef {
    #[serde(rename = "type")]
    pub type_name: String,
    pub identifiers: Vec<Param>,
}

#[derive(Debug, Deserialize)]
pub struct CollectionModel {
    pub request: Request,
    pub resource: Option<ResourceRef>,
    /// Batch actions on the collection's items (`bucket.objects.delete()`).
    pub batch: BTreeMap<String, Request>,
}

/// The generated table. Compiled in; a parse failure is our bug, caught by a test.
pub fn resources() -> &'static ResourceTable {
    static TABLE: OnceLock<ResourceTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        serde_json::from_str(include_str!(
            "../../../grammars/python/boto3_resources.json"
        ))
        .unwrap_or_else(|_| ResourceTable {
            services: BTreeMap::new(),
        })
    })
}

/// The model of one resource type, `None` for the service resource.
pub fn resource_model(service: &str, type_name: Option<&str>) -> Option<&'static ResourceModel> {
    let svc = resources().services.get(service)?;
    match type_name {
        None => Some(&svc.service),
        Some(name) => svc.resources.get(name),
    }
}

/// `grammars/python/boto3_injections.toml`.
#[derive(Debug, Deserialize)]
pub struct Injection {
    pub service: String,
    pub resource: String,
    pub name: String,
    pub op: String,
    /// Input member <- resource identifier.
    pub args: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct InjectionFile {
    method: Vec<Injection>,
}

pub fn injections() -> &'static [Injection] {
    static TABLE: OnceLock<Vec<Injection>> = OnceLock::new();
    TABLE.get_or_init(|| {
        toml::from_str::<InjectionFile>(include_str!(
            "../../../grammars/python/boto3_injections.toml"
        ))
        .map(|f| f.method)
        .unwrap_or_default()
    })
}

pub fn injection(service: &str, resource: &str, name: &str) -> Option<&'static Injection> {
    injections()
        .iter()
        .find(|i| i.service == service && i.resource == resource && i.name == name)
}

/// `grammars/python/s3transfer.toml`.
#[derive(Debug, Deserialize)]
pub struct TransferTable {
    pub upload: TransferKind,
    pub download: TransferKind,
    pub copy: TransferKind,
    pub helper: Vec<TransferHelper>,
}

#[derive(Debug, Deserialize)]
pub struct TransferKind {
    pub ops: Vec<TransferOp>,
}

#[derive(Debug, Deserialize)]
pub struct TransferOp {
    pub op: String,
    /// Input member <- helper parameter (`Bucket`) or a key of a dict parameter (`CopySource.Key`).
    pub args: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
pub struct TransferHelper {
    pub method: String,
    pub kind: String,
    /// Positional parameters on the client, on `Bucket`, on `Object`.
    pub client: Vec<String>,
    #[serde(rename = "Bucket")]
    pub bucket: Vec<String>,
    #[serde(rename = "Object")]
    pub object: Vec<String>,
}

impl TransferTable {
    pub fn ops(&self, kind: &str) -> &[TransferOp] {
        match kind {
            "upload" => &self.upload.ops,
            "download" => &self.download.ops,
            "copy" => &self.copy.ops,
            _ => &[],
        }
    }
}

pub fn transfer() -> Option<&'static TransferTable> {
    static TABLE: OnceLock<Option<TransferTable>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            toml::from_str(include_str!("../../../grammars/python/s3transfer.toml")).ok()
        })
        .as_ref()
}

/// The transfer helper `method` with its parameters for the receiver kind
/// (`client`, `Bucket`, `Object`).
pub fn transfer_helper(
    method: &str,
    receiver: &str,
) -> Option<(&'static TransferHelper, &'static [String])> {
    let helper = transfer()?.helper.iter().find(|h| h.method == method)?;
    let params = match receiver {
        "client" => &helper.client,
        "Bucket" => &helper.bucket,
        "Object" => &helper.object,
        _ => return None,
    };
    Some((helper, params.as_slice()))
}

/// `grammars/python/frameworks.toml`: decorator methods that register callbacks.
#[derive(Deserialize, Default)]
struct FrameworksFile {
    registrars: Vec<String>,
    own_functions: Vec<String>,
    mounts: Vec<String>,
    dependency_markers: Vec<String>,
}

fn frameworks() -> &'static FrameworksFile {
    static TABLE: OnceLock<FrameworksFile> = OnceLock::new();
    TABLE.get_or_init(|| {
        toml::from_str(include_str!("../../../grammars/python/frameworks.toml")).unwrap_or_default()
    })
}

pub fn is_registrar(method: &str) -> bool {
    frameworks().registrars.iter().any(|r| r == method)
}

/// `@app.on_s3_event(..)`: the function is deployed as a Lambda of its own, not dispatched by
/// the object.
pub fn is_own_function(registrar: &str) -> bool {
    frameworks().own_functions.iter().any(|r| r == registrar)
}

/// `app.include_router(router)`: the method mounts a framework object on another.
pub fn is_mount(method: &str) -> bool {
    frameworks().mounts.iter().any(|m| m == method)
}

/// `fastapi.Depends`: the framework calls the marker's function for the parameter.
pub fn is_dependency_marker(qualname: &str) -> bool {
    frameworks()
        .dependency_markers
        .iter()
        .any(|m| m == qualname)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_parse() {
        let table = resources();
        let table_model = resource_model("dynamodb", Some("Table")).expect("dynamodb Table");
        assert_eq!(
            table_model
                .actions
                .get("put_item")
                .map(|a| a.request.op.as_str()),
            Some("put_item")
        );
        assert!(table.services.contains_key("s3"));
        assert_eq!(
            injection("dynamodb", "Table", "batch_writer").map(|i| i.op.as_str()),
            Some("batch_write_item")
        );
        let (helper, params) = transfer_helper("upload_file", "Bucket").expect("upload_file");
        assert_eq!(helper.kind, "upload");
        assert_eq!(params[1], "Key");
        assert_eq!(
            transfer().expect("transfer").ops("copy")[0].op,
            "head_object"
        );
        assert!(is_registrar("route"));
        assert!(is_own_function("on_s3_event") && !is_own_function("route"));
        assert!(is_mount("include_router"));
        assert!(is_dependency_marker("fastapi.Depends"));
    }
}
