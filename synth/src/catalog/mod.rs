//! The offline AWS catalog: SDK spellings to operations, operations to the IAM actions a
//! call needs, actions to resource types and ARN formats.
//!
//! The data is `synth/data/catalog.jsonl`, compiled in. Start-up parses only its first line
//! (the index); a client's or an IAM service's line is parsed the first time a lookup needs
//! it. See `tools/catalog/generate.py` for how the data is made and
//! `synth/data/overrides.toml` for the reviewed exceptions.

mod lookup;
mod model;
mod overrides;
mod required;

use std::collections::HashMap;
use std::sync::OnceLock;

pub use lookup::LookupError;
pub use model::{ActionData, ClientData, ServiceData};
pub use required::{Basis, Need, Requirement};

use model::Index;
use overrides::Overrides;

const CATALOG: &str = include_str!("../../data/catalog.jsonl");
const OVERRIDES: &str = include_str!("../../data/overrides.toml");
/// The manifest, for `--version` style provenance and the artifact check.
pub const MANIFEST: &str = include_str!("../../data/catalog-manifest.json");
/// The artifact's text, for the manifest check.
pub const ARTIFACT: &str = CATALOG;

/// A client, by its position in the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientId(usize);

/// An operation of a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OpRef {
    pub client: ClientId,
    pub index: usize,
}

/// The names one client goes by in each SDK.
#[derive(Debug, Clone)]
pub struct ClientNames {
    pub boto3: String,
    pub service_id: String,
    pub js_v2: Option<String>,
    pub js_v3: String,
    pub rust: String,
    pub prefix: String,
    line: usize,
}

pub struct Catalog {
    lines: Vec<&'static str>,
    clients: Vec<ClientNames>,
    client_data: Vec<OnceLock<Option<ClientData>>>,
    service_lines: HashMap<String, usize>,
    service_data: HashMap<String, OnceLock<Option<ServiceData>>>,
    overrides: Overrides,
    lookup: lookup::Tables,
}

/// The catalog compiled into this binary.
pub fn catalog() -> &'static Catalog {
    static CATALOG_ONCE: OnceLock<Catalog> = OnceLock::new();
    CATALOG_ONCE.get_or_init(|| match Catalog::parse(CATALOG, OVERRIDES) {
        Ok(catalog) => catalog,
        // Compiled-in data, checked by tests: failing here is a build defect, not user input.
        Err(e) => panic!("the compiled-in catalog is invalid: {e}"),
    })
}

impl Catalog {
    fn parse(text: &'static str, overrides: &str) -> Result<Catalog, String> {
        let lines: Vec<&'static str> = text.split('\n').collect();
        let index: Index = serde_json::from_str(lines.first().copied().unwrap_or_default())
            .map_err(|e| format!("index: {e}"))?;
        if index.schema != 1 {
            return Err(format!("unsupported catalog schema {}", index.schema));
        }
        let clients: Vec<ClientNames> = index
            .clients
            .into_iter()
            .map(
                |(boto3, service_id, js_v2, js_v3, rust, prefix, line)| ClientNames {
                    boto3,
                    service_id,
                    js_v2,
                    js_v3,
                    rust,
                    prefix,
                    line,
                },
            )
            .collect();
        let service_lines: HashMap<String, usize> = index.services.into_iter().collect();
        let service_data = service_lines
            .keys()
            .map(|k| (k.clone(), OnceLock::new()))
            .collect();
        let overrides: Overrides =
            toml::from_str(overrides).map_err(|e| format!("overrides.toml: {e}"))?;
        let lookup = lookup::Tables::new(&clients);
        Ok(Catalog {
            lines,
            client_data: clients.iter().map(|_| OnceLock::new()).collect(),
            clients,
            service_lines,
            service_data,
            overrides,
            lookup,
        })
    }

    /// Every client, in catalog order (sorted by boto3 name).
    pub fn clients(&self) -> impl Iterator<Item = (ClientId, &ClientNames)> {
        self.clients
            .iter()
            .enumerate()
            .map(|(i, c)| (ClientId(i), c))
    }

    pub fn names(&self, id: ClientId) -> &ClientNames {
        &self.clients[id.0]
    }

    /// The client's full data (operations, waiters, paginators).
    pub fn client(&self, id: ClientId) -> &ClientData {
        let parsed = self.client_data[id.0]
            .get_or_init(|| serde_json::from_str(self.lines[self.clients[id.0].line]).ok());
        match parsed {
            Some(data) => data,
            None => panic!(
                "catalog line for client {} is invalid",
                self.clients[id.0].boto3
            ),
        }
    }

    /// An IAM service prefix's actions and resource types.
    pub fn service(&self, prefix: &str) -> Option<&ServiceData> {
        let line = *self.service_lines.get(prefix)?;
        self.service_data
            .get(prefix)?
            .get_or_init(|| serde_json::from_str(self.lines[line]).ok())
            .as_ref()
    }

    /// `s3:GetObject` -> its Service Reference entry (case-insensitive on the name).
    pub fn action(&self, action: &str) -> Option<(&ServiceData, &str, &ActionData)> {
        let (prefix, name) = action.split_once(':')?;
        let service = self.service(prefix)?;
        if let Some((key, data)) = service.actions.get_key_value(name) {
            return Some((service, key.as_str(), data));
        }
        service
            .actions
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(k, d)| (service, k.as_str(), d))
    }

    /// The operation's name in the service model (`ListObjectsV2`).
    pub fn operation_name(&self, op: OpRef) -> &str {
        &self.client(op.client).ops[op.index].0
    }

    /// Input member names of the operation, as the service model spells them.
    pub fn input_members(&self, op: OpRef) -> &[String] {
        &self.client(op.client).ops[op.index].2
    }

    /// Every operation of every client, for coverage accounting.
    pub fn all_operations(&self) -> impl Iterator<Item = OpRef> + '_ {
        self.clients().flat_map(move |(id, _)| {
            (0..self.client(id).ops.len()).map(move |index| OpRef { client: id, index })
        })
    }
}

#[cfg(test)]
mod tests;
