//! JSON with comments and trailing commas, as tsconfig.json and similar configuration files
//! are written. Shared by the TypeScript path mapping and the infrastructure's handler mapping.

/// Parses `text` after removing `//` and `/* */` comments outside strings and commas before
/// `}` or `]`; `None` when it is not JSON even then.
pub fn parse(text: &str) -> Option<serde_json::Value> {
    serde_json::from_str(&clean(text)).ok()
}

/// `text` without comments and trailing commas.
pub fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if c == '\\' {
                if let Some(escaped) = chars.next() {
                    out.push(escaped);
                }
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match (c, chars.peek()) {
            ('"', _) => {
                in_string = true;
                out.push(c);
            }
            ('/', Some('/')) => {
                for skipped in chars.by_ref() {
                    if skipped == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            ('/', Some('*')) => {
                chars.next();
                let mut last = ' ';
                for skipped in chars.by_ref() {
                    if last == '*' && skipped == '/' {
                        break;
                    }
                    last = skipped;
                }
            }
            _ => out.push(c),
        }
    }
    // Trailing commas.
    let mut result = String::with_capacity(out.len());
    let bytes: Vec<char> = out.chars().collect();
    let mut in_string = false;
    for (i, &c) in bytes.iter().enumerate() {
        if c == '"' && (i == 0 || bytes[i - 1] != '\\') {
            in_string = !in_string;
        }
        if c == ',' && !in_string {
            let next = bytes[i + 1..].iter().find(|c| !c.is_whitespace());
            if matches!(next, Some('}') | Some(']')) {
                continue;
            }
        }
        result.push(c);
    }
    result
}

#[cfg(test)]
mod tests {
    #[test]
    fn comments_and_trailing_commas() {
        let text = "{\n  // c\n  \"a\": \"x//y\", /* b */ \"l\": [1, 2,],\n}";
        assert_eq!(
            super::parse(text),
            Some(serde_json::json!({"a": "x//y", "l": [1, 2]}))
        );
    }
}
