//! Path resolution within the indexed crates: `crate::`, `self::`, `super::`, `use`
//! declarations (renames, groups, globs), crate names from Cargo.toml, and associated
//! items (`Store::new`).

use super::index::{CrateId, Def, Extern, Index, ModId, TypeId};

/// What a path names.
#[derive(Debug, Clone)]
pub enum Target {
    Local(Def),
    /// `Type::name`: an associated function or method of a local type.
    Assoc(TypeId, String),
    /// A path into an aws-sdk-rust crate: the package and the segments after the crate.
    Aws(String, Vec<String>),
    /// A path into any other crate (std included).
    Other(Vec<String>),
    /// A name we cannot find.
    Unknown,
}

/// How deep `use` chains are followed; guards against `use` cycles.
const MAX_USE_DEPTH: usize = 16;

impl Index {
    /// Resolves `segments` as written in `module`.
    pub fn resolve(&self, module: ModId, segments: &[String]) -> Target {
        self.resolve_depth(module, segments, 0)
    }

    fn resolve_depth(&self, module: ModId, segments: &[String], depth: usize) -> Target {
        let Some((first, rest)) = segments.split_first() else {
            return Target::Unknown;
        };
        if depth > MAX_USE_DEPTH {
            return Target::Unknown;
        }
        let start = match first.as_str() {
            "crate" => Target::Local(Def::Mod(self.crate_root(module))),
            "self" => Target::Local(Def::Mod(module)),
            "super" => match self.modules.get(module).and_then(|m| m.parent) {
                Some(parent) => Target::Local(Def::Mod(parent)),
                None => Target::Unknown,
            },
            name => self.lookup_in_scope(module, name, depth),
        };
        self.walk(start, rest, depth)
    }

    /// Follows the remaining segments from a resolved start.
    fn walk(&self, mut current: Target, rest: &[String], depth: usize) -> Target {
        for (i, segment) in rest.iter().enumerate() {
            current = match current {
                Target::Local(Def::Mod(m)) => match segment.as_str() {
                    "super" => match self.modules.get(m).and_then(|d| d.parent) {
                        Some(p) => Target::Local(Def::Mod(p)),
                        None => Target::Unknown,
                    },
                    "self" => Target::Local(Def::Mod(m)),
                    _ => self.lookup_member(m, segment, depth),
                },
                Target::Local(Def::Type(t)) if i + 1 == rest.len() => {
                    Target::Assoc(t, segment.clone())
                }
                Target::Aws(package, mut path) => {
                    path.push(segment.clone());
                    Target::Aws(package, path)
                }
                Target::Other(mut path) => {
                    path.push(segment.clone());
                    Target::Other(path)
                }
                _ => Target::Unknown,
            };
        }
        current
    }

    fn crate_root(&self, module: ModId) -> ModId {
        let krate = self.modules.get(module).map(|m| m.krate).unwrap_or(0);
        self.crates.get(krate).map(|c| c.root).unwrap_or(module)
    }

    /// A name as seen at the start of a path in `module`: its items, its `use`s, its glob
    /// imports, then crate names.
    fn lookup_in_scope(&self, module: ModId, name: &str, depth: usize) -> Target {
        let found = self.lookup_member(module, name, depth);
        if !matches!(found, Target::Unknown) {
            return found;
        }
        let krate = self.modules.get(module).map(|m| m.krate).unwrap_or(0);
        self.extern_crate(krate, name)
    }

    /// A name defined in or imported into `module`.
    fn lookup_member(&self, module: ModId, name: &str, depth: usize) -> Target {
        let Some(data) = self.modules.get(module) else {
            return Target::Unknown;
        };
        if let Some(defs) = data.defs.get(name) {
            // A name can be both a type and a function (tuple structs); prefer the type.
            let def = defs
                .iter()
                .find(|d| matches!(d, Def::Type(_)))
                .or_else(|| defs.first());
            if let Some(def) = def {
                return Target::Local(*def);
            }
        }
        for (alias, path) in &data.uses {
            if alias == name {
                return self.resolve_depth(module, path, depth + 1);
            }
        }
        for glob in &data.globs {
            let mut path = glob.clone();
            path.push(name.to_string());
            let found = self.resolve_depth(module, &path, depth + 1);
            if !matches!(found, Target::Unknown) {
                return found;
            }
        }
        Target::Unknown
    }

    /// A crate name: declared dependencies, then aws-sdk-rust crates by their conventional
    /// name (`aws_sdk_s3`), then anything else as a foreign crate.
    fn extern_crate(&self, krate: CrateId, name: &str) -> Target {
        if let Some(dep) = self.crates.get(krate).and_then(|c| c.deps.get(name)) {
            return match dep {
                Extern::Aws(package) => Target::Aws(package.clone(), Vec::new()),
                Extern::Local(id) => match self.crates.get(*id) {
                    Some(c) => Target::Local(Def::Mod(c.root)),
                    None => Target::Unknown,
                },
                Extern::Other => Target::Other(vec![name.to_string()]),
            };
        }
        if let Some(package) = super::tables::aws_package(name) {
            return Target::Aws(package, Vec::new());
        }
        // This project's own crates by name (a binary naming its package's library).
        if let Some(c) = self.crates.iter().find(|c| c.name == name) {
            return Target::Local(Def::Mod(c.root));
        }
        // Anything else (std, prelude names such as `Some` or `Arc`, registry crates).
        Target::Other(vec![name.to_string()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index_of(files: &[(&str, &str)]) -> (tempfile::TempDir, Index) {
        let dir = tempfile::tempdir().expect("tempdir");
        for (path, text) in files {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
            std::fs::write(full, text).expect("write");
        }
        let index = Index::load(dir.path(), &dir.path().join("src/main.rs"), None);
        (dir, index)
    }

    fn segs(path: &str) -> Vec<String> {
        path.split("::").map(str::to_string).collect()
    }

    #[test]
    fn resolves_modules_uses_and_aws_crates() {
        let (_dir, index) = index_of(&[
            (
                "src/main.rs",
                "mod store;\nmod util { pub mod deep; }\nuse aws_sdk_dynamodb as ddb;\nuse aws_sdk_s3::Client as S3Client;\nuse store::*;\nfn main() {}\n",
            ),
            (
                "src/store.rs",
                "pub struct Store;\nimpl Store { pub fn new() -> Self { Store } }\n",
            ),
            ("src/util/deep.rs", "pub fn helper() {}\n"),
        ]);
        assert!(
            matches!(index.resolve(0, &segs("ddb::Client")), Target::Aws(p, r) if p == "aws-sdk-dynamodb" && r == ["Client"])
        );
        assert!(
            matches!(index.resolve(0, &segs("S3Client")), Target::Aws(p, r) if p == "aws-sdk-s3" && r == ["Client"])
        );
        assert!(matches!(index.resolve(0, &segs("Store::new")), Target::Assoc(_, n) if n == "new"));
        assert!(matches!(
            index.resolve(0, &segs("crate::util::deep::helper")),
            Target::Local(Def::Fn(_))
        ));
        assert!(matches!(
            index.resolve(0, &segs("util::deep::helper")),
            Target::Local(Def::Fn(_))
        ));
        assert!(matches!(
            index.resolve(0, &segs("std::env::var")),
            Target::Other(_)
        ));
    }
}
