//! CloudFormation intrinsics to [`Value`]s: `!Ref`, `!GetAtt`, `!Sub`, `!Join`, `!If`,
//! `!Select`, `!Split`, `!FindInMap`, `!ImportValue`, conditions. A value is known where
//! the template makes it static (literals, parameter defaults, stated physical names);
//! references stay [`InfraRef`]s so renderers can write intrinsics back; the rest is
//! `Value::Unknown`. Reference: CloudFormation "Intrinsic function reference"
//! (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html).

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};

use serde_norway::Value as Yaml;

use super::document::{self, Document, get, intrinsic, scalar_string};
use super::physical_names;
use super::variables::UNKNOWN_MARK;
use crate::diagnostics::Diagnostic;
use crate::value::{InfraRef, Value};

/// Pseudo parameters (`AWS::Region` ...): references with this resource type.
pub const PSEUDO: &str = "Pseudo";
/// Template parameters: references with this resource type; `known` is the default.
pub const PARAMETER: &str = "Parameter";

const PSEUDO_PARAMETERS: &[&str] = &[
    "AWS::AccountId",
    "AWS::NotificationARNs",
    "AWS::NoValue",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
];

/// Deepest nesting of intrinsics evaluated; deeper is treated as unknown.
const MAX_DEPTH: usize = 64;

/// A resource of the template.
#[derive(Debug, Clone)]
pub struct Resource {
    pub resource_type: String,
    /// The whole resource node (`Type`, `Properties`, `Metadata`, ...).
    pub node: Yaml,
}

impl Resource {
    pub fn properties(&self) -> Option<&Yaml> {
        get(&self.node, &["Properties"])
    }

    pub fn property(&self, path: &[&str]) -> Option<&Yaml> {
        self.properties().and_then(|p| get(p, path))
    }
}

/// What intrinsics are evaluated against: parameters, resources, mappings, conditions.
#[derive(Debug, Default)]
pub struct Template {
    pub rel: String,
    pub text: String,
    /// Parameter name -> its static value (override from samconfig.toml, else `Default`).
    pub parameters: BTreeMap<String, Option<String>>,
    pub resources: BTreeMap<String, Resource>,
    /// Logical ids the framework creates at deploy time (SAM `<Fn>Role`, Serverless
    /// `<Fn>LambdaFunction`), with their type and physical name where known.
    pub generated: BTreeMap<String, (String, Option<String>)>,
    pub mappings: Option<Yaml>,
    pub conditions: Option<Yaml>,
    /// The stack name the deployment tool gives the stack (`stack_name` in samconfig.toml,
    /// `<service>-<stage>` for Serverless, the CDK stack id), the value of `AWS::StackName`.
    pub stack_name: Option<String>,
}

impl Template {
    /// Reads `Parameters`, `Resources`, `Mappings`, `Conditions` from a template-shaped node
    /// (the document root for CloudFormation, `resources` for Serverless).
    pub fn from_node(doc: &Document, node: &Yaml) -> Template {
        let mut template = Template {
            rel: doc.rel.clone(),
            text: doc.text.clone(),
            mappings: get(node, &["Mappings"]).cloned(),
            conditions: get(node, &["Conditions"]).cloned(),
            ..Template::default()
        };
        if let Some(parameters) = get(node, &["Parameters"]).and_then(Yaml::as_mapping) {
            for (name, parameter) in parameters {
                let default = get(parameter, &["Default"]).and_then(scalar_string);
                template
                    .parameters
                    .insert(document::key_string(name), default);
            }
        }
        if let Some(resources) = get(node, &["Resources"]).and_then(Yaml::as_mapping) {
            for (id, resource) in resources {
                let resource_type = get(resource, &["Type"])
                    .and_then(Yaml::as_str)
                    .unwrap_or_default()
                    .to_string();
                template.resources.insert(
                    document::key_string(id),
                    Resource {
                        resource_type,
                        node: resource.clone(),
                    },
                );
            }
        }
        template
    }

    /// Resources of `resource_type`, in logical id order.
    pub fn of_type<'a>(
        &'a self,
        resource_type: &'a str,
    ) -> impl Iterator<Item = (&'a String, &'a Resource)> + 'a {
        self.resources
            .iter()
            .filter(move |(_, r)| r.resource_type == resource_type)
    }

    /// 1-based line of a key in the template text (0 if not found).
    pub fn line_of_key(&self, key: &str, after: Option<&str>) -> u32 {
        self.as_document().line_of_key(key, after)
    }

    fn as_document(&self) -> Document {
        Document {
            rel: self.rel.clone(),
            text: self.text.clone(),
            tree: Yaml::Null,
        }
    }
}

/// Evaluates template nodes, collecting warnings (missing references, unknown tags).
pub struct Evaluator<'t> {
    pub template: &'t Template,
    diagnostics: RefCell<Vec<Diagnostic>>,
    depth: Cell<usize>,
    /// Resources whose physical name is being computed, to stop reference cycles.
    naming: RefCell<BTreeSet<String>>,
}

impl<'t> Evaluator<'t> {
    pub fn new(template: &'t Template) -> Self {
        Self {
            template,
            diagnostics: RefCell::new(Vec::new()),
            depth: Cell::new(0),
            naming: RefCell::new(BTreeSet::new()),
        }
    }

    /// The warnings collected so far, emptied.
    pub fn take_diagnostics(&self) -> Vec<Diagnostic> {
        std::mem::take(&mut *self.diagnostics.borrow_mut())
    }

    fn warn(&self, line: u32, message: String) {
        self.diagnostics.borrow_mut().push(Diagnostic::warning(
            self.template.rel.clone(),
            line,
            message,
        ));
    }

    /// The value a template node stands for.
    pub fn eval(&self, node: &Yaml) -> Value {
        let depth = self.depth.get();
        if depth >= MAX_DEPTH {
            return Value::Unknown;
        }
        self.depth.set(depth + 1);
        let value = self.eval_inner(node);
        self.depth.set(depth);
        value
    }

    fn eval_inner(&self, node: &Yaml) -> Value {
        if let Some((name, argument)) = intrinsic(node) {
            return self.eval_intrinsic(&name, argument);
        }
        match node {
            Yaml::Null => Value::Unknown,
            Yaml::Bool(_) | Yaml::Number(_) => scalar_string(node)
                .map(Value::str)
                .unwrap_or(Value::Unknown),
            Yaml::String(s) => string_value(s),
            Yaml::Sequence(items) => Value::List {
                items: items.iter().map(|item| self.eval(item)).collect(),
            },
            Yaml::Mapping(map) => Value::Map {
                entries: map
                    .iter()
                    .map(|(k, v)| (document::key_string(k), self.eval(v)))
                    .collect(),
            },
            Yaml::Tagged(_) => Value::Unknown,
        }
    }

    fn eval_intrinsic(&self, name: &str, argument: &Yaml) -> Value {
        match name {
            "Ref" => match argument.as_str() {
                Some(id) => self.reference(id, None),
                None => Value::Unknown,
            },
            "Fn::GetAtt" => match get_att_parts(argument) {
                Some((id, attribute)) => self.reference(&id, Some(attribute)),
                None => Value::Unknown,
            },
            "Fn::Sub" => self.sub(argument),
            "Fn::Join" => self.join(argument),
            "Fn::If" => self.if_(argument),
            "Fn::Select" => self.select(argument),
            "Fn::Split" => self.split(argument),
            "Fn::FindInMap" => self.find_in_map(argument),
            // Another stack's export: not knowable from this template. (Export names such
            // as `shared-bucket` are not logical ids, so no placeholder can stand for them.)
            "Fn::ImportValue" => Value::Unknown,
            "Fn::GetAZs" | "Fn::Base64" | "Fn::Cidr" | "Fn::Transform" | "Fn::Length"
            | "Fn::ToJsonString" | "Fn::Equals" | "Fn::Not" | "Fn::And" | "Fn::Or"
            | "Condition" => Value::Unknown,
            other => {
                let short = other.trim_start_matches("Fn::");
                let line = self
                    .template
                    .as_document()
                    .line_of_text(&format!("!{short}"), 0);
                self.warn(
                    line,
                    format!(
                        "unknown CloudFormation tag or function `{other}`; its value is unknown"
                    ),
                );
                Value::Unknown
            }
        }
    }

    /// `Ref` / `GetAtt` of a logical id.
    pub fn reference(&self, id: &str, attribute: Option<String>) -> Value {
        if PSEUDO_PARAMETERS.contains(&id) {
            let known = match id {
                "AWS::StackName" => self.template.stack_name.clone(),
                _ => None,
            };
            return Value::Infra(InfraRef {
                logical_id: id.to_string(),
                resource_type: PSEUDO.to_string(),
                attribute: None,
                known,
            });
        }
        if let Some(default) = self.template.parameters.get(id) {
            return Value::Infra(InfraRef {
                logical_id: id.to_string(),
                resource_type: PARAMETER.to_string(),
                attribute: None,
                known: default.clone(),
            });
        }
        if let Some(resource) = self.template.resources.get(id) {
            return Value::Infra(InfraRef {
                logical_id: id.to_string(),
                resource_type: physical_names::deployed_type(&resource.resource_type).to_string(),
                attribute,
                known: self.physical_name(id),
            });
        }
        if let Some((resource_type, known)) = self.template.generated.get(id) {
            return Value::Infra(InfraRef {
                logical_id: id.to_string(),
                resource_type: resource_type.clone(),
                attribute,
                known: known.clone(),
            });
        }
        let doc = self.template.as_document();
        let line = [
            format!("!Ref {id}"),
            format!("!GetAtt {id}"),
            format!("${{{id}"),
        ]
        .iter()
        .map(|needle| doc.line_of_text(needle, 0))
        .find(|line| *line > 0)
        .unwrap_or_else(|| doc.line_of_text(id, 0));
        self.warn(
            line,
            format!("reference to `{id}`, which is not a resource or parameter of this template"),
        );
        Value::Unknown
    }

    /// The physical name a resource's properties state, when static.
    pub fn physical_name(&self, id: &str) -> Option<String> {
        let resource = self.template.resources.get(id)?;
        let property = physical_names::name_property(&resource.resource_type)?;
        let path: Vec<&str> = property.split('.').collect();
        let node = resource.property(&path)?;
        if !self.naming.borrow_mut().insert(id.to_string()) {
            let line = self.template.line_of_key(id, None);
            self.warn(
                line,
                format!("the name of `{id}` refers back to itself; treated as unknown"),
            );
            return None;
        }
        let value = self.eval(node);
        self.naming.borrow_mut().remove(id);
        static_name(&value)
    }

    fn sub(&self, argument: &Yaml) -> Value {
        let (text, variables) = match argument {
            Yaml::Sequence(items) => match (items.first().and_then(Yaml::as_str), items.get(1)) {
                (Some(text), variables) => (text, variables),
                _ => return Value::Unknown,
            },
            other => match other.as_str() {
                Some(text) => (text, None),
                None => return Value::Unknown,
            },
        };
        let mut bound: BTreeMap<String, Value> = BTreeMap::new();
        if let Some(map) = variables.and_then(Yaml::as_mapping) {
            for (key, node) in map {
                bound.insert(document::key_string(key), self.eval(node));
            }
        }
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            parts.push(string_value(&rest[..start]));
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                parts.push(string_value(&rest[start..]));
                rest = "";
                break;
            };
            let name = &after[..end];
            if let Some(literal) = name.strip_prefix('!') {
                parts.push(Value::str(format!("${{{literal}}}")));
            } else if let Some(value) = bound.get(name) {
                parts.push(value.clone());
            } else {
                let value = match name.split_once('.') {
                    Some((id, attribute)) if !PSEUDO_PARAMETERS.contains(&name) => {
                        self.reference(id, Some(attribute.to_string()))
                    }
                    _ => self.reference(name, None),
                };
                parts.push(value);
            }
            rest = &after[end + 1..];
        }
        parts.push(string_value(rest));
        Value::concat(parts)
    }

    fn join(&self, argument: &Yaml) -> Value {
        let Some([separator, items]) = argument.as_sequence().and_then(|s| s.get(..2)) else {
            return Value::Unknown;
        };
        let separator = self.eval(separator);
        let Value::List { items } = self.eval(items) else {
            return Value::Unknown;
        };
        let mut parts = Vec::new();
        for (index, item) in items.into_iter().enumerate() {
            if index > 0 {
                parts.push(separator.clone());
            }
            parts.push(item);
        }
        Value::concat(parts)
    }

    fn if_(&self, argument: &Yaml) -> Value {
        let Some([condition, yes, no]) = argument.as_sequence().and_then(|s| s.get(..3)) else {
            return Value::Unknown;
        };
        match condition.as_str().and_then(|c| self.condition(c)) {
            Some(true) => self.eval(yes),
            Some(false) => self.eval(no),
            None => {
                let (yes, no) = (self.eval(yes), self.eval(no));
                if yes == no { yes } else { Value::Unknown }
            }
        }
    }

    /// A named condition's truth with parameter defaults, when static.
    pub fn condition(&self, name: &str) -> Option<bool> {
        let node = self
            .template
            .conditions
            .as_ref()
            .and_then(|c| c.as_mapping())
            .and_then(|c| c.get(name))?
            .clone();
        let depth = self.depth.get();
        if depth >= MAX_DEPTH {
            return None;
        }
        self.depth.set(depth + 1);
        let result = self.condition_node(&node);
        self.depth.set(depth);
        result
    }

    fn condition_node(&self, node: &Yaml) -> Option<bool> {
        let (name, argument) = intrinsic(node).or_else(|| {
            // `Condition: Other` inside a condition is a one-key mapping, not an intrinsic.
            let map = node.as_mapping()?;
            let value = map.get("Condition")?;
            (map.len() == 1).then(|| ("Condition".to_string(), value))
        })?;
        let items = argument.as_sequence();
        match name.as_str() {
            "Fn::Equals" => {
                let [a, b] = items?.get(..2)? else {
                    return None;
                };
                Some(static_string(&self.eval(a))? == static_string(&self.eval(b))?)
            }
            "Fn::Not" => Some(!self.condition_node(items?.first()?)?),
            "Fn::And" => items?
                .iter()
                .map(|c| self.condition_node(c))
                .collect::<Option<Vec<_>>>()
                .map(|all| all.into_iter().all(|b| b)),
            "Fn::Or" => items?
                .iter()
                .map(|c| self.condition_node(c))
                .collect::<Option<Vec<_>>>()
                .map(|all| all.into_iter().any(|b| b)),
            "Condition" => self.condition(argument.as_str()?),
            _ => None,
        }
    }

    fn select(&self, argument: &Yaml) -> Value {
        let Some([index, list]) = argument.as_sequence().and_then(|s| s.get(..2)) else {
            return Value::Unknown;
        };
        let index = static_string(&self.eval(index)).and_then(|i| i.parse::<usize>().ok());
        match (index, self.eval(list)) {
            (Some(index), Value::List { items }) => {
                items.get(index).cloned().unwrap_or(Value::Unknown)
            }
            _ => Value::Unknown,
        }
    }

    fn split(&self, argument: &Yaml) -> Value {
        let Some([separator, text]) = argument.as_sequence().and_then(|s| s.get(..2)) else {
            return Value::Unknown;
        };
        match (separator.as_str(), self.eval(text)) {
            (Some(separator), Value::Str { value }) if !separator.is_empty() => Value::List {
                items: value.split(separator).map(Value::str).collect(),
            },
            _ => Value::Unknown,
        }
    }

    fn find_in_map(&self, argument: &Yaml) -> Value {
        let Some(items) = argument.as_sequence() else {
            return Value::Unknown;
        };
        let keys: Option<Vec<String>> = items
            .iter()
            .take(3)
            .map(|k| static_string(&self.eval(k)))
            .collect();
        let found = keys.and_then(|keys| {
            let path: Vec<&str> = keys.iter().map(String::as_str).collect();
            get(self.template.mappings.as_ref()?, &path).cloned()
        });
        match (found, items.get(3)) {
            (Some(node), _) => self.eval(&node),
            // `[Map, k1, k2, {DefaultValue: x}]` (AWS::LanguageExtensions).
            (None, Some(default)) => get(default, &["DefaultValue"])
                .map(|d| self.eval(d))
                .unwrap_or(Value::Unknown),
            (None, None) => Value::Unknown,
        }
    }
}

/// `!GetAtt A.B.C` / `[A, B.C]` as `(A, "B.C")`.
fn get_att_parts(argument: &Yaml) -> Option<(String, String)> {
    match argument {
        Yaml::String(s) => {
            let (id, attribute) = s.split_once('.')?;
            Some((id.to_string(), attribute.to_string()))
        }
        Yaml::Sequence(items) => {
            let id = items.first()?.as_str()?;
            let attribute = items.get(1)?.as_str()?;
            Some((id.to_string(), attribute.to_string()))
        }
        _ => None,
    }
}

/// A string from the template; the parts Serverless variables could not resolve
/// (marked with [`UNKNOWN_MARK`]) become `Value::Unknown`.
pub fn string_value(text: &str) -> Value {
    if !text.contains(UNKNOWN_MARK) {
        return Value::str(text);
    }
    let mut parts = Vec::new();
    for (index, piece) in text.split(UNKNOWN_MARK).enumerate() {
        if index > 0 {
            parts.push(Value::Unknown);
        }
        parts.push(Value::str(piece));
    }
    Value::concat(parts)
}

/// The value as one static string: literals, parameters with a default, and joins of those.
pub fn static_string(value: &Value) -> Option<String> {
    match value {
        Value::Str { value } | Value::Scalar { value } => Some(value.clone()),
        Value::Infra(InfraRef {
            resource_type,
            known: Some(known),
            attribute: None,
            ..
        }) if resource_type == PARAMETER || resource_type == PSEUDO => Some(known.clone()),
        Value::Concat { parts } => parts.iter().map(static_string).collect(),
        _ => None,
    }
}

/// Pseudo parameters a physical name may keep as `${AWS::...}` placeholders: the policy
/// model writes ARNs with the same placeholders, so `--account`/`--region` fill them,
/// CloudFormation output keeps them inside `!Sub` (exact at deploy time), and plain formats
/// write `*` for the rest (`${AWS::StackName}-orders` is `*-orders`, not any table).
const NAME_PLACEHOLDERS: &[&str] = &[
    "AWS::AccountId",
    "AWS::Region",
    "AWS::Partition",
    "AWS::StackName",
];

/// A physical name: static text, where the account, region or partition it embeds
/// (`orders-archive-${AWS::AccountId}`) stays a placeholder.
fn static_name(value: &Value) -> Option<String> {
    match value {
        Value::Infra(InfraRef {
            logical_id,
            resource_type,
            known: None,
            attribute: None,
        }) if resource_type == PSEUDO && NAME_PLACEHOLDERS.contains(&logical_id.as_str()) => {
            Some(format!("${{{logical_id}}}"))
        }
        Value::Concat { parts } => parts.iter().map(static_name).collect(),
        other => static_string(other),
    }
}

/// `!Ref AWS::NoValue` (in either spelling): the property is absent.
pub fn is_no_value(node: &Yaml) -> bool {
    matches!(intrinsic(node), Some((name, arg)) if name == "Ref" && arg.as_str() == Some("AWS::NoValue"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infra::document::parse;

    fn template(text: &str) -> Template {
        let doc = Document {
            rel: "template.yaml".into(),
            text: text.into(),
            tree: parse("template.yaml", text).expect("yaml"),
        };
        Template::from_node(&doc, &doc.tree)
    }

    fn infra(id: &str, ty: &str, attribute: Option<&str>, known: Option<&str>) -> Value {
        Value::Infra(InfraRef {
            logical_id: id.into(),
            resource_type: ty.into(),
            attribute: attribute.map(Into::into),
            known: known.map(Into::into),
        })
    }

    const TEMPLATE: &str = r#"
Parameters:
  Stage:
    Type: String
    Default: dev
  Other:
    Type: String
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Mappings:
  Sizes:
    dev:
      Name: small
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub "${Stage}-orders"
  Queue:
    Type: AWS::SQS::Queue
  Loop1:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !GetAtt Loop2.QueueName
  Loop2:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !GetAtt Loop1.QueueName
Values:
  ref: !Ref Table
  att: !GetAtt Queue.Arn
  sub: !Sub "arn:aws:s3:::${Queue}/x-${AWS::Region}"
  literal_sub: !Sub "a-${!Literal}"
  join: !Join ["-", [a, !Ref Stage, c]]
  if: !If [IsProd, big, small]
  select: !Select [1, !Split [",", "a,b,c"]]
  map: !FindInMap [Sizes, !Ref Stage, Name]
  import: !ImportValue shared-bucket
  missing: !Ref Nope
  long: {"Fn::GetAtt": [Table, StreamArn]}
  unknown_tag: !Frobnicate x
  param: !Ref Other
  loop: !Ref Loop1
"#;

    #[test]
    fn evaluates_intrinsics() {
        let t = template(TEMPLATE);
        let e = Evaluator::new(&t);
        let tree = parse("template.yaml", TEMPLATE).expect("yaml");
        let v = |k: &str| e.eval(&tree["Values"][k]);
        assert_eq!(
            v("ref"),
            infra("Table", "AWS::DynamoDB::Table", None, Some("dev-orders"))
        );
        assert_eq!(
            v("att"),
            infra("Queue", "AWS::SQS::Queue", Some("Arn"), None)
        );
        assert_eq!(
            v("sub"),
            Value::Concat {
                parts: vec![
                    Value::str("arn:aws:s3:::"),
                    infra("Queue", "AWS::SQS::Queue", None, None),
                    Value::str("/x-"),
                    infra("AWS::Region", PSEUDO, None, None),
                ]
            }
        );
        assert_eq!(v("literal_sub"), Value::str("a-${Literal}"));
        assert_eq!(
            v("join"),
            Value::Concat {
                parts: vec![
                    Value::str("a-"),
                    infra("Stage", PARAMETER, None, Some("dev")),
                    Value::str("-c"),
                ]
            }
        );
        assert_eq!(v("if"), Value::str("small"));
        assert_eq!(v("select"), Value::str("b"));
        assert_eq!(v("map"), Value::str("small"));
        assert_eq!(v("import"), Value::Unknown);
        assert_eq!(
            v("long"),
            infra(
                "Table",
                "AWS::DynamoDB::Table",
                Some("StreamArn"),
                Some("dev-orders")
            )
        );
        assert_eq!(v("param"), infra("Other", PARAMETER, None, None));
        assert_eq!(v("missing"), Value::Unknown);
        assert_eq!(v("unknown_tag"), Value::Unknown);
        assert_eq!(v("loop"), infra("Loop1", "AWS::SQS::Queue", None, None));
        let diagnostics = e.take_diagnostics();
        let messages: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
        assert!(
            messages
                .iter()
                .any(|m| m.contains("template.yaml:39:") && m.contains("`Nope`")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.contains("Frobnicate")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.contains("refers back")),
            "{messages:?}"
        );
    }

    #[test]
    fn stack_name_and_account_in_physical_names() {
        let text = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Sub \"${AWS::StackName}-notify\"\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub \"logs-${AWS::AccountId}-${AWS::Region}\"\n";
        let mut t = template(text);
        // Without a deployment config the stack name stays a placeholder.
        assert_eq!(
            Evaluator::new(&t).physical_name("Q").as_deref(),
            Some("${AWS::StackName}-notify")
        );
        t.stack_name = Some("orders".into());
        let e = Evaluator::new(&t);
        assert_eq!(e.physical_name("Q").as_deref(), Some("orders-notify"));
        assert_eq!(
            e.physical_name("B").as_deref(),
            Some("logs-${AWS::AccountId}-${AWS::Region}")
        );
    }

    #[test]
    fn serverless_unknown_marks_become_unknown_parts() {
        let text = format!("svc-{UNKNOWN_MARK}-table");
        assert_eq!(
            string_value(&text),
            Value::Concat {
                parts: vec![Value::str("svc-"), Value::Unknown, Value::str("-table")]
            }
        );
    }
}
