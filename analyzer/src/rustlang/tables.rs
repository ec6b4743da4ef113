//! Data about Rust and aws-sdk-rust idioms, as tables rather than if-chains.

/// Generic types that hold (or hand out) their first type argument: a client in an
/// `Arc<Client>`, a `OnceCell<Client>` static, axum's `State<AppState>` are the client and
/// the state for our purposes. std, tokio, once_cell, axum, actix-web, lambda_http.
pub const WRAPPER_TYPES: &[&str] = &[
    "Arc",
    "Rc",
    "Box",
    "Option",
    "Result",
    "Cow",
    "Mutex",
    "RwLock",
    "RefCell",
    "Cell",
    "OnceCell",
    "OnceLock",
    "LazyLock",
    "Lazy",
    "LazyCell",
    "State",
    "Extension",
    "Data",
    "Json",
    "Pin",
    "Weak",
    "ManuallyDrop",
    "Ref",
    "RefMut",
    "MutexGuard",
    "RwLockReadGuard",
    "RwLockWriteGuard",
];

/// Collections whose last type argument is what `get`, indexing and iteration hand out:
/// `HashMap<String, Client>`, `Vec<Client>`, dashmap's `DashMap`.
pub const CONTAINER_TYPES: &[&str] = &[
    "Vec",
    "VecDeque",
    "HashMap",
    "BTreeMap",
    "IndexMap",
    "DashMap",
    "HashSet",
    "BTreeSet",
    "LinkedList",
    "SmallVec",
];

/// aws_lambda_events types whose values are the handler's event (`LambdaEvent<T>` wraps it
/// in `payload`), as far as the infrastructure binds their paths (`Context::event`).
/// Source: docs.rs aws_lambda_events `event::s3::S3Event` (`records[].s3.bucket.name`).
pub const EVENT_TYPES: &[&str] = &["S3Event"];
/// The wrapper lambda_runtime hands handlers: the event is its `payload` field.
pub const EVENT_WRAPPER: (&str, &str) = ("LambdaEvent", "payload");

/// Methods that hand back (a reference to, or a copy of) the value they are called on, or
/// the value wrapped in it: `client.clone()`, `CLIENT.get().unwrap()`, `s.to_string()`,
/// `env::var("X").expect("..")`. Checked before a call on a client is taken as an
/// operation: no aws-sdk-rust operation has one of these names.
pub const PASSTHROUGH_METHODS: &[&str] = &[
    "clone",
    "to_owned",
    "to_string",
    "as_str",
    "as_ref",
    "as_deref",
    "as_mut",
    "borrow",
    "borrow_mut",
    "deref",
    "into",
    "unwrap",
    "expect",
    "ok",
    "ok_or",
    "ok_or_else",
    "context",
    "with_context",
    "map_err",
    "get",
    "get_or_init",
    "get_or_try_init",
    "get_mut",
    "get_or_insert_with",
    "lock",
    "read",
    "write",
    "try_lock",
    "into_inner",
    "unwrap_or_default",
    "trim",
    "to_lowercase",
    "to_uppercase",
    "as_slice",
    "iter",
    "into_iter",
    "cloned",
    "copied",
    "by_ref",
    "inspect",
    "wrap_err",
    "wrap_err_with",
    "clone_from",
];

/// `String` methods that change the string in place
/// (https://doc.rust-lang.org/std/string/struct.String.html).
pub const STRING_MUTATORS: &[&str] = &[
    "push_str",
    "push",
    "insert",
    "insert_str",
    "truncate",
    "clear",
    "pop",
    "remove",
    "retain",
    "drain",
    "replace_range",
    "extend",
    "make_ascii_lowercase",
    "make_ascii_uppercase",
    "split_off",
];

/// Methods that supply a fallback for a missing value: `env::var("X").unwrap_or(..)`.
pub const DEFAULT_METHODS: &[&str] = &["unwrap_or", "unwrap_or_else", "or", "or_else"];

/// Functions whose result is their (first) argument for our purposes, by their last two
/// path segments (or last one): `Arc::new(client)`, `Some(x)`, `String::from(s)`.
pub const PASSTHROUGH_FNS: &[&str] = &[
    "Some",
    "Ok",
    "Box::new",
    "Arc::new",
    "Rc::new",
    "Arc::clone",
    "Rc::clone",
    "String::from",
    "Mutex::new",
    "RwLock::new",
    "RefCell::new",
    "Cell::new",
    "Cow::from",
    "Cow::Borrowed",
    "Cow::Owned",
    "State",
    "Extension",
    "Data::new",
    "From::from",
    "Into::into",
    "Pin::new",
    "Box::pin",
    "OnceCell::from",
    "OnceLock::from",
    "identity",
    "ToString::to_string",
    "ToOwned::to_owned",
    "Clone::clone",
];

/// Functions that read an environment variable, by their last two path segments:
/// `std::env::var`, `env::var_os`, `dotenv::var`, `dotenvy::var`.
pub const ENV_FNS: &[&str] = &["env::var", "env::var_os", "dotenv::var", "dotenvy::var"];

/// Functions that fill a struct from environment variables, one per field, named as the
/// field in upper case (https://docs.rs/envy/latest/envy/fn.from_env.html).
pub const ENV_STRUCT_FNS: &[&str] = &["envy::from_env"];

/// Associated functions that build a client: aws-sdk-rust's `Client`
/// (https://docs.rs/aws-sdk-s3/latest/aws_sdk_s3/client/struct.Client.html) and rusoto's
/// (https://docs.rs/rusoto_s3/latest/rusoto_s3/struct.S3Client.html).
pub const CLIENT_CONSTRUCTORS: &[&str] = &[
    "new",
    "from_conf",
    "from_conf_conn",
    "clone",
    "new_with",
    "new_with_client",
];

/// Methods of a fluent builder that end it and send the request.
pub const SEND_METHODS: &[&str] = &["send", "send_with", "wait"];

/// Fluent-builder methods that are neither input setters nor sending: they leave the
/// request as it is (`customize()`, `config_override(..)`) or read it back.
pub const BUILDER_NEUTRAL_METHODS: &[&str] = &[
    "customize",
    "config_override",
    "as_input",
    "clone",
    "mutate_request",
    "map_request",
];

/// The prefix aws-sdk-rust puts before a waiter's name: `wait_until_table_exists`
/// (https://docs.rs/aws-sdk-dynamodb/latest/aws_sdk_dynamodb/client/trait.Waiters.html).
pub const WAITER_PREFIX: &str = "wait_until_";

/// rusoto (the community AWS SDK before aws-sdk-rust) crates whose service is spelled
/// differently in aws-sdk-rust (https://github.com/rusoto/rusoto/tree/master/rusoto/services).
/// Other `rusoto_<service>` crates map to `aws-sdk-<service>` as they are.
pub const RUSOTO_RENAMES: &[(&str, &str)] = &[
    ("rusoto_cognito_idp", "aws-sdk-cognitoidentityprovider"),
    ("rusoto_cognito_identity", "aws-sdk-cognitoidentity"),
    ("rusoto_events", "aws-sdk-eventbridge"),
    ("rusoto_logs", "aws-sdk-cloudwatchlogs"),
    ("rusoto_stepfunctions", "aws-sdk-sfn"),
    ("rusoto_es", "aws-sdk-elasticsearch"),
    ("rusoto_dynamodbstreams", "aws-sdk-dynamodbstreams"),
];

/// rusoto crates that are plumbing, not services.
pub const RUSOTO_NON_SERVICES: &[&str] = &[
    "rusoto_core",
    "rusoto_credential",
    "rusoto_signature",
    "rusoto_mock",
];

/// The aws-sdk-rust package whose operations a crate's client makes: `aws_sdk_s3` is
/// `aws-sdk-s3`; rusoto's `rusoto_s3` makes the same operations, spelled the same way.
pub fn aws_package(crate_name: &str) -> Option<String> {
    if let Some(service) = crate_name
        .strip_prefix("aws_sdk_")
        .or_else(|| crate_name.strip_prefix("aws-sdk-"))
    {
        return Some(format!("aws-sdk-{}", service.replace('_', "-")));
    }
    let name = crate_name.replace('-', "_");
    if RUSOTO_NON_SERVICES.contains(&name.as_str()) {
        return None;
    }
    if let Some((_, package)) = RUSOTO_RENAMES.iter().find(|(r, _)| *r == name) {
        return Some(package.to_string());
    }
    name.strip_prefix("rusoto_")
        .map(|service| format!("aws-sdk-{}", service.replace('_', "")))
}

/// Whether a path inside an AWS crate names its client type: `Client` (aws-sdk-rust, also
/// as `client::Client`), or a top-level `...Client` (rusoto's `DynamoDbClient`).
pub fn is_client_type(rest: &[String]) -> bool {
    match rest {
        [.., last] if last == "Client" => true,
        [only] => only.ends_with("Client"),
        _ => false,
    }
}

/// Whether `path` (as segments) ends with one of `table`'s `A::b` or `b` entries.
pub fn path_matches(table: &[&str], path: &[String]) -> bool {
    let n = path.len();
    let last = path.last().map(String::as_str).unwrap_or_default();
    let last_two = if n >= 2 {
        format!("{}::{}", path[n - 2], path[n - 1])
    } else {
        String::new()
    };
    table
        .iter()
        .any(|entry| *entry == last_two || (!entry.contains("::") && *entry == last))
}

/// Methods of an aws-sdk-rust `Client` that are not operations: its configuration
/// (`config()`; `conf()` in SDK releases before 1.0).
pub const CLIENT_NON_OPERATIONS: &[&str] = &["config", "conf"];

/// Identifiers that, inside macro tokens we cannot parse, suggest a hidden SDK call.
pub const SDK_CALL_HINTS: &[&str] = &["send", "into_paginator", "presigned"];
