//! Loading a scenario, the pipeline of this module: TOML text and `--set` overrides in, a
//! validated [`Scenario`] out.
//!
//! ```text
//!  text ──toml_edit──▶ document ──serde──▶ raw structs ──resolve──▶ Scenario
//!            │                     ▲    (units parsed)     (defaults, cross-field checks)
//!            │       overrides ────┘ one by one, each re-deserialized
//!            └── spans: every error becomes `file:line: key.path: what was expected`
//! ```
//!
//! 1. The text is parsed with `toml_edit`, which keeps the byte span of every key and value.
//!    A syntax error is reported with its line.
//! 2. The text is deserialized into the raw structs of the private `raw` module: unknown
//!    keys and bad values (units included) fail here, and the error's span is mapped back to
//!    the key path and line it belongs to.
//! 3. Each override (`--set protocol.upload_slots=6`) is written into the document, which
//!    is deserialized again, so an error caused by an override names the override.
//! 4. The raw structs are resolved: defaults filled in, required keys and cross-field rules
//!    checked (shares sum to 1, `min_peers ≤ max_connections`, somebody holds the content).
//!    An error names the key path and the line of that key (or of the nearest enclosing
//!    table present in the file), or the override that set it.
//!
//! Nothing here panics on any input: every malformed text or override is an error value.
//!
//! Each stage has its module: `document` (steps 1 and 3, and the spans), `raw` (step 2),
//! `resolve` (step 4, with `catalog` and `arrivals`) and `error`; this one only chains them.

use std::fmt::Write as _;
use std::path::Path;

use toml_edit::{DocumentMut, ImDocument};

use super::document::{
    about, apply_override, display_path, line_of, locate_de_error, locate_in_table, one_line,
    parse_path, paths_overlap, quote_hint, Override,
};
use super::error::ScenarioError;
use super::limits::{read_text_capped, MAX_SCENARIO_FILE_BYTES};
use super::model::{Provenance, Scenario};
use super::raw::RawScenario;
use super::resolve::resolve;

/// Reads and loads the scenario file at `path`, applying `overrides` in order. The
/// scenario's name defaults to the file stem; errors name the file as `path` displays.
/// At most [`MAX_SCENARIO_FILE_BYTES`] are read; the text must be UTF-8.
pub fn load_file(path: &Path, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
    let file = path.display().to_string();
    let text = read_text_capped(path, MAX_SCENARIO_FILE_BYTES, "a scenario").map_err(|error| {
        ScenarioError::Read {
            file: file.clone(),
            error,
        }
    })?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".to_string());
    load_text(&text, &file, &stem, overrides, path.parent())
}

/// Loads a scenario from TOML `text`. `file_label` names it in errors, `default_name` is
/// the scenario's name when the text sets none. `overrides` are applied in order after the
/// text itself deserialized cleanly, then the result is validated. The text has no
/// directory, so a relative `[arrivals] file` (a trace) is read from the current directory;
/// [`load_file`] reads it from the scenario file's directory.
pub fn load_str(
    text: &str,
    file_label: &str,
    default_name: &str,
    overrides: &[Override],
) -> Result<Scenario, ScenarioError> {
    load_text(text, file_label, default_name, overrides, None)
}

/// [`load_str`], with relative file paths in the scenario resolved against `dir`.
fn load_text(
    text: &str,
    file_label: &str,
    default_name: &str,
    overrides: &[Override],
    dir: Option<&Path>,
) -> Result<Scenario, ScenarioError> {
    let doc = ImDocument::parse(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start));
        let mut message = one_line(e.message());
        if let Some(hint) = line
            .and_then(|l| text.lines().nth(l - 1))
            .and_then(quote_hint)
        {
            let _ = write!(message, " ({hint})");
        }
        ScenarioError::Syntax {
            file: file_label.to_string(),
            line,
            message,
        }
    })?;
    let mut raw: RawScenario = toml::from_str(text).map_err(|e| {
        let (path, line, message) = locate_de_error(text, &e);
        ScenarioError::Invalid {
            file: file_label.to_string(),
            line,
            path,
            message,
        }
    })?;

    let mut assigned = Vec::with_capacity(overrides.len());
    if !overrides.is_empty() {
        let mut edited: DocumentMut = doc.clone().into_mut();
        for ov in overrides {
            let segs = parse_path(&ov.path).map_err(|m| ov.error(m))?;
            let own = display_path(&segs);
            apply_override(&mut edited, &segs, ov.toml_value()).map_err(|m| ov.error(m))?;
            let edited_text = edited.to_string();
            raw = toml::from_str(&edited_text).map_err(|e| {
                let (path, _, message) = locate_de_error(&edited_text, &e);
                ov.error(about(&path, &own, &message))
            })?;
            assigned.push((own, ov));
        }
    }

    let mut scenario = resolve(raw, default_name, dir).map_err(|invalid| {
        let blamed = assigned.iter().rev().find(|(own, _)| {
            std::iter::once(&invalid.path)
                .chain(&invalid.related)
                .any(|p| paths_overlap(p, own))
        });
        if let Some((own, ov)) = blamed {
            return ov.error(about(&invalid.path, own, &invalid.message));
        }
        let line = std::iter::once(&invalid.path)
            .chain(&invalid.related)
            .filter_map(|p| parse_path(p).ok())
            .find_map(|segs| locate_in_table(doc.as_table(), &segs))
            .map(|span| line_of(text, span.start));
        ScenarioError::Invalid {
            file: file_label.to_string(),
            line,
            path: invalid.path,
            message: invalid.message,
        }
    })?;
    scenario.provenance = Provenance {
        file: file_label.to_string(),
        overrides: assigned
            .iter()
            .filter(|(own, _)| own != "simulation.seed")
            .map(|(own, ov)| format!("{own}={}", ov.value))
            .collect(),
    };
    Ok(scenario)
}

/// The scenario at `path` with `overrides` written into it, as a TOML file that loads to
/// the same scenario and so reproduces the run (`swarmsim validate --emit`): every
/// override is set in the text, a relative trace `file` is made absolute (the emitted
/// file may live elsewhere), and a header comment says where it came from. Values the
/// file leaves to their defaults stay implicit: `validate` lists them all. The scenario
/// is loaded first, so an invalid one gives its error and no text.
pub fn emit_file(path: &Path, overrides: &[Override]) -> Result<String, ScenarioError> {
    let scenario = load_file(path, overrides)?;
    let file = path.display().to_string();
    let text = read_text_capped(path, MAX_SCENARIO_FILE_BYTES, "a scenario").map_err(|error| {
        ScenarioError::Read {
            file: file.clone(),
            error,
        }
    })?;
    let mut doc: DocumentMut =
        text.parse()
            .map_err(|e: toml_edit::TomlError| ScenarioError::Syntax {
                file: file.clone(),
                line: None,
                message: one_line(e.message()),
            })?;
    for ov in overrides {
        let segs = parse_path(&ov.path).map_err(|m| ov.error(m))?;
        apply_override(&mut doc, &segs, ov.toml_value()).map_err(|m| ov.error(m))?;
    }
    if doc.get("name").is_none() {
        doc.insert("name", toml_edit::value(scenario.name.clone()));
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let absolute = |item: &mut toml_edit::Item| {
        if let Some(f) = item
            .get_mut("file")
            .and_then(|v| v.as_value_mut())
            .and_then(|v| v.as_str().map(str::to_string).zip(Some(v)))
        {
            let (rel, v) = f;
            if Path::new(&rel).is_relative() {
                let abs = std::path::absolute(dir.join(&rel)).unwrap_or_else(|_| dir.join(&rel));
                *v = toml_edit::Value::from(abs.display().to_string());
            }
        }
    };
    if let Some(a) = doc.get_mut("arrivals") {
        absolute(a);
    }
    if let Some(cs) = doc
        .get_mut("contents")
        .and_then(|c| c.as_array_of_tables_mut())
    {
        for c in cs.iter_mut() {
            if let Some(a) = c.get_mut("arrivals") {
                absolute(a);
            }
        }
    }
    let mut header = format!(
        "# Emitted by swarmsim {} (`swarmsim validate --emit`) from {file}",
        env!("CARGO_PKG_VERSION")
    );
    for o in &scenario.provenance.overrides {
        let _ = write!(header, "\n#   --set {o}");
    }
    header.push_str(
        "\n# It loads to the same scenario: `swarmsim run` of it reproduces those runs.\n\n",
    );
    Ok(header + &doc.to_string())
}
