//! The generate pipeline: which functions a project has, the facts of each, what each needs,
//! and its policy. Renderers turn the result into the formats users deploy.

use std::path::{Path, PathBuf};

use analyzer::infra::{self, FunctionSpec};
use analyzer::{Context, Diagnostic, Entry, Language, Unresolved};
use rayon::prelude::*;
use thiserror::Error;

use crate::catalog::Catalog;
use crate::policy::PolicyDocument;
use crate::resolve::{self, ActionGrant, Resolved};

/// What to analyse.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub root: PathBuf,
    /// `--entry FILE[:FUNCTION]`: analyse exactly these, ignoring infrastructure.
    pub entries: Vec<String>,
    /// `--template FILE`: read these instead of discovering infrastructure files.
    pub templates: Vec<PathBuf>,
    /// `--stage NAME`: the stage the infrastructure is deployed as (Serverless, Chalice,
    /// Zappa); `None` is each tool's default.
    pub stage: Option<String>,
}

/// One function's result.
#[derive(Debug, Clone)]
pub struct FunctionReport {
    pub name: String,
    pub entry: Entry,
    pub language: Language,
    pub spec: Option<FunctionSpec>,
    pub resolved: Resolved,
}

impl FunctionReport {
    pub fn actions(&self) -> impl Iterator<Item = &ActionGrant> {
        self.resolved.actions.values()
    }

    pub fn unresolved(&self) -> &[Unresolved] {
        &self.resolved.unresolved
    }

    /// The least-privilege policy: exactly the actions, on exactly their resources.
    pub fn policy(&self) -> PolicyDocument {
        PolicyDocument::from_conditional_grants(self.actions().map(|g| {
            (
                g.action.clone(),
                g.resources.clone(),
                g.conditions.clone().unwrap_or_default(),
            )
        }))
    }
}

/// Everything `generate` found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub functions: Vec<FunctionReport>,
    /// Messages about the project as a whole (no infrastructure found, ...).
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug, Error)]
pub enum GenerateError {
    #[error("{0}: no such directory")]
    NoRoot(String),
    #[error("--entry {entry}: {message}")]
    BadEntry { entry: String, message: String },
    #[error(transparent)]
    Infra(#[from] infra::InfraError),
}

/// Runs the pipeline.
pub fn generate(catalog: &Catalog, options: &Options) -> Result<Report, GenerateError> {
    if !options.root.is_dir() {
        return Err(GenerateError::NoRoot(options.root.display().to_string()));
    }
    let mut report = Report::default();
    let mut whole_files = false;
    let jobs: Vec<Job> = if !options.entries.is_empty() {
        options
            .entries
            .iter()
            .map(|entry| entry_job(&options.root, entry))
            .collect::<Result<_, _>>()?
    } else {
        // Warnings about the infrastructure (skipped functions, references to missing
        // resources) are the user's to see.
        let deployment = infra::Deployment {
            stage: options.stage.clone(),
        };
        let found = infra::discover_for(&options.root, &options.templates, &deployment)?;
        report.diagnostics.extend(found.diagnostics);
        let specs = found.functions;
        if specs.is_empty() {
            whole_files = true;
            report.diagnostics.push(Diagnostic::warning(
                ".",
                0,
                "no --entry and no serverless.yml, SAM/CloudFormation template or CDK output found: every source file with an AWS SDK call is reported as its own function",
            ));
            whole_file_jobs(&options.root)
        } else {
            specs.into_iter().map(Job::from_spec).collect()
        }
    };

    let mut functions: Vec<FunctionReport> = jobs
        .into_par_iter()
        .map(|job| {
            let mut ctx = Context::new(&options.root);
            if let Some(spec) = &job.spec {
                ctx.env = spec.env.clone();
                ctx.search_paths = spec.search_paths.clone();
                ctx.event = infra::event_values(spec);
            }
            let mut facts = analyzer::analyze(&ctx, job.language, &job.entry);
            for entry in job.spec.iter().flat_map(|spec| &spec.also_runs) {
                let more = analyzer::analyze(&ctx, job.language, entry);
                facts.calls.extend(more.calls);
                facts.unresolved.extend(more.unresolved);
                facts.diagnostics.extend(more.diagnostics);
                facts.canonicalize();
            }
            let mut resolved = resolve::resolve(catalog, &facts);
            if let Some(spec) = &job.spec {
                crate::platform::apply(spec, &mut resolved);
            }
            let mut function = FunctionReport {
                name: job.name,
                entry: job.entry,
                language: job.language,
                spec: job.spec,
                resolved,
            };
            if let Some(warning) = size_warning(&function) {
                function.resolved.diagnostics.push(warning);
            }
            function
        })
        .collect();
    if whole_files {
        functions.retain(|f| !f.resolved.actions.is_empty() || !f.resolved.unresolved.is_empty());
    }
    functions.sort_by(|a, b| a.name.cmp(&b.name));
    report.functions = functions;
    Ok(report)
}

/// IAM caps the inline policies of one role at 10,240 characters (whitespace not counted):
/// say so before a deployment fails. Placeholders are measured as `*`, so names the
/// template resolves at deploy time can only make the real policy longer.
fn size_warning(function: &FunctionReport) -> Option<Diagnostic> {
    let document = function.policy().to_iam_json(&|_| "*".to_string());
    let size = crate::policy::policy_size(&document);
    (size > crate::policy::INLINE_ROLE_LIMIT).then(|| {
        Diagnostic::warning(
            &function.entry.file,
            0,
            format!(
                "the policy of {} is {size} characters, over IAM's {} character limit for a role's inline policies: attach it as managed policies of at most {} characters each",
                function.name,
                crate::policy::INLINE_ROLE_LIMIT,
                crate::policy::MANAGED_POLICY_LIMIT
            ),
        )
    })
}

struct Job {
    name: String,
    language: Language,
    entry: Entry,
    spec: Option<FunctionSpec>,
}

impl Job {
    fn from_spec(spec: FunctionSpec) -> Job {
        Job {
            name: spec.name.clone(),
            language: spec.language,
            entry: spec.entry.clone(),
            spec: Some(spec),
        }
    }
}

/// `--entry FILE[:FUNCTION]`, relative to the root.
fn entry_job(root: &Path, entry: &str) -> Result<Job, GenerateError> {
    let bad = |message: &str| GenerateError::BadEntry {
        entry: entry.to_string(),
        message: message.to_string(),
    };
    // FUNCTION may be dotted (`Class.method`) or a registrar (`@app.route`: every function
    // so decorated); a whole path that exists as a file wins over a split.
    let (file, function) = match entry.rsplit_once(':') {
        Some((file, function))
            if !function.is_empty() && !function.contains('/') && !root.join(entry).is_file() =>
        {
            (file, Some(function))
        }
        _ => (entry, None),
    };
    let path = root.join(file);
    if !path.is_file() {
        return Err(bad(&format!("no such file {}", path.display())));
    }
    let language = Language::of_path(&path)
        .ok_or_else(|| bad("not a Python, JavaScript, TypeScript or Rust source file"))?;
    let rel = analyzer::source::relative(root, &path);
    let name = match function {
        Some(function) => format!("{rel}:{function}"),
        None => rel.clone(),
    };
    Ok(Job {
        name,
        language,
        entry: Entry {
            file: rel,
            function: function.map(str::to_string),
        },
        spec: None,
    })
}

/// Every source file under the root (dependencies and build output skipped), each as its own
/// whole-file function.
fn whole_file_jobs(root: &Path) -> Vec<Job> {
    let mut jobs = Vec::new();
    let walker = ignore::WalkBuilder::new(root)
        .hidden(true)
        .follow_links(false)
        .filter_entry(|e| !SKIPPED_DIRS.contains(&e.file_name().to_string_lossy().as_ref()))
        .build();
    for entry in walker.flatten() {
        let path = entry.path();
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let Some(language) = Language::of_path(path) else {
            continue;
        };
        let rel = analyzer::source::relative(root, path);
        jobs.push(Job {
            name: rel.clone(),
            language,
            entry: Entry {
                file: rel,
                function: None,
            },
            spec: None,
        });
    }
    jobs
}

/// Folders that hold dependencies, build output or tests, not function code.
const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    "target",
    ".aws-sam",
    "cdk.out",
    "dist",
    "build",
    ".serverless",
    "__pycache__",
    ".venv",
    "venv",
    ".git",
];
