//! What the analyzer knows of the AWS SDK for JavaScript, loaded from
//! `grammars/javascript/sdk.toml`: method renames, helper operation sets, non-operations.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

const TABLE: &str = include_str!("../../../grammars/javascript/sdk.toml");

/// The v2 SDK package and its deep-import folder.
pub const V2_PACKAGE: &str = "aws-sdk";
pub const V2_CLIENTS_PREFIX: &str = "aws-sdk/clients/";
/// v3 service client packages are `@aws-sdk/client-<name>`.
pub const V3_CLIENT_PREFIX: &str = "@aws-sdk/client-";
pub const V3_LIB_DYNAMODB: &str = "@aws-sdk/lib-dynamodb";
pub const V3_LIB_STORAGE: &str = "@aws-sdk/lib-storage";
pub const V3_PRESIGNER: &str = "@aws-sdk/s3-request-presigner";
pub const V3_PRESIGNED_POST: &str = "@aws-sdk/s3-presigned-post";

#[derive(Debug, Deserialize)]
pub struct SdkTable {
    pub v2: V2,
    pub v3: V3,
    pub wrappers: Wrappers,
}

#[derive(Debug, Deserialize)]
pub struct V2 {
    pub document_client: BTreeMap<String, String>,
    pub upload: Vec<String>,
    pub not_operations: Vec<String>,
    pub not_clients: Vec<String>,
    pub client_files: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
pub struct V3 {
    pub not_operations: Vec<String>,
    pub lib_dynamodb_commands: BTreeMap<String, String>,
    pub lib_dynamodb_methods: BTreeMap<String, String>,
    pub lib_dynamodb_paginators: BTreeMap<String, String>,
    pub upload: Upload,
}

#[derive(Debug, Deserialize)]
pub struct Upload {
    pub commands: Vec<String>,
    pub tagging: String,
}

#[derive(Debug, Deserialize)]
pub struct Wrappers {
    pub functions: Vec<String>,
}

/// The table, parsed once. It is compiled in and checked by a test, so a parse error is
/// our bug, not the user's.
pub fn table() -> &'static SdkTable {
    static PARSED: OnceLock<SdkTable> = OnceLock::new();
    PARSED.get_or_init(|| match toml::from_str(TABLE) {
        Ok(table) => table,
        Err(e) => panic!("grammars/javascript/sdk.toml is invalid: {e}"),
    })
}

impl SdkTable {
    /// The v2 class of a deep import file (`dynamodb` -> `DynamoDB`), or the name as written.
    pub fn v2_class_of_file(&self, file: &str) -> String {
        self.v2
            .client_files
            .get(file)
            .cloned()
            .unwrap_or_else(|| file.to_string())
    }

    pub fn is_wrapper(&self, name: &str) -> bool {
        self.wrappers.functions.iter().any(|w| w == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_parses_and_maps_document_client() {
        let t = table();
        assert_eq!(
            t.v2.document_client.get("put").map(String::as_str),
            Some("putItem")
        );
        assert_eq!(
            t.v3.lib_dynamodb_commands
                .get("TransactWriteCommand")
                .map(String::as_str),
            Some("TransactWriteItemsCommand")
        );
        assert_eq!(t.v2_class_of_file("dynamodb"), "DynamoDB");
        assert_eq!(t.v2_class_of_file("mediaconvert"), "mediaconvert");
    }
}
