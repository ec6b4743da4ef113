//! Types to abstract values: Rust's types say where clients are (`client: &Client`,
//! `Arc<aws_sdk_s3::Client>`, `State<AppState>`, `OnceCell<Client>` statics) and which
//! parameters are trait objects or generics whose concrete type is not known.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::abs::Abs;
use super::index::{Def, ModId, TraitId};
use super::resolve::Target;
use super::tables;
use super::walker::Walker;

impl Walker<'_> {
    /// The handler's event, for `S3Event` or `LambdaEvent<S3Event>`, when the triggers bind
    /// paths of it.
    fn event_type(&self, p: &syn::TypePath) -> Option<Abs> {
        if self.ctx.event.is_empty() {
            return None;
        }
        let last = p.path.segments.last()?;
        let name = last.ident.to_string();
        if tables::EVENT_TYPES.contains(&name.as_str()) {
            return Some(Abs::Event(Rc::from("")));
        }
        if name != tables::EVENT_WRAPPER.0 {
            return None;
        }
        let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
            return None;
        };
        args.args.iter().find_map(|a| match a {
            syn::GenericArgument::Type(syn::Type::Path(inner)) => self.event_type(inner),
            _ => None,
        })
    }

    /// `ty` as written in the current frame.
    pub fn type_abs(&mut self, ty: &syn::Type) -> Abs {
        let (module, generics) = match self.frame() {
            Some(f) => (f.module, f.generics.clone()),
            None => (0, BTreeMap::new()),
        };
        self.self_hint = self.frame().and_then(|f| f.self_type);
        let abs = self.type_abs_in(ty, module, &generics);
        self.self_hint = None;
        abs
    }

    /// `ty` as written in `module`, with `generics` naming the bounded type parameters.
    pub fn type_abs_in(
        &mut self,
        ty: &syn::Type,
        module: ModId,
        generics: &BTreeMap<String, Vec<TraitId>>,
    ) -> Abs {
        match ty {
            syn::Type::Reference(r) => self.type_abs_in(&r.elem, module, generics),
            syn::Type::Paren(p) => self.type_abs_in(&p.elem, module, generics),
            syn::Type::Group(g) => self.type_abs_in(&g.elem, module, generics),
            syn::Type::Ptr(p) => self.type_abs_in(&p.elem, module, generics),
            syn::Type::TraitObject(t) => self.bounds_abs(t.bounds.iter(), module),
            syn::Type::ImplTrait(t) => self.bounds_abs(t.bounds.iter(), module),
            syn::Type::Path(p) if p.qself.is_none() => {
                let segments: Vec<String> = p
                    .path
                    .segments
                    .iter()
                    .map(|s| s.ident.to_string())
                    .collect();
                if let [name] = segments.as_slice()
                    && let Some(bounds) = generics.get(name)
                {
                    return if bounds.is_empty() {
                        Abs::Unknown
                    } else {
                        Abs::Dyn(Rc::from(bounds.clone()))
                    };
                }
                if segments == ["Self"] {
                    return self.self_hint.map(Abs::instance).unwrap_or(Abs::Unknown);
                }
                if let Some(event) = self.event_type(p) {
                    return event;
                }
                let target = self.ix.resolve(module, &segments);
                match target {
                    Target::Local(Def::Type(t)) => return Abs::instance(t),
                    Target::Local(Def::Trait(t)) => return Abs::Dyn(Rc::from(vec![t])),
                    Target::Aws(package, rest) => {
                        return if tables::is_client_type(&rest) {
                            Abs::Client(Rc::from(package.as_str()))
                        } else {
                            Abs::Foreign
                        };
                    }
                    _ => {}
                }
                // A collection of clients hands out clients: its last type argument.
                if let Some(last) = p.path.segments.last()
                    && tables::CONTAINER_TYPES.contains(&last.ident.to_string().as_str())
                    && let syn::PathArguments::AngleBracketed(args) = &last.arguments
                    && let Some(element) = args.args.iter().rev().find_map(|a| match a {
                        syn::GenericArgument::Type(t) => Some(t),
                        _ => None,
                    })
                {
                    return match self.type_abs_in(element, module, generics) {
                        Abs::Client(c) => Abs::Client(c),
                        Abs::Dyn(t) => Abs::Dyn(t),
                        Abs::Instance { ty, fields } => Abs::Instance { ty, fields },
                        _ => Abs::Foreign,
                    };
                }
                // A wrapper (`Arc<T>`, `State<T>`, `OnceCell<T>`): what it holds.
                let last = p.path.segments.last();
                if let Some(last) = last
                    && tables::WRAPPER_TYPES.contains(&last.ident.to_string().as_str())
                    && let syn::PathArguments::AngleBracketed(args) = &last.arguments
                    && let Some(inner) = args.args.iter().find_map(|a| match a {
                        syn::GenericArgument::Type(t) => Some(t),
                        _ => None,
                    })
                {
                    return self.type_abs_in(inner, module, generics);
                }
                match target {
                    Target::Other(path) => match self.library_class(&path) {
                        Some(class) => Abs::Library(class),
                        None => Abs::Foreign,
                    },
                    _ => Abs::Unknown,
                }
            }
            _ => Abs::Unknown,
        }
    }

    /// A trait object or `impl Trait`: the local traits among its bounds.
    fn bounds_abs<'b>(
        &self,
        bounds: impl Iterator<Item = &'b syn::TypeParamBound>,
        module: ModId,
    ) -> Abs {
        let traits = self.local_traits(bounds, module);
        if traits.is_empty() {
            Abs::Unknown
        } else {
            Abs::Dyn(Rc::from(traits))
        }
    }

    fn local_traits<'b>(
        &self,
        bounds: impl Iterator<Item = &'b syn::TypeParamBound>,
        module: ModId,
    ) -> Vec<TraitId> {
        bounds
            .filter_map(|b| match b {
                syn::TypeParamBound::Trait(t) => {
                    let segments: Vec<String> = t
                        .path
                        .segments
                        .iter()
                        .map(|s| s.ident.to_string())
                        .collect();
                    match self.ix.resolve(module, &segments) {
                        Target::Local(Def::Trait(id)) => Some(id),
                        _ => None,
                    }
                }
                _ => None,
            })
            .collect()
    }

    /// Type parameters and the local traits that bound them (inline and `where`).
    pub fn collect_generics(
        &self,
        generics: &syn::Generics,
        module: ModId,
        out: &mut BTreeMap<String, Vec<TraitId>>,
    ) {
        for param in generics.type_params() {
            let traits = self.local_traits(param.bounds.iter(), module);
            out.entry(param.ident.to_string())
                .or_default()
                .extend(traits);
        }
        if let Some(clause) = &generics.where_clause {
            for predicate in &clause.predicates {
                if let syn::WherePredicate::Type(p) = predicate
                    && let syn::Type::Path(tp) = &p.bounded_ty
                    && let Some(ident) = tp.path.get_ident()
                {
                    let traits = self.local_traits(p.bounds.iter(), module);
                    out.entry(ident.to_string()).or_default().extend(traits);
                }
            }
        }
    }
}
