//! Macro invocations. syn does not expand macros; most take comma-separated expressions
//! (`tokio::join!(a, b)`, `println!`, `vec!`, `format!`), so their tokens are parsed as
//! such and walked. `format!` builds a value. Tokens that do not parse are skipped, with
//! a note when they look like they hold an SDK call.

use syn::parse::Parser;
use syn::punctuated::Punctuated;

use super::abs::{Abs, format_value};
use super::index::Def;
use super::resolve::Target;
use super::tables;
use super::walker::Walker;
use crate::diagnostics::Diagnostic;
use crate::value::Value;

type Exprs = Punctuated<syn::Expr, syn::Token![,]>;

impl Walker<'_> {
    pub fn mac(&mut self, mac: &syn::Macro) -> Abs {
        let name = mac
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        let Ok(exprs) = Exprs::parse_terminated.parse2(mac.tokens.clone()) else {
            self.note_hidden_call(mac, &name);
            return Abs::Unknown;
        };
        match name.as_str() {
            "format" | "format_args" => self.format_macro(&exprs),
            "vec" => {
                let items = exprs.iter().map(|e| self.eval(e).to_value()).collect();
                Abs::Val(Value::List { items })
            }
            _ => {
                for e in &exprs {
                    self.eval(e);
                }
                Abs::Unknown
            }
        }
    }

    fn format_macro(&mut self, exprs: &Exprs) -> Abs {
        let mut iter = exprs.iter();
        let Some(syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(fmt),
            ..
        })) = iter.next()
        else {
            for e in exprs {
                self.eval(e);
            }
            return Abs::Val(Value::Unknown);
        };
        let mut positional = Vec::new();
        let mut named = Vec::new();
        for e in iter {
            match e {
                syn::Expr::Assign(a) => {
                    let v = self.eval(&a.right).to_value();
                    if let syn::Expr::Path(p) = &*a.left
                        && let Some(ident) = p.path.get_ident()
                    {
                        named.push((ident.to_string(), v));
                    }
                }
                e => positional.push(self.eval(e).to_value()),
            }
        }
        let mut captured = |name: &str| -> Value {
            if let Some((_, v)) = named.iter().find(|(n, _)| n == name) {
                return v.clone();
            }
            if let Some(v) = self.lookup(name) {
                return v.to_value();
            }
            match self.resolve_here(&[name.to_string()]) {
                Target::Local(Def::Const(id)) => self.const_abs(id).to_value(),
                _ => Value::Unknown,
            }
        };
        Abs::Val(format_value(&fmt.value(), &positional, &mut captured))
    }

    fn note_hidden_call(&mut self, mac: &syn::Macro, name: &str) {
        let hinted = mac.tokens.clone().into_iter().any(|t| contains_hint(&t));
        if hinted {
            let line = mac
                .path
                .segments
                .first()
                .map(|s| s.ident.span().start().line)
                .unwrap_or(0);
            let file = self.file_rel();
            self.diagnostics.push(Diagnostic::note(
                file,
                line as u32,
                format!("cannot read inside macro `{name}!`; SDK calls in it are not analysed"),
            ));
        }
    }
}

fn contains_hint(token: &proc_macro2::TokenTree) -> bool {
    match token {
        proc_macro2::TokenTree::Ident(i) => tables::SDK_CALL_HINTS.iter().any(|h| i == h),
        proc_macro2::TokenTree::Group(g) => g.stream().into_iter().any(|t| contains_hint(&t)),
        _ => false,
    }
}
