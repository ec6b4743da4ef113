//! `node.field("name")`: `child_by_field_name` with the field id looked up once per grammar.
//! tree-sitter resolves a field name by comparing it with every field name of the grammar;
//! the evaluators ask for fields constantly, and that search was 8% of the JavaScript
//! analysis time and 8% of the Python interpreter's.

use std::cell::RefCell;
use std::num::NonZeroU16;

use tree_sitter::Node;

/// (grammar, field name) -> field id. The grammar is told apart by its node-kind and field
/// counts (Python, JavaScript, TypeScript and TSX differ); the name by its address, since
/// callers pass literals.
type Key = (usize, usize, usize);

thread_local! {
    static FIELD_IDS: RefCell<Vec<(Key, Option<NonZeroU16>)>> = const { RefCell::new(Vec::new()) };
}

pub trait Fields<'t> {
    /// The child in field `name`.
    fn field(&self, name: &'static str) -> Option<Node<'t>>;
}

impl<'t> Fields<'t> for Node<'t> {
    fn field(&self, name: &'static str) -> Option<Node<'t>> {
        let language = self.language();
        let key = (
            language.node_kind_count(),
            language.field_count(),
            name.as_ptr() as usize ^ (name.len() << 48),
        );
        let id = FIELD_IDS.with(|cache| {
            let mut cache = cache.borrow_mut();
            if let Some((_, id)) = cache.iter().find(|(k, _)| *k == key) {
                return *id;
            }
            let id = language.field_id_for_name(name);
            cache.push((key, id));
            id
        })?;
        self.child_by_field_id(id.get())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammars_have_distinct_keys_and_fields_resolve() {
        let grammars: [tree_sitter::Language; 4] = [
            tree_sitter_javascript::LANGUAGE.into(),
            tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            tree_sitter_typescript::LANGUAGE_TSX.into(),
            tree_sitter_python::LANGUAGE.into(),
        ];
        let keys: std::collections::BTreeSet<(usize, usize)> = grammars
            .iter()
            .map(|g| (g.node_kind_count(), g.field_count()))
            .collect();
        assert_eq!(keys.len(), 4);
        for grammar in &grammars[..3] {
            let mut parser = tree_sitter::Parser::new();
            parser.set_language(grammar).expect("grammar loads");
            let tree = parser.parse("const a = f(1);", None).expect("parses");
            let declarator = tree
                .root_node()
                .named_child(0)
                .and_then(|d| d.named_child(0))
                .expect("declarator");
            let value = declarator.field("value").expect("value field");
            assert_eq!(value.kind(), "call_expression");
            assert_eq!(
                value.field("function").map(|f| f.kind()),
                Some("identifier")
            );
        }
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&grammars[3]).expect("grammar loads");
        let tree = parser.parse("a = f(1)\n", None).expect("parses");
        let assignment = tree
            .root_node()
            .named_child(0)
            .and_then(|s| s.named_child(0))
            .expect("assignment");
        let right = assignment.field("right").expect("right field");
        assert_eq!(right.kind(), "call");
        assert_eq!(
            right.field("arguments").map(|a| a.kind()),
            Some("argument_list")
        );
    }
}
