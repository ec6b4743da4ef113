//! `iamsynth trail`: CloudTrail evidence against the generated policies; and the evidence
//! flags `generate` shares (`--cloudtrail ... --with-observed`).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Result, bail};
use clap::{Args, ValueEnum};

use super::{EXIT_OK, Global, ProjectArgs, generate::analyse, output};
use crate::catalog::catalog;
use crate::generate::Report;
use crate::trail::{
    self, Filter, Progress, RoleArg, Source, TrailReport, files::LogFiles, lake::Lake,
    lookup::Lookup, report, time::Window,
};

#[derive(Debug, Args)]
pub struct TrailArgs {
    /// The project directory.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    #[command(flatten)]
    pub project: ProjectArgs,
    #[command(flatten)]
    pub evidence: EvidenceArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TrailFormat::Text)]
    pub format: TrailFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TrailFormat {
    /// A section per function, for people.
    Text,
    /// The contract's JSON document (`iamsynth/v1`).
    Json,
}

/// Where the evidence comes from, and whose it is.
#[derive(Debug, Args, Default)]
pub struct EvidenceArgs {
    /// CloudTrail log files or folders (`.json`, `.json.gz`, the S3 `AWSLogs/...` layout). Repeatable.
    #[arg(long = "cloudtrail", value_name = "PATH")]
    pub cloudtrail: Vec<PathBuf>,
    /// Read the LookupEvents API (management events only, last 90 days; AWS credentials needed).
    #[arg(long)]
    pub lookup: bool,
    /// Query this CloudTrail Lake event data store (ARN or id; AWS credentials needed).
    #[arg(long, value_name = "EVENT_DATA_STORE")]
    pub lake: Option<String>,
    /// A function's execution role: FUNCTION=ROLE, or ROLE alone for the only function (else
    /// it is reported on its own). ROLE is an ARN or a role name. Repeatable.
    #[arg(long = "role", value_name = "[FUNCTION=]ROLE")]
    pub roles: Vec<String>,
    /// Only events at or after this time: 2026-11-01, 2026-11-01T10:00:00Z, or 90d/12h/30m ago.
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only events at or before this time (a date alone means the end of that day).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
}

impl EvidenceArgs {
    pub fn any_source(&self) -> bool {
        !self.cloudtrail.is_empty() || self.lookup || self.lake.is_some()
    }
}

pub fn run(args: &TrailArgs, global: &Global) -> Result<i32> {
    if !args.evidence.any_source() {
        bail!("trail needs evidence: --cloudtrail PATH, --lookup or --lake EVENT_DATA_STORE");
    }
    let report = analyse(&args.dir, &args.project, global)?;
    let trail = gather(&report, &args.evidence, global)?;
    if !global.quiet {
        for note in &trail.evidence.notes {
            eprintln!("warning: {note}");
        }
        if matches!(args.format, TrailFormat::Json) {
            for problem in &trail.problems {
                eprintln!("warning: {}: {}", problem.file, problem.message);
            }
        }
    }
    let text = match args.format {
        TrailFormat::Text => trail::render::text(&trail),
        TrailFormat::Json => trail::render::json(&trail),
    };
    output::print(&text)?;
    Ok(EXIT_OK)
}

/// Reads the evidence the flags name and sets it against `report`'s functions.
pub(super) fn gather(report: &Report, args: &EvidenceArgs, global: &Global) -> Result<TrailReport> {
    let roles = args
        .roles
        .iter()
        .map(|r| RoleArg::parse(r))
        .collect::<Result<Vec<_>, _>>()
        .map_err(anyhow::Error::msg)?;
    for role in &roles {
        if let Some(function) = &role.function
            && !report.functions.iter().any(|f| &f.name == function)
        {
            bail!(
                "--role {function}={}: no function named {function} (functions: {})",
                role.role,
                report
                    .functions
                    .iter()
                    .map(|f| f.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    let window =
        Window::parse(args.since.as_deref(), args.until.as_deref()).map_err(anyhow::Error::msg)?;
    let filter = Filter {
        window,
        sessions: report::session_names(report),
    };
    let mut sources: Vec<Box<dyn Source>> = Vec::new();
    if !args.cloudtrail.is_empty() {
        sources.push(Box::new(LogFiles {
            paths: args.cloudtrail.clone(),
        }));
    }
    if args.lookup {
        sources.push(Box::new(Lookup));
    }
    if let Some(store) = &args.lake {
        sources.push(Box::new(Lake {
            event_data_store: store.clone(),
            timeout: Duration::from_secs(600),
        }));
    }
    let progress = Progress::new(!global.quiet);
    let evidence = trail::read_all(&sources, &filter, &progress)?;
    let names = sources.iter().map(|s| s.name()).collect();
    Ok(report::build(catalog(), report, &roles, evidence, names))
}

/// `generate` with evidence: adds observed actions when asked, else says which it saw.
pub(super) fn apply_to_generate(
    report: &mut Report,
    args: &EvidenceArgs,
    with_observed: bool,
    global: &Global,
) -> Result<()> {
    let trail = gather(report, args, global)?;
    if !global.quiet {
        for note in &trail.evidence.notes {
            eprintln!("warning: {note}");
        }
        for problem in &trail.problems {
            eprintln!("warning: {}: {}", problem.file, problem.message);
        }
    }
    if with_observed {
        trail::observe::add_observed(catalog(), report, &trail);
    } else if !global.quiet {
        for function in trail.functions.iter().filter(|f| f.has_code) {
            for seen in &function.observed_not_in_code {
                eprintln!(
                    "note: {}: its role used {} ({} times, last {}), which the code does not explain; --with-observed adds it",
                    function.name, seen.action, seen.count, seen.last_seen
                );
            }
        }
    }
    if !global.quiet {
        for function in &trail.functions {
            for denied in &function.denied {
                eprintln!(
                    "warning: {}: {} was denied {} times (last {})",
                    function.name, denied.action, denied.count, denied.last_seen
                );
            }
        }
    }
    Ok(())
}
