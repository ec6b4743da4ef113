//! CloudFormation `!Sub` placeholders in resource strings: `${AWS::Region}` pseudo parameters
//! and `${LogicalId}` / `${LogicalId.Attr}` references.
//!
//! IAM policy variables (`${aws:username}`, `${s3:prefix}`, `${*}`) share the `${...}` syntax
//! but are not placeholders: they name no logical id (a `:` or a special character), so they
//! are left alone here and escaped as `${!...}` for `!Sub` by [`escape_policy_variables`].

/// Byte ranges of the `${...}` placeholders in `text`, in order.
fn placeholder_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut from = 0;
    while let Some(offset) = text[from..].find("${") {
        let start = from + offset;
        let Some(len) = text[start + 2..].find('}') else {
            break;
        };
        let end = start + 2 + len + 1;
        if is_placeholder_name(&text[start + 2..end - 1]) {
            spans.push((start, end));
            from = end;
        } else {
            from = start + 2;
        }
    }
    spans
}

/// `AWS::Name` (pseudo parameter) or `LogicalId` / `LogicalId.Attr[.Attr]` (CloudFormation
/// logical ids are alphanumeric; Terraform addresses, `aws_sqs_queue.jobs`, add `_` and `-`).
/// IAM policy variables always hold a `:` or a special character, so they never match.
fn is_placeholder_name(name: &str) -> bool {
    let alphanumeric = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    };
    match name.strip_prefix("AWS::") {
        Some(pseudo) => alphanumeric(pseudo),
        None => name.split('.').all(alphanumeric),
    }
}

/// The placeholders of `resource`, each with its `${` and `}`, in order of appearance
/// (repeats included): `arn:${AWS::Partition}:sqs:*:*:${Queue.QueueName}` gives
/// `["${AWS::Partition}", "${Queue.QueueName}"]`.
pub fn placeholders(resource: &str) -> Vec<&str> {
    placeholder_spans(resource)
        .into_iter()
        .map(|(start, end)| &resource[start..end])
        .collect()
}

/// `resource` with every placeholder replaced by `f(placeholder)`; `f` receives the
/// placeholder with its `${` and `}`. Text that is not a placeholder is kept as it is.
pub fn substitute(resource: &str, f: &dyn Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(resource.len());
    let mut last = 0;
    for (start, end) in placeholder_spans(resource) {
        out.push_str(&resource[last..start]);
        out.push_str(&f(&resource[start..end]));
        last = end;
    }
    out.push_str(&resource[last..]);
    out
}

/// `resource` ready for CloudFormation `!Sub`: every `${` that does not open a placeholder
/// (an IAM policy variable such as `${aws:username}`) becomes `${!`, which `!Sub` turns
/// back into a literal `${`.
pub fn escape_policy_variables(resource: &str) -> String {
    let spans = placeholder_spans(resource);
    let mut out = String::with_capacity(resource.len());
    let mut rest = 0;
    while let Some(offset) = resource[rest..].find("${") {
        let start = rest + offset;
        out.push_str(&resource[rest..start]);
        let is_placeholder = spans.iter().any(|&(s, _)| s == start);
        let already_escaped = resource[start + 2..].starts_with('!');
        out.push_str(if is_placeholder || already_escaped {
            "${"
        } else {
            "${!"
        });
        rest = start + 2;
    }
    out.push_str(&resource[rest..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_pseudo_parameters_and_references() {
        let arn =
            "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${OrdersTable}";
        assert_eq!(
            placeholders(arn),
            [
                "${AWS::Partition}",
                "${AWS::Region}",
                "${AWS::AccountId}",
                "${OrdersTable}"
            ]
        );
        assert_eq!(
            placeholders("${Queue.Arn}/x/${Db.Endpoint.Address}"),
            ["${Queue.Arn}", "${Db.Endpoint.Address}"]
        );
    }

    #[test]
    fn policy_variables_and_broken_syntax_are_not_placeholders() {
        assert!(placeholders("arn:aws:s3:::bucket/home/${aws:username}/*").is_empty());
        assert!(placeholders("arn:aws:s3:::b/${*}/${?}/${$}").is_empty());
        assert!(placeholders("arn:aws:s3:::b/${!Literal}").is_empty());
        assert!(placeholders("arn:aws:s3:::b/${Unclosed").is_empty());
        assert!(placeholders("${}").is_empty());
        assert!(placeholders("${AWS::}").is_empty());
        assert!(placeholders("${A..B}").is_empty());
        assert_eq!(placeholders("${aws:x}${Good}"), ["${Good}"]);
    }

    #[test]
    fn substitutes_only_placeholders() {
        let f = |p: &str| match p {
            "${AWS::Partition}" => "aws".to_string(),
            "${AWS::Region}" | "${AWS::AccountId}" => "*".to_string(),
            "${OrdersTable}" => "orders".to_string(),
            other => other.to_string(),
        };
        assert_eq!(
            substitute(
                "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${OrdersTable}",
                &f
            ),
            "arn:aws:dynamodb:*:*:table/orders"
        );
        assert_eq!(
            substitute("arn:${AWS::Partition}:s3:::b/${aws:username}/*", &f),
            "arn:aws:s3:::b/${aws:username}/*"
        );
        assert_eq!(substitute("*", &f), "*");
        assert_eq!(substitute("ünïcode/${OrdersTable}é", &f), "ünïcode/ordersé");
    }

    #[test]
    fn escapes_policy_variables_for_sub() {
        assert_eq!(
            escape_policy_variables("arn:${AWS::Partition}:s3:::${Bucket}/${aws:username}/*"),
            "arn:${AWS::Partition}:s3:::${Bucket}/${!aws:username}/*"
        );
        assert_eq!(escape_policy_variables("a/${!already}"), "a/${!already}");
        assert_eq!(escape_policy_variables("plain"), "plain");
    }
}
