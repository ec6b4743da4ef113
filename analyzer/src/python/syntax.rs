//! Small helpers over tree-sitter-python nodes: text, lines, string literals, errors.

use tree_sitter::Node;

use crate::fields::Fields;

/// The node's source text ("" if the range is not valid UTF-8 boundaries, which cannot
/// happen for a tree parsed from `src`).
pub fn node_text<'s>(node: Node, src: &'s str) -> &'s str {
    src.get(node.byte_range()).unwrap_or("")
}

/// 1-based line of the node's first character.
pub fn line_of(node: Node) -> u32 {
    u32::try_from(node.start_position().row + 1).unwrap_or(u32::MAX)
}

/// The line of the first syntax error in the tree, if any.
pub fn syntax_error_line(root: Node) -> Option<u32> {
    if !root.has_error() {
        return None;
    }
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        if node.is_error() || node.is_missing() {
            return Some(line_of(node));
        }
        // Descend only into subtrees that contain the error.
        if node.has_error() && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return Some(line_of(root));
            }
        }
    }
}

/// A piece of a string literal: literal text, or an f-string interpolation.
pub enum StringPart<'t> {
    Text(String),
    Interpolation(Node<'t>),
}

/// The parts of a `string` node, escapes decoded (raw strings kept as written).
pub fn string_parts<'t>(node: Node<'t>, src: &str) -> Vec<StringPart<'t>> {
    let mut parts = Vec::new();
    let prefix = node
        .child(0)
        .map(|start| node_text(start, src).to_ascii_lowercase())
        .unwrap_or_default();
    let raw = prefix.contains('r');
    let formatted = prefix.contains('f');
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        match child.kind() {
            "string_content" => {
                let text = node_text(child, src);
                let text = if raw {
                    text.to_string()
                } else {
                    unescape(text)
                };
                parts.push(StringPart::Text(if formatted {
                    unescape_fstring_braces(&text)
                } else {
                    text
                }));
            }
            "interpolation" => {
                if let Some(expr) = child.field("expression") {
                    parts.push(StringPart::Interpolation(expr));
                }
            }
            _ => {}
        }
    }
    parts
}

/// Decodes the common escapes; unknown ones are kept as written (Python does the same).
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some('\n') => {}
            Some(c @ ('\\' | '\'' | '"')) => out.push(c),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// `{{`/`}}` in f-string text are literal braces.
fn unescape_fstring_braces(text: &str) -> String {
    text.replace("{{", "{").replace("}}", "}")
}
