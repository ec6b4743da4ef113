//! The crate index: every module reachable from the entry's crate root (files found by
//! `mod` declarations, `#[path]`, inline modules), path-dependency crates, and the items
//! analysis needs — functions, structs and enums with their fields, traits, impls,
//! consts and statics, `use` declarations. Items are moved out of syn's tree, not cloned.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::cargo::{self, DepSpec, Manifest};
use crate::diagnostics::Diagnostic;
use crate::source::read_source;

pub type FileId = usize;
pub type CrateId = usize;
pub type ModId = usize;
pub type FnId = usize;
pub type TypeId = usize;
pub type TraitId = usize;
pub type ImplId = usize;
pub type ConstId = usize;

/// A parsed source file.
pub struct FileData {
    /// Relative to the project root, with `/`.
    pub rel: String,
    pub text: String,
}

/// What a crate-level name stands for.
#[derive(Debug, Clone)]
pub enum Extern {
    /// An aws-sdk-rust service crate, by package name (`aws-sdk-s3`).
    Aws(String),
    /// A crate of this project.
    Local(CrateId),
    /// Any other crate: its values are not AWS clients.
    Other,
}

pub struct CrateData {
    /// The name code uses for this crate (underscores).
    pub name: String,
    pub root: ModId,
    pub deps: BTreeMap<String, Extern>,
}

/// A name defined in a module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Def {
    Fn(FnId),
    Type(TypeId),
    Trait(TraitId),
    Mod(ModId),
    Const(ConstId),
}

pub struct ModuleData {
    pub krate: CrateId,
    pub parent: Option<ModId>,
    pub defs: BTreeMap<String, Vec<Def>>,
    /// `use a::b as c;` as `("c", ["a", "b"])`.
    pub uses: Vec<(String, Vec<String>)>,
    /// `use a::b::*;` as `["a", "b"]`.
    pub globs: Vec<Vec<String>>,
    pub file: FileId,
}

/// A function or method with its body.
pub struct FnDef {
    pub name: String,
    pub sig: syn::Signature,
    pub body: syn::Block,
    pub module: ModId,
    pub file: FileId,
    /// The impl or trait it belongs to.
    pub owner: Option<Owner>,
}

#[derive(Debug, Clone, Copy)]
pub enum Owner {
    Impl(ImplId),
    Trait(TraitId),
}

/// A struct or enum.
pub struct TypeDef {
    pub name: String,
    pub module: ModId,
    /// Named fields by name, tuple fields by position (`"0"`).
    pub fields: Vec<(String, syn::Type)>,
    pub impls: Vec<ImplId>,
}

pub struct TraitDef {
    pub name: String,
    /// Local supertraits (`trait Store: StoreGet + StorePut`), linked after indexing.
    pub supertraits: Vec<TraitId>,
    supertrait_paths: Vec<Vec<String>>,
    module: ModId,
    /// Methods with a default body.
    pub defaults: Vec<FnId>,
    pub methods: BTreeSet<String>,
    pub impls: Vec<ImplId>,
}

pub struct ImplDef {
    pub module: ModId,
    pub self_ty: syn::Type,
    pub trait_path: Option<syn::Path>,
    pub generics: syn::Generics,
    pub fns: Vec<FnId>,
    /// Associated consts (`const TABLE: &str = "orders";`).
    pub consts: Vec<(String, ConstId)>,
    pub self_def: Option<TypeId>,
    pub trait_def: Option<TraitId>,
    /// The aws-sdk-rust package when the impl is for its `Client`
    /// (`impl GetFile for aws_sdk_s3::Client`).
    pub self_client: Option<String>,
}

/// A `const` or `static`.
pub struct ConstDef {
    pub module: ModId,
    pub ty: syn::Type,
    pub expr: syn::Expr,
}

#[derive(Default)]
pub struct Index {
    pub root: PathBuf,
    pub files: Vec<FileData>,
    pub crates: Vec<CrateData>,
    pub modules: Vec<ModuleData>,
    pub fns: Vec<FnDef>,
    pub types: Vec<TypeDef>,
    pub traits: Vec<TraitDef>,
    pub impls: Vec<ImplDef>,
    pub consts: Vec<ConstDef>,
    pub diagnostics: Vec<Diagnostic>,
    /// Impls (of local traits) for an SDK client, by package.
    pub client_impls: BTreeMap<String, Vec<ImplId>>,
    /// Module of each file loaded as a module file (not inline modules).
    pub file_modules: BTreeMap<FileId, ModId>,
    loaded_files: BTreeSet<PathBuf>,
    /// Items found inside function bodies, waiting to join their module.
    nested: Vec<(ModId, FileId, Vec<syn::Item>)>,
    crates_by_root: BTreeMap<PathBuf, CrateId>,
}

/// Where `mod x;` inside a module looks for its files.
struct ModDirs {
    /// The folder for `mod x;` without `#[path]` (`dir/x.rs`, `dir/x/mod.rs`).
    children: PathBuf,
    /// The folder `#[path]` is relative to.
    path_base: PathBuf,
}

impl Index {
    /// Indexes the crate whose root is `root_file` (and, transitively, its path dependencies).
    pub fn load(root: &Path, root_file: &Path, manifest: Option<&Manifest>) -> Index {
        let mut index = Index {
            root: root.to_path_buf(),
            ..Index::default()
        };
        let name = crate_name(manifest, root_file);
        index.load_crate(root_file, manifest, name, 0);
        index.link_impls();
        index
    }

    fn load_crate(
        &mut self,
        root_file: &Path,
        manifest: Option<&Manifest>,
        name: String,
        depth: usize,
    ) -> CrateId {
        if let Some(&id) = self.crates_by_root.get(root_file) {
            return id;
        }
        let id = self.crates.len();
        self.crates_by_root.insert(root_file.to_path_buf(), id);
        let root_mod = self.modules.len();
        self.crates.push(CrateData {
            name,
            root: root_mod,
            deps: BTreeMap::new(),
        });
        self.load_module_file(id, None, root_file, true);

        let mut deps = BTreeMap::new();
        if let Some(manifest) = manifest {
            // A binary sees the library of its own package by the package's name.
            if let (Some(lib), Some(package)) = (&manifest.lib, &manifest.package)
                && lib.as_path() != root_file
            {
                let lib_id = self.load_crate(lib, Some(manifest), package.replace('-', "_"), depth);
                deps.insert(package.replace('-', "_"), Extern::Local(lib_id));
            }
            for (code_name, spec) in &manifest.deps {
                let target = self.dep_target(spec, depth);
                deps.insert(code_name.clone(), target);
            }
        }
        if let Some(data) = self.crates.get_mut(id) {
            data.deps.extend(deps);
        }
        id
    }

    fn dep_target(&mut self, spec: &DepSpec, depth: usize) -> Extern {
        if let Some(package) = super::tables::aws_package(&spec.package) {
            return Extern::Aws(package);
        }
        let Some(dir) = &spec.path else {
            return Extern::Other;
        };
        if depth > 8 || !dir.starts_with(&self.root) {
            return Extern::Other;
        }
        let root = self.root.clone();
        let Some(manifest) = cargo::read_manifest(&root, dir, &mut self.diagnostics) else {
            return Extern::Other;
        };
        match &manifest.lib {
            Some(lib) => {
                let lib = lib.clone();
                let name = spec.package.replace('-', "_");
                Extern::Local(self.load_crate(&lib, Some(&manifest), name, depth + 1))
            }
            None => Extern::Other,
        }
    }

    /// Loads a module from its own file. `is_root` marks crate roots and `mod.rs` files,
    /// whose child modules live beside them.
    fn load_module_file(
        &mut self,
        krate: CrateId,
        parent: Option<ModId>,
        path: &Path,
        is_root: bool,
    ) -> Option<ModId> {
        let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        if !self.loaded_files.insert(canonical) {
            return None;
        }
        let source = match read_source(&self.root, path) {
            Ok(source) => source,
            Err(diag) => {
                self.diagnostics.push(diag);
                return None;
            }
        };
        let file_id = self.files.len();
        let parsed = syn::parse_file(&source.text);
        self.files.push(FileData {
            rel: source.rel.clone(),
            text: source.text,
        });
        let module = self.new_module(krate, parent, file_id);
        self.file_modules.insert(file_id, module);
        let items = match parsed {
            Ok(file) => file.items,
            Err(e) => {
                self.diagnostics.push(Diagnostic::warning(
                    &source.rel,
                    e.span().start().line as u32,
                    format!("cannot parse Rust: {e}; file skipped"),
                ));
                Vec::new()
            }
        };
        let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
        let is_mod_rs = is_root || path.file_name().is_some_and(|n| n == "mod.rs");
        let children = if is_mod_rs {
            dir.clone()
        } else {
            let stem = path
                .file_stem()
                .map(|s| s.to_os_string())
                .unwrap_or_default();
            dir.join(stem)
        };
        let dirs = ModDirs {
            children,
            path_base: dir,
        };
        self.add_items(module, file_id, items, &dirs);
        Some(module)
    }

    fn new_module(&mut self, krate: CrateId, parent: Option<ModId>, file: FileId) -> ModId {
        self.modules.push(ModuleData {
            krate,
            parent,
            defs: BTreeMap::new(),
            uses: Vec::new(),
            globs: Vec::new(),
            file,
        });
        self.modules.len() - 1
    }

    fn define(&mut self, module: ModId, name: String, def: Def) {
        if let Some(m) = self.modules.get_mut(module) {
            m.defs.entry(name).or_default().push(def);
        }
    }

    fn add_items(&mut self, module: ModId, file: FileId, items: Vec<syn::Item>, dirs: &ModDirs) {
        self.add_items_here(module, file, items, dirs);
        while let Some((owner_module, owner_file, nested)) = self.nested.pop() {
            self.add_items_here(owner_module, owner_file, nested, dirs);
        }
    }

    fn add_items_here(
        &mut self,
        module: ModId,
        file: FileId,
        items: Vec<syn::Item>,
        dirs: &ModDirs,
    ) {
        for item in items {
            if is_test_only(&item) {
                continue;
            }
            match item {
                syn::Item::Fn(f) => {
                    let id = self.push_fn(f.sig, *f.block, module, file, None);
                    let name = self.fns[id].name.clone();
                    self.define(module, name, Def::Fn(id));
                }
                syn::Item::Struct(s) => {
                    let fields = fields_of(&s.fields);
                    self.push_type(module, s.ident.to_string(), fields);
                }
                syn::Item::Enum(e) => {
                    self.push_type(module, e.ident.to_string(), Vec::new());
                }
                syn::Item::Union(u) => {
                    let fields = fields_of(&syn::Fields::Named(u.fields));
                    self.push_type(module, u.ident.to_string(), fields);
                }
                syn::Item::Type(t) => {
                    // `type Db = aws_sdk_dynamodb::Client;` acts like a `use` of the aliased path.
                    if let Some(path) = type_path_segments(&t.ty) {
                        if let Some(m) = self.modules.get_mut(module) {
                            m.uses.push((t.ident.to_string(), path));
                        }
                    }
                }
                syn::Item::Trait(t) => self.add_trait(module, file, t),
                syn::Item::Impl(i) => self.add_impl(module, file, i),
                syn::Item::Const(c) => {
                    self.push_const(module, c.ident.to_string(), *c.ty, *c.expr);
                }
                syn::Item::Static(s) => {
                    self.push_const(module, s.ident.to_string(), *s.ty, *s.expr);
                }
                syn::Item::Use(u) => {
                    let mut uses = Vec::new();
                    let mut globs = Vec::new();
                    flatten_use(&u.tree, &mut Vec::new(), &mut uses, &mut globs);
                    if let Some(m) = self.modules.get_mut(module) {
                        m.uses.extend(uses);
                        m.globs.extend(globs);
                    }
                }
                syn::Item::Mod(m) => self.add_mod(module, file, m, dirs),
                syn::Item::Macro(m) => {
                    if let Some(items) = lazy_static_items(&m.mac) {
                        self.add_items(module, file, items, dirs);
                    }
                }
                _ => {}
            }
        }
    }

    fn add_mod(&mut self, module: ModId, file: FileId, m: syn::ItemMod, dirs: &ModDirs) {
        let name = m.ident.to_string();
        let krate = self.modules[module].krate;
        let path_attr = path_attribute(&m.attrs);
        match m.content {
            Some((_, items)) => {
                let child = self.new_module(krate, Some(module), file);
                self.define(module, name.clone(), Def::Mod(child));
                let inner = dirs.children.join(&name);
                let child_dirs = ModDirs {
                    children: match &path_attr {
                        Some(p) => dirs.children.join(p),
                        None => inner.clone(),
                    },
                    path_base: inner,
                };
                self.add_items(child, file, items, &child_dirs);
            }
            None => {
                let candidates = match &path_attr {
                    Some(p) => vec![(dirs.path_base.join(p), true)],
                    None => vec![
                        (dirs.children.join(format!("{name}.rs")), false),
                        (dirs.children.join(&name).join("mod.rs"), true),
                    ],
                };
                let found = candidates.into_iter().find(|(p, _)| p.is_file());
                match found {
                    Some((path, is_mod_rs)) => {
                        if let Some(child) =
                            self.load_module_file(krate, Some(module), &path, is_mod_rs)
                        {
                            self.define(module, name, Def::Mod(child));
                        }
                    }
                    None => {
                        let line = m.ident.span().start().line as u32;
                        let rel = self
                            .files
                            .get(file)
                            .map(|f| f.rel.clone())
                            .unwrap_or_default();
                        self.diagnostics.push(Diagnostic::note(
                            rel,
                            line,
                            format!("module `{name}` has no source file here; not analysed"),
                        ));
                    }
                }
            }
        }
    }

    fn add_trait(&mut self, module: ModId, file: FileId, t: syn::ItemTrait) {
        let id = self.traits.len();
        let supertrait_paths = t
            .supertraits
            .iter()
            .filter_map(|b| match b {
                syn::TypeParamBound::Trait(tb) => Some(
                    tb.path
                        .segments
                        .iter()
                        .map(|s| s.ident.to_string())
                        .collect(),
                ),
                _ => None,
            })
            .collect();
        self.traits.push(TraitDef {
            name: t.ident.to_string(),
            supertraits: Vec::new(),
            supertrait_paths,
            module,
            defaults: Vec::new(),
            methods: BTreeSet::new(),
            impls: Vec::new(),
        });
        self.define(module, t.ident.to_string(), Def::Trait(id));
        for item in t.items {
            if let syn::TraitItem::Fn(f) = item {
                self.traits[id].methods.insert(f.sig.ident.to_string());
                if let Some(body) = f.default {
                    let fid = self.push_fn(f.sig, body, module, file, Some(Owner::Trait(id)));
                    self.traits[id].defaults.push(fid);
                }
            }
        }
    }

    fn add_impl(&mut self, module: ModId, file: FileId, i: syn::ItemImpl) {
        let id = self.impls.len();
        self.impls.push(ImplDef {
            module,
            self_ty: *i.self_ty,
            trait_path: i.trait_.map(|(_, path, _)| path),
            generics: i.generics,
            fns: Vec::new(),
            consts: Vec::new(),
            self_def: None,
            trait_def: None,
            self_client: None,
        });
        for item in i.items {
            match item {
                syn::ImplItem::Fn(f) => {
                    let fid = self.push_fn(f.sig, f.block, module, file, Some(Owner::Impl(id)));
                    self.impls[id].fns.push(fid);
                }
                syn::ImplItem::Const(c) => {
                    self.consts.push(ConstDef {
                        module,
                        ty: c.ty,
                        expr: c.expr,
                    });
                    let cid = self.consts.len() - 1;
                    self.impls[id].consts.push((c.ident.to_string(), cid));
                }
                _ => {}
            }
        }
    }

    fn push_fn(
        &mut self,
        sig: syn::Signature,
        mut body: syn::Block,
        module: ModId,
        file: FileId,
        owner: Option<Owner>,
    ) -> FnId {
        // Items declared in the body (`async fn main() { async fn handler() {..} .. }`) are
        // visible only there in Rust; indexing them with the module makes them resolvable.
        let (items, stmts): (Vec<syn::Stmt>, Vec<syn::Stmt>) = std::mem::take(&mut body.stmts)
            .into_iter()
            .partition(|s| matches!(s, syn::Stmt::Item(_)));
        body.stmts = stmts;
        let items: Vec<syn::Item> = items
            .into_iter()
            .filter_map(|s| match s {
                syn::Stmt::Item(item) => Some(item),
                _ => None,
            })
            .collect();
        if !items.is_empty() {
            self.nested.push((module, file, items));
        }
        self.fns.push(FnDef {
            name: sig.ident.to_string(),
            sig,
            body,
            module,
            file,
            owner,
        });
        self.fns.len() - 1
    }

    fn push_type(&mut self, module: ModId, name: String, fields: Vec<(String, syn::Type)>) {
        let id = self.types.len();
        self.types.push(TypeDef {
            name: name.clone(),
            module,
            fields,
            impls: Vec::new(),
        });
        self.define(module, name, Def::Type(id));
    }

    fn push_const(&mut self, module: ModId, name: String, ty: syn::Type, expr: syn::Expr) {
        self.consts.push(ConstDef { module, ty, expr });
        let id = self.consts.len() - 1;
        self.define(module, name, Def::Const(id));
    }

    /// Attaches every impl to its self type and trait, and traits to their supertraits,
    /// once all modules are known.
    fn link_impls(&mut self) {
        for id in 0..self.traits.len() {
            let module = self.traits[id].module;
            let supers: Vec<TraitId> = self.traits[id]
                .supertrait_paths
                .iter()
                .filter_map(|segs| match self.resolve(module, segs) {
                    super::resolve::Target::Local(Def::Trait(t)) => Some(t),
                    _ => None,
                })
                .collect();
            self.traits[id].supertraits = supers;
        }
        for id in 0..self.impls.len() {
            let module = self.impls[id].module;
            let self_target =
                type_path_segments(&self.impls[id].self_ty).map(|segs| self.resolve(module, &segs));
            let self_def = match &self_target {
                Some(super::resolve::Target::Local(Def::Type(t))) => Some(*t),
                _ => None,
            };
            if let Some(super::resolve::Target::Aws(package, rest)) = &self_target
                && super::tables::is_client_type(rest)
            {
                self.impls[id].self_client = Some(package.clone());
                self.client_impls
                    .entry(package.clone())
                    .or_default()
                    .push(id);
            }
            let trait_def = self.impls[id].trait_path.as_ref().and_then(|p| {
                let segs: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
                match self.resolve(module, &segs) {
                    super::resolve::Target::Local(Def::Trait(t)) => Some(t),
                    _ => None,
                }
            });
            self.impls[id].self_def = self_def;
            self.impls[id].trait_def = trait_def;
            if let Some(t) = self_def {
                self.types[t].impls.push(id);
            }
            if let Some(t) = trait_def {
                self.traits[t].impls.push(id);
            }
        }
    }

    /// `traits` and all their supertraits.
    pub fn with_supertraits(&self, traits: &[TraitId]) -> Vec<TraitId> {
        let mut all: Vec<TraitId> = traits.to_vec();
        let mut i = 0;
        while i < all.len() {
            let supers = self
                .traits
                .get(all[i])
                .map(|t| t.supertraits.clone())
                .unwrap_or_default();
            for s in supers {
                if !all.contains(&s) {
                    all.push(s);
                }
            }
            i += 1;
        }
        all
    }

    /// The display name of a function: `handler`, `Store::put`.
    pub fn fn_display(&self, id: FnId) -> String {
        let f = &self.fns[id];
        match f.owner {
            Some(Owner::Impl(i)) => {
                let imp = &self.impls[i];
                let type_name = match imp.self_def {
                    Some(t) => Some(self.types[t].name.clone()),
                    None => type_path_segments(&imp.self_ty).and_then(|s| s.last().cloned()),
                };
                match type_name {
                    Some(name) => format!("{name}::{}", f.name),
                    None => f.name.clone(),
                }
            }
            Some(Owner::Trait(t)) => format!("{}::{}", self.traits[t].name, f.name),
            None => f.name.clone(),
        }
    }
}

/// The name code uses for the crate rooted at `root_file`.
fn crate_name(manifest: Option<&Manifest>, root_file: &Path) -> String {
    manifest
        .and_then(|m| m.package.clone())
        .or_else(|| {
            root_file
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
        })
        .unwrap_or_default()
        .replace('-', "_")
}

fn fields_of(fields: &syn::Fields) -> Vec<(String, syn::Type)> {
    fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let name = f
                .ident
                .as_ref()
                .map(|i| i.to_string())
                .unwrap_or_else(|| i.to_string());
            (name, f.ty.clone())
        })
        .collect()
}

/// The segments of a plain path type (`aws_sdk_s3::Client`), without generics.
pub fn type_path_segments(ty: &syn::Type) -> Option<Vec<String>> {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() => Some(
            p.path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect(),
        ),
        syn::Type::Group(g) => type_path_segments(&g.elem),
        syn::Type::Paren(p) => type_path_segments(&p.elem),
        _ => None,
    }
}

/// `#[cfg(test)]` items and `#[test]` functions: never part of the deployed function.
fn is_test_only(item: &syn::Item) -> bool {
    let attrs: &[syn::Attribute] = match item {
        syn::Item::Fn(f) => &f.attrs,
        syn::Item::Mod(m) => &m.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Struct(s) => &s.attrs,
        syn::Item::Use(u) => &u.attrs,
        syn::Item::Const(c) => &c.attrs,
        syn::Item::Static(s) => &s.attrs,
        syn::Item::Trait(t) => &t.attrs,
        _ => return false,
    };
    attrs.iter().any(|a| {
        let test_attr = a.path().segments.last().is_some_and(|s| s.ident == "test");
        let cfg_test = a.path().is_ident("cfg")
            && a.parse_args::<syn::Meta>()
                .is_ok_and(|m| m.path().is_ident("test"));
        test_attr || cfg_test
    })
}

/// The statics of `lazy_static! { static ref NAME: Type = expr; }`, read as plain
/// statics (the `ref` dropped): their types and initialisers say what they hold.
fn lazy_static_items(mac: &syn::Macro) -> Option<Vec<syn::Item>> {
    if mac.path.segments.last()?.ident != "lazy_static" {
        return None;
    }
    let mut tokens = Vec::new();
    let mut after_static = false;
    for token in mac.tokens.clone() {
        let is_ref = matches!(&token, proc_macro2::TokenTree::Ident(i) if i == "ref");
        if !(after_static && is_ref) {
            after_static = matches!(&token, proc_macro2::TokenTree::Ident(i) if i == "static");
            tokens.push(token);
        } else {
            after_static = false;
        }
    }
    let stream: proc_macro2::TokenStream = tokens.into_iter().collect();
    syn::parse2::<syn::File>(stream).ok().map(|f| f.items)
}

fn path_attribute(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find_map(|a| match &a.meta {
        syn::Meta::NameValue(nv) if nv.path.is_ident("path") => match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            _ => None,
        },
        _ => None,
    })
}

fn flatten_use(
    tree: &syn::UseTree,
    prefix: &mut Vec<String>,
    uses: &mut Vec<(String, Vec<String>)>,
    globs: &mut Vec<Vec<String>>,
) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            flatten_use(&p.tree, prefix, uses, globs);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let name = n.ident.to_string();
            if name == "self" {
                if let Some(last) = prefix.last() {
                    uses.push((last.clone(), prefix.clone()));
                }
            } else {
                let mut path = prefix.clone();
                path.push(name.clone());
                uses.push((name, path));
            }
        }
        syn::UseTree::Rename(r) => {
            let mut path = prefix.clone();
            if r.ident != "self" {
                path.push(r.ident.to_string());
            }
            uses.push((r.rename.to_string(), path));
        }
        syn::UseTree::Glob(_) => globs.push(prefix.clone()),
        syn::UseTree::Group(g) => {
            for t in &g.items {
                flatten_use(t, prefix, uses, globs);
            }
        }
    }
}
