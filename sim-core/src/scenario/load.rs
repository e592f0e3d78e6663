//! Loading a scenario: TOML text and `--set` overrides in, a validated [`Scenario`] out.
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

use std::fmt::Write as _;
use std::ops::Range;
use std::path::Path;

use toml_edit::{DocumentMut, ImDocument, InlineTable, Item, Table, TableLike, Value};

use super::catalog::{resolve_catalog, PolicyDefaults};
use super::model::{
    Arrivals, AudienceSpec, ClientSpec, ContentSpec, NetworkSpec, OriginSpec, PeerClass, Policy,
    PolicySpec, PriceTier, Pricing, ProtocolSpec, Scenario, SeedChoking, SeedGroup, SeedTime,
    SessionSpec, TrackerSpec,
};
use super::raw::{
    Number, RawAudience, RawClass, RawClient, RawPriceTier, RawProtocol, RawScenario, RawSeed,
    RawSessions, Tab,
};
use crate::time::{SimDuration, SimTime};
use crate::units::{fmt_bytes, fmt_rate, RATE_EXPECTED};
use crate::workload::expected_count;

/// Default master seed.
pub const DEFAULT_SEED: u64 = 1;
/// Default hard stop: 30 days.
pub const DEFAULT_MAX_TIME: SimDuration = SimDuration::from_secs(30 * 86_400);
/// Default width of one time-series row: 60 s.
pub const DEFAULT_SAMPLE_INTERVAL: SimDuration = SimDuration::from_secs(60);
/// Default piece size: 256 KiB, a common BitTorrent choice for files of a few hundred MB.
pub const DEFAULT_PIECE_SIZE: u64 = 256 * 1024;
/// Default one-way latency: 25 ms.
pub const DEFAULT_LATENCY: SimDuration = SimDuration::from_millis(25);
/// Default grid of flow completion instants: 1 µs, the engine's own resolution (no rounding).
pub const DEFAULT_TIME_QUANTUM: SimDuration = SimDuration(1);
/// Default fairness tolerance of the bandwidth sharing: 0.1% (see `NetworkSpec`).
pub const DEFAULT_FAIRNESS_TOLERANCE: f64 = 0.001;
/// Default clip of the lognormal cap spread: caps stay within ÷4 .. ×4 of the class value.
pub const DEFAULT_CAP_CLIP: f64 = 4.0;
/// Default peers per announce (the mainline client's `numwant`).
pub const DEFAULT_NUMWANT: u32 = 50;
/// Default announce period: 30 min.
pub const DEFAULT_ANNOUNCE_INTERVAL: SimDuration = SimDuration::from_secs(1_800);
/// Default regular unchoke slots (mainline BitTorrent).
pub const DEFAULT_UPLOAD_SLOTS: u32 = 4;
/// Default optimistic unchoke slots.
pub const DEFAULT_OPTIMISTIC_SLOTS: u32 = 1;
/// Default rechoke period: 10 s (BitTorrent's choking algorithm).
pub const DEFAULT_RECHOKE_INTERVAL: SimDuration = SimDuration::from_secs(10);
/// Default optimistic-unchoke rotation: 30 s.
pub const DEFAULT_OPTIMISTIC_INTERVAL: SimDuration = SimDuration::from_secs(30);
/// Default connection limit per peer.
pub const DEFAULT_MAX_CONNECTIONS: u32 = 80;
/// Default peer count below which a peer re-announces early.
pub const DEFAULT_MIN_PEERS: u32 = 20;
/// Default number of pieces picked at random before rarest-first.
pub const DEFAULT_RANDOM_FIRST_PIECES: u32 = 4;

/// Why a scenario could not be loaded. Every variant displays as a complete message that
/// names the file and line (or the `--set` assignment), the key path and what was expected.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The scenario file could not be read.
    #[error("{file}: cannot read the scenario file: {error}")]
    Read {
        /// The file as named by the caller.
        file: String,
        /// What the operating system said.
        error: std::io::Error,
    },
    /// The text is not valid TOML.
    #[error("{}: TOML syntax error: {message}", location(.file, .line, ""))]
    Syntax {
        /// The file label.
        file: String,
        /// 1-based line of the error, when known.
        line: Option<usize>,
        /// The parser's explanation, on one line.
        message: String,
    },
    /// A key is unknown or missing, a value is malformed, or keys contradict each other.
    #[error("{}: {message}", location(.file, .line, .path))]
    Invalid {
        /// The file label.
        file: String,
        /// 1-based line of the key (or of the nearest enclosing table), when known.
        line: Option<usize>,
        /// Dotted key path such as `protocol.upload_slots` or `classes[1].share`.
        path: String,
        /// What is wrong and what was expected.
        message: String,
    },
    /// A `--set` assignment is malformed, or the value it sets is invalid.
    #[error("--set {assignment}: {message}")]
    Override {
        /// The assignment as `path=value`.
        assignment: String,
        /// What is wrong (prefixed with the key path when it is not the assigned key).
        message: String,
    },
}

/// `file:line: path`, leaving out what is unknown.
fn location(file: &str, line: &Option<usize>, path: &str) -> String {
    let mut out = file.to_string();
    if let Some(line) = line {
        let _ = write!(out, ":{line}");
    }
    if !path.is_empty() {
        let _ = write!(out, ": {path}");
    }
    out
}

/// One `--set path=value` assignment, applied to the scenario text before validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    /// Dotted key path: `protocol.upload_slots`, `classes.0.share` (or `classes[0].share`).
    pub path: String,
    /// The value as typed. It is read as a TOML value (`6`, `true`, `"x"`, `[1, 2]`) when it
    /// parses as one, else taken as a string, so `content.size=1GB` needs no quotes.
    pub value: String,
}

impl Override {
    /// Parses `path=value`, e.g. `protocol.upload_slots=6`, `classes.0.share=0.5` or
    /// `content.size=1GB`. The path must be non-empty dotted keys and indices.
    pub fn parse(assignment: &str) -> Result<Override, ScenarioError> {
        let error = |message: String| ScenarioError::Override {
            assignment: assignment.to_string(),
            message,
        };
        let Some((path, value)) = assignment.split_once('=') else {
            return Err(error(
                "expected KEY=VALUE, e.g. protocol.upload_slots=6 or content.size=1GB".into(),
            ));
        };
        let parsed = Override {
            path: path.trim().to_string(),
            value: value.trim().to_string(),
        };
        parse_path(&parsed.path).map_err(error)?;
        Ok(parsed)
    }

    /// The error `message` about this assignment.
    fn error(&self, message: String) -> ScenarioError {
        ScenarioError::Override {
            assignment: format!("{}={}", self.path, self.value),
            message,
        }
    }

    /// The value as TOML: parsed when it is valid TOML, else a string.
    fn toml_value(&self) -> Value {
        match self.value.parse::<Value>() {
            Ok(v) => v,
            Err(_) => Value::from(self.value.as_str()),
        }
    }
}

/// One step of a key path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Key(String),
    Index(usize),
}

/// Splits `classes.0.share` or `classes[0].share` into steps.
fn parse_path(path: &str) -> Result<Vec<Seg>, String> {
    if path.is_empty() {
        return Err("empty key path; expected e.g. protocol.upload_slots=6".to_string());
    }
    let bad = |why: &str| format!("bad key path {path:?}: {why}; expected e.g. classes.0.share");
    let is_key_char = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let mut segs = Vec::new();
    for part in path.split('.') {
        let (key, mut indices) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if key.is_empty() {
            return Err(bad("empty key"));
        }
        if !key.chars().all(is_key_char) {
            return Err(bad("keys are made of letters, digits, '_' and '-'"));
        }
        if key.bytes().all(|b| b.is_ascii_digit()) {
            segs.push(Seg::Index(
                parse_index(key).ok_or_else(|| bad("index too large"))?,
            ));
        } else {
            segs.push(Seg::Key(key.to_string()));
        }
        while !indices.is_empty() {
            let Some((inside, rest)) = indices.strip_prefix('[').and_then(|s| s.split_once(']'))
            else {
                return Err(bad("unbalanced '['"));
            };
            let index = parse_index(inside).ok_or_else(|| bad("an index is a whole number"))?;
            segs.push(Seg::Index(index));
            indices = rest;
        }
    }
    Ok(segs)
}

fn parse_index(text: &str) -> Option<usize> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// `classes[1].share`: how error messages write a key path.
fn display_path(segs: &[Seg]) -> String {
    let mut out = String::new();
    for seg in segs {
        match seg {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => {
                let _ = write!(out, "[{i}]");
            }
        }
    }
    out
}

/// Writes `value` at `segs` in the document, creating missing tables on the way.
fn apply_override(doc: &mut DocumentMut, segs: &[Seg], value: Value) -> Result<(), String> {
    let mut done = Vec::new();
    set_in_table(doc.as_table_mut(), false, segs, value, &mut done)
}

fn set_in_table(
    table: &mut dyn TableLike,
    inline: bool,
    segs: &[Seg],
    value: Value,
    done: &mut Vec<Seg>,
) -> Result<(), String> {
    let Some((first, rest)) = segs.split_first() else {
        return Err("empty key path".to_string());
    };
    let key = match first {
        Seg::Key(k) => k,
        Seg::Index(i) => {
            let what = if done.is_empty() {
                "the top level".to_string()
            } else {
                display_path(done)
            };
            return Err(format!(
                "{what} is a table, not an array: it has no entry {i}"
            ));
        }
    };
    done.push(first.clone());
    if rest.is_empty() {
        table.insert(key, Item::Value(value));
        return Ok(());
    }
    if table.get(key).is_none() {
        if let Seg::Index(i) = rest[0] {
            return Err(format!(
                "{} is not in the scenario, so it has no entry {i}",
                display_path(done)
            ));
        }
        let empty = if inline {
            Item::Value(Value::InlineTable(InlineTable::new()))
        } else {
            Item::Table(Table::new())
        };
        table.insert(key, empty);
    }
    match table.get_mut(key) {
        Some(child) => set_in_item(child, rest, value, done),
        None => Err(format!("cannot create {}", display_path(done))),
    }
}

fn set_in_item(
    item: &mut Item,
    segs: &[Seg],
    value: Value,
    done: &mut Vec<Seg>,
) -> Result<(), String> {
    let here = display_path(done);
    let no_entry = |i: usize, len: usize| match len {
        0 => format!("{here} is empty: it has no entry {i}"),
        1 => format!("{here} has 1 entry (index 0): it has no entry {i}"),
        _ => format!(
            "{here} has {len} entries (indices 0 to {}): it has no entry {i}",
            len - 1
        ),
    };
    match item {
        Item::Table(t) => set_in_table(t, false, segs, value, done),
        Item::Value(Value::InlineTable(t)) => set_in_table(t, true, segs, value, done),
        Item::ArrayOfTables(array) => {
            let Some(Seg::Index(i)) = segs.first() else {
                return Err(format!(
                    "{here} is an array of tables: expected an index, e.g. {here}.0.<key>"
                ));
            };
            let len = array.len();
            let Some(t) = array.get_mut(*i) else {
                return Err(no_entry(*i, len));
            };
            done.push(Seg::Index(*i));
            if segs.len() == 1 {
                return Err(format!(
                    "{} is a whole table: set one of its keys, e.g. {here}.{i}.name",
                    display_path(done)
                ));
            }
            set_in_table(t, false, &segs[1..], value, done)
        }
        Item::Value(Value::Array(array)) => {
            let Some(Seg::Index(i)) = segs.first() else {
                return Err(format!("{here} is an array: expected an index"));
            };
            let len = array.len();
            let Some(element) = array.get_mut(*i) else {
                return Err(no_entry(*i, len));
            };
            done.push(Seg::Index(*i));
            if segs.len() == 1 {
                *element = value;
                return Ok(());
            }
            match element {
                Value::InlineTable(t) => set_in_table(t, true, &segs[1..], value, done),
                _ => Err(format!("{} is a value, not a table", display_path(done))),
            }
        }
        _ => Err(format!("{here} is a value, not a table")),
    }
}

/// 1-based line of byte `offset`.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn contains(outer: Option<Range<usize>>, inner: &Range<usize>) -> bool {
    outer.is_some_and(|o| o.start <= inner.start && inner.end <= o.end)
}

/// Key path of the innermost key or value of `root` whose span holds `span`.
fn path_at(root: &Table, span: &Range<usize>) -> Option<String> {
    let mut path = Vec::new();
    find_in_table(root, span, &mut path).then(|| display_path(&path))
}

fn find_in_table(t: &dyn TableLike, span: &Range<usize>, path: &mut Vec<Seg>) -> bool {
    for (k, item) in t.iter() {
        path.push(Seg::Key(k.to_string()));
        let key_span = t.key(k).and_then(|key| key.span());
        if contains(key_span, span) || find_in_item(item, span, path) {
            return true;
        }
        path.pop();
    }
    false
}

fn find_in_item(item: &Item, span: &Range<usize>, path: &mut Vec<Seg>) -> bool {
    match item {
        Item::Value(v) => find_in_value(v, span, path),
        Item::Table(t) => find_in_table(t, span, path) || contains(t.span(), span),
        Item::ArrayOfTables(array) => {
            for (i, t) in array.iter().enumerate() {
                path.push(Seg::Index(i));
                if find_in_table(t, span, path) {
                    return true;
                }
                path.pop();
            }
            // The whole array (which spans from its first table to its last) ...
            if array.span().as_ref() == Some(span) {
                return true;
            }
            // ... or one of its tables.
            for (i, t) in array.iter().enumerate() {
                if contains(t.span(), span) {
                    path.push(Seg::Index(i));
                    return true;
                }
            }
            contains(array.span(), span)
        }
        Item::None => false,
    }
}

fn find_in_value(v: &Value, span: &Range<usize>, path: &mut Vec<Seg>) -> bool {
    if !contains(v.span(), span) {
        return false;
    }
    match v {
        Value::InlineTable(t) => {
            find_in_table(t, span, path);
        }
        Value::Array(array) => {
            for (i, element) in array.iter().enumerate() {
                path.push(Seg::Index(i));
                if find_in_value(element, span, path) {
                    return true;
                }
                path.pop();
            }
        }
        _ => {}
    }
    true
}

/// Span of the deepest key along `segs` present in the document (the key itself, or the
/// header of the enclosing table when the key is absent).
fn locate_in_table(t: &dyn TableLike, segs: &[Seg]) -> Option<Range<usize>> {
    let (Seg::Key(k), rest) = segs.split_first()? else {
        return None;
    };
    let (key, child) = t.get_key_value(k)?;
    let here = key.span().or_else(|| child.span());
    let deeper = match (child, rest.first()) {
        (_, None) => None,
        (Item::Table(ct), _) => locate_in_table(ct, rest),
        (Item::Value(v), _) => locate_in_value(v, rest),
        (Item::ArrayOfTables(array), Some(Seg::Index(i))) => array
            .get(*i)
            .and_then(|ct| locate_in_table(ct, &rest[1..]).or_else(|| ct.span())),
        _ => None,
    };
    deeper.or(here)
}

fn locate_in_value(v: &Value, segs: &[Seg]) -> Option<Range<usize>> {
    let (first, rest) = segs.split_first()?;
    match (v, first) {
        (Value::InlineTable(t), Seg::Key(_)) => locate_in_table(t, segs),
        (Value::Array(array), Seg::Index(i)) => {
            let element = array.get(*i)?;
            locate_in_value(element, rest).or_else(|| element.span())
        }
        _ => None,
    }
}

/// Turns serde's wording into ours: "unknown key; expected one of ...", "expected X, got Y".
fn friendly(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (given, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let names: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        let mut out = match names.len() {
            0 => "unknown key; this table takes no keys".to_string(),
            1 => format!("unknown key; expected {}", names[0]),
            _ => format!("unknown key; expected one of {}", names.join(", ")),
        };
        if let Some(best) = closest(given, &names) {
            let _ = write!(out, " (did you mean {best}?)");
        }
        return out;
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        if let Some((got, expected)) = rest.split_once(", expected ") {
            let got = match got {
                "map" => "a table".to_string(),
                "sequence" => "an array".to_string(),
                other => match other.split_once(' ') {
                    Some(("string", s)) => s.to_string(),
                    Some((_, v)) => v.trim_matches('`').to_string(),
                    None => other.to_string(),
                },
            };
            let expected = if expected.starts_with("struct ") {
                "a table"
            } else if expected == "a sequence" {
                "an array of tables"
            } else {
                expected
            };
            return format!("expected {expected}, got {got}");
        }
    }
    message.to_string()
}

/// The name closest to `given` by edit distance, when it is close enough to be a typo.
fn closest<'a>(given: &str, names: &[&'a str]) -> Option<&'a str> {
    names
        .iter()
        .map(|n| (edit_distance(given, n), *n))
        .filter(|&(d, n)| d <= 2.max(n.len() / 4))
        .min_by_key(|&(d, _)| d)
        .map(|(_, n)| n)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// A deserialization error of `text`, located: (key path, line, message).
fn locate_de_error(text: &str, e: &toml::de::Error) -> (String, Option<usize>, String) {
    let span = e.span();
    let path = match (&span, ImDocument::parse(text)) {
        (Some(span), Ok(doc)) => path_at(doc.as_table(), span),
        _ => None,
    };
    let line = span.map(|s| line_of(text, s.start));
    (path.unwrap_or_default(), line, friendly(e.message()))
}

/// A failed check of the resolved scenario.
#[derive(Debug)]
pub(super) struct Invalid {
    /// Key path the message is about.
    path: String,
    /// Other keys involved: an override of any of them is blamed, and their lines are used
    /// when `path` is not in the file.
    related: Vec<String>,
    message: String,
}

impl Invalid {
    pub(super) fn new(path: impl Into<String>, message: impl Into<String>) -> Invalid {
        Invalid {
            path: path.into(),
            related: Vec::new(),
            message: message.into(),
        }
    }

    pub(super) fn also(mut self, path: impl Into<String>) -> Invalid {
        self.related.push(path.into());
        self
    }
}

pub(super) fn missing(path: impl Into<String>, expected: &str) -> Invalid {
    Invalid::new(path, format!("missing; expected {expected}"))
}

/// `a` and `b` name the same key, or one lies inside the other.
fn paths_overlap(a: &str, b: &str) -> bool {
    let inside = |outer: &str, inner: &str| {
        inner.starts_with(outer) && matches!(inner.as_bytes().get(outer.len()), Some(b'.' | b'['))
    };
    a == b || inside(a, b) || inside(b, a)
}

/// `message`, prefixed with `path` unless it is the key the override assigns.
fn about(path: &str, assigned: &str, message: &str) -> String {
    if path.is_empty() || path == assigned {
        message.to_string()
    } else {
        format!("{path}: {message}")
    }
}

/// Reads and loads the scenario file at `path`, applying `overrides` in order. The
/// scenario's name defaults to the file stem; errors name the file as `path` displays.
pub fn load_file(path: &Path, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|error| ScenarioError::Read {
        file: file.clone(),
        error,
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

    resolve(raw, default_name, dir).map_err(|invalid| {
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
    })
}

/// For `size = 1MB`, a reminder that values with units are strings: `size = "1MB"`.
fn quote_hint(line: &str) -> Option<String> {
    let (key, value) = line.split_once('=')?;
    let value = value.split('#').next()?.trim();
    let unquoted_unit = value.starts_with(|c: char| c.is_ascii_digit())
        && value.contains(|c: char| c.is_alphabetic() || c == '/')
        && !value.contains(['"', '\'', '[', '{']);
    unquoted_unit.then(|| {
        format!(
            "values with units are written in quotes: {} = \"{value}\"",
            key.trim()
        )
    })
}

fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

/// `[origin]` prices: a flat `price_per_gb`, or `[[origin.price_tiers]]`, and an optional
/// 95th-percentile `price_per_mbps_month`.
fn resolve_pricing(
    flat: Option<Number>,
    tiers: Option<Vec<Tab<RawPriceTier>>>,
    per_mbps: Option<Number>,
) -> Result<Pricing, Invalid> {
    let price = |x: f64, path: &str| {
        if x >= 0.0 {
            Ok(x)
        } else {
            Err(Invalid::new(
                path,
                format!("expected a price of 0 or more, got {x}"),
            ))
        }
    };
    let tiers = match (flat, tiers) {
        (Some(_), Some(_)) => {
            return Err(Invalid::new(
                "origin.price_tiers",
                "give either price_per_gb (one flat price) or [[origin.price_tiers]], not both",
            )
            .also("origin.price_per_gb"))
        }
        (Some(x), None) => vec![PriceTier {
            up_to_bytes: u64::MAX,
            per_gb: price(x.0, "origin.price_per_gb")?,
        }],
        (None, Some(raw)) => {
            let n = raw.len();
            let mut out: Vec<PriceTier> = Vec::with_capacity(n);
            for (i, t) in raw.into_iter().enumerate() {
                let at = |k: &str| format!("origin.price_tiers[{i}].{k}");
                let per_gb =
                    t.0.price_per_gb
                        .ok_or_else(|| missing(at("price_per_gb"), "a price per GB, e.g. 0.05"))?
                        .0;
                let per_gb = price(per_gb, &at("price_per_gb"))?;
                let up_to_bytes = match (t.0.up_to, i + 1 == n) {
                    (Some(v), _) => v.0,
                    (None, true) => u64::MAX,
                    (None, false) => {
                        return Err(missing(
                            at("up_to"),
                            "the volume where this tier ends, e.g. up_to = \"10TB\" \
                             (only the last tier may omit it)",
                        ))
                    }
                };
                if let Some(prev) = out.last() {
                    if up_to_bytes <= prev.up_to_bytes {
                        return Err(Invalid::new(
                            at("up_to"),
                            format!(
                                "expected tiers in ascending order: {} is not above the previous tier's {}",
                                fmt_bytes(up_to_bytes),
                                fmt_bytes(prev.up_to_bytes)
                            ),
                        ));
                    }
                }
                out.push(PriceTier {
                    up_to_bytes,
                    per_gb,
                });
            }
            out
        }
        (None, None) => Vec::new(),
    };
    Ok(Pricing {
        tiers,
        per_mbps_month: match per_mbps {
            Some(x) => price(x.0, "origin.price_per_mbps_month")?,
            None => 0.0,
        },
    })
}

/// The volume tiers as one line, e.g. "0.085 up to 10 TB, then 0.06".
fn price_list_text(p: &Pricing) -> String {
    if p.tiers.is_empty() {
        return "0 (volume not priced)".to_string();
    }
    p.tiers
        .iter()
        .map(|t| {
            if t.up_to_bytes == u64::MAX {
                format!("{}", t.per_gb)
            } else {
                format!("{} up to {}", t.per_gb, fmt_bytes(t.up_to_bytes))
            }
        })
        .collect::<Vec<_>>()
        .join(", then ")
}

/// Default time from abandoning a download to restarting it: the user comes back, on
/// average, the next day.
pub const DEFAULT_RESTART_AFTER: SimDuration = SimDuration::from_secs(86_400);

/// `[client]`: what every client does, and the policy keys that are every content's
/// defaults.
fn resolve_client(c: RawClient) -> Result<(ClientSpec, PolicyDefaults), Invalid> {
    let defaults = PolicyDefaults {
        policy: c.policy.map(|p| p.0),
        rate_target_bps: c.rate_target.map(|r| r.0),
        http_first_pieces: c.http_first_pieces.map(|n| n.0),
        http_first_time: c.http_first_time.map(|d| d.0),
        peer_wait_given: c.peer_wait.is_some(),
    };
    let client = ClientSpec {
        seed_time: c
            .seed_time
            .map_or(SeedTime::Fixed(SimDuration::ZERO), |s| s.0),
        seed_upload_bps: c.seed_upload.map_or(u64::MAX, |r| r.0),
        abort_rate_per_s: c.abort_rate.map_or(0.0, |r| r.0),
        peer_wait: c.peer_wait.and_then(|w| w.0),
        restart_share: c.restart_share.map_or(0.0, |n| n.0),
        restart_after: c
            .restart_after
            .map_or(SeedTime::Exponential(DEFAULT_RESTART_AFTER), |s| s.0),
        restart_resumes: c.restart_resumes.is_some_and(|f| f.0),
    };
    if !(0.0..=1.0).contains(&client.restart_share) {
        return Err(Invalid::new(
            "client.restart_share",
            format!("expected a share in [0, 1], got {}", client.restart_share),
        ));
    }
    if client.restart_after == SeedTime::Forever {
        return Err(Invalid::new(
            "client.restart_after",
            "expected a delay such as \"exp(1d)\"; to model users who never restart, set \
             client.restart_share = 0",
        ));
    }
    Ok((client, defaults))
}

pub(super) fn positive(d: SimDuration, path: &str) -> Result<SimDuration, Invalid> {
    if d == SimDuration::ZERO {
        return Err(Invalid::new(
            path,
            format!("expected a duration above zero, e.g. \"10s\", got {d}"),
        ));
    }
    Ok(d)
}

fn at_least_one(n: u32, path: &str) -> Result<u32, Invalid> {
    if n == 0 {
        return Err(Invalid::new(path, "expected at least 1, got 0"));
    }
    Ok(n)
}

/// Fills in defaults and checks every rule; the result is what the simulator runs.
fn resolve(raw: RawScenario, default_name: &str, dir: Option<&Path>) -> Result<Scenario, Invalid> {
    let name = raw.name.map_or_else(|| default_name.to_string(), |n| n.0);

    let sim = raw.simulation.unwrap_or_default().0;
    let seed = sim.seed.map_or(DEFAULT_SEED, |v| v.0);
    let max_time = positive(
        sim.max_time.map_or(DEFAULT_MAX_TIME, |d| d.0),
        "simulation.max_time",
    )?;
    let sample_interval = positive(
        sim.sample_interval.map_or(DEFAULT_SAMPLE_INTERVAL, |d| d.0),
        "simulation.sample_interval",
    )?;
    let check_invariants = sim.check_invariants.is_some_and(|f| f.0);

    let raw_network = raw.network.map(|n| n.0).unwrap_or_default();
    let network = NetworkSpec {
        latency: raw_network.latency.map_or(DEFAULT_LATENCY, |d| d.0),
        time_quantum: positive(
            raw_network
                .time_quantum
                .map_or(DEFAULT_TIME_QUANTUM, |d| d.0),
            "network.time_quantum",
        )?,
        fairness_tolerance: raw_network
            .fairness_tolerance
            .map_or(DEFAULT_FAIRNESS_TOLERANCE, |n| n.0),
    };
    if !(0.0..0.5).contains(&network.fairness_tolerance) {
        return Err(Invalid::new(
            "network.fairness_tolerance",
            format!(
                "expected a fraction in [0, 0.5), e.g. 0.01, got {}",
                network.fairness_tolerance
            ),
        ));
    }

    let origin = match raw.origin.map(|t| t.0) {
        None => OriginSpec {
            capacity_bps: 0,
            per_connection_bps: u64::MAX,
            requests_per_client: 1,
            pricing: Pricing::default(),
        },
        Some(o) => OriginSpec {
            pricing: resolve_pricing(o.price_per_gb, o.price_tiers, o.price_per_mbps_month)?,
            capacity_bps: o
                .capacity
                .ok_or_else(|| {
                    missing(
                        "origin.capacity",
                        &format!("{RATE_EXPECTED}; \"0\" means no origin"),
                    )
                })?
                .0,
            per_connection_bps: o.per_connection.map_or(u64::MAX, |r| r.0),
            requests_per_client: at_least_one(
                o.requests_per_client.map_or(1, |n| n.0),
                "origin.requests_per_client",
            )?,
        },
    };

    let tracker = raw.tracker.unwrap_or_default().0;
    let tracker = TrackerSpec {
        numwant: at_least_one(
            tracker.numwant.map_or(DEFAULT_NUMWANT, |n| n.0),
            "tracker.numwant",
        )?,
        announce_interval: positive(
            tracker
                .announce_interval
                .map_or(DEFAULT_ANNOUNCE_INTERVAL, |d| d.0),
            "tracker.announce_interval",
        )?,
    };

    let protocol = resolve_protocol(raw.protocol.unwrap_or_default().0)?;

    let (client, policy_defaults) = resolve_client(raw.client.unwrap_or_default().0)?;
    let contents = resolve_catalog(
        raw.content.map(|t| t.0),
        raw.contents,
        raw.arrivals.map(|t| t.0),
        &policy_defaults,
        origin.capacity_bps,
        &name,
        dir,
    )?;

    for (i, c) in contents.iter().enumerate() {
        if c.release >= SimTime::ZERO.after(max_time) {
            let key = if contents.len() == 1 {
                "content.release".to_string()
            } else {
                format!("contents[{i}].release")
            };
            return Err(Invalid::new(
                key,
                format!(
                    "{:?} is released at {}, not before simulation.max_time ({max_time}): \
                     nobody could download it; release it earlier or raise max_time",
                    c.name,
                    SimDuration(c.release.as_us())
                ),
            )
            .also("simulation.max_time"));
        }
    }
    for (i, c) in contents.iter().enumerate() {
        let first = match &c.arrivals {
            Arrivals::FlashCrowd { at, .. } => Some(*at),
            Arrivals::Poisson { start, .. }
            | Arrivals::Decaying { start, .. }
            | Arrivals::Diurnal { start, .. } => Some(*start),
            Arrivals::Trace { .. } => None,
        };
        if let Some(first) = first.filter(|&t| t >= SimTime::ZERO.after(max_time)) {
            let key = if contents.len() == 1 {
                "arrivals".to_string()
            } else {
                format!("contents[{i}].arrivals")
            };
            return Err(Invalid::new(
                key,
                format!(
                    "the arrivals of {:?} start at {}, not before simulation.max_time \
                     ({max_time}): nobody would arrive; move them earlier or raise max_time",
                    c.name,
                    SimDuration(first.as_us())
                ),
            )
            .also("simulation.max_time"));
        }
    }
    let seeds = resolve_seeds(raw.seeds.unwrap_or_default(), &contents)?;
    let classes = resolve_classes(raw.classes)?;
    check_time_grids(&network, sample_interval, &contents, &classes)?;
    let audience = resolve_audience(raw.audience.map(|t| t.0).unwrap_or_default())?;
    let sessions = raw.sessions.map(|t| resolve_sessions(t.0)).transpose()?;
    if audience.p2p_share < 1.0 && origin.capacity_bps == 0 {
        return Err(Invalid::new(
            "audience.p2p_share",
            format!(
                "users without the P2P client ({:.0}%) download from the origin only: \
                 add an [origin] with capacity above zero",
                100.0 * (1.0 - audience.p2p_share)
            ),
        )
        .also("origin.capacity")
        .also("origin"));
    }
    if origin.capacity_bps == 0 {
        for (i, c) in contents.iter().enumerate() {
            let held = seeds
                .iter()
                .any(|s| s.content as usize == i && s.upload_bps > 0);
            if held {
                continue;
            }
            if contents.len() == 1 {
                return Err(Invalid::new(
                    "seeds",
                    "nobody holds the content: add [[seeds]] or an [origin]",
                )
                .also("origin.capacity")
                .also("origin"));
            }
            return Err(Invalid::new(
                format!("contents[{i}]"),
                format!(
                    "nobody holds {:?}: add [[seeds]] with content = {:?}, or an [origin]",
                    c.name, c.name
                ),
            )
            .also("origin.capacity")
            .also("origin"));
        }
    }

    Ok(Scenario {
        name,
        seed,
        max_time,
        sample_interval,
        check_invariants,
        contents,
        network,
        origin,
        tracker,
        protocol,
        client,
        seeds,
        classes,
        audience,
        sessions,
    })
}

/// The time quantum and the sample interval must be fine enough to give meaningful figures.
///
/// - A flow's completion is rounded up to `network.time_quantum`, so each piece can end up
///   to one quantum late. A quantum above a tenth of the fastest piece transfer (the
///   smallest piece at the fastest download cap a peer can draw) would slow downloads by
///   more than 10%; it is refused. The default, 1 µs, is the engine's own resolution.
/// - The flow-level model describes TCP throughput averaged over round trips (Velho et
///   al., TOMACS 2013), so a sample interval below one round trip (2 × latency; 1 ms at
///   least) and below ten quanta describes nothing the model knows; it is refused.
fn check_time_grids(
    network: &NetworkSpec,
    sample_interval: SimDuration,
    contents: &[ContentSpec],
    classes: &[PeerClass],
) -> Result<(), Invalid> {
    let quantum = network.time_quantum;
    let fastest_bps = classes
        .iter()
        .map(|c| {
            let spread = if c.cap_sigma > 0.0 { c.cap_clip } else { 1.0 };
            c.download_bps as f64 * spread
        })
        .fold(0.0, f64::max);
    let smallest_piece = contents
        .iter()
        .map(|c| c.piece_size_bytes.min(c.size_bytes))
        .min()
        .unwrap_or(1);
    let piece_us = smallest_piece as f64 * 8.0 / fastest_bps.max(1.0) * 1e6;
    let limit = SimDuration((piece_us / 10.0).floor() as u64).max(SimDuration(1));
    if quantum > limit {
        return Err(Invalid::new(
            "network.time_quantum",
            format!(
                "{quantum} would delay each piece by up to {quantum}, while the fastest piece \
                 transfer takes {} ({} at {}): expected at most a tenth of that ({limit}), \
                 or leave it unset (1us, exact)",
                SimDuration(piece_us.ceil() as u64),
                fmt_bytes(smallest_piece),
                fmt_rate(fastest_bps),
            ),
        ));
    }
    let floor = SimDuration(
        (2 * network.latency.as_us())
            .max(1_000)
            .max(10 * quantum.as_us()),
    );
    if sample_interval < floor {
        return Err(Invalid::new(
            "simulation.sample_interval",
            format!(
                "expected at least {floor} (one round trip of 2 x network.latency, 1ms at \
                 least, and ten time quanta): a flow-level model says nothing about shorter \
                 spans; got {sample_interval}"
            ),
        ));
    }
    Ok(())
}

/// `[sessions]`: online and offline period lengths, an optional diurnal profile.
fn resolve_sessions(r: RawSessions) -> Result<SessionSpec, Invalid> {
    let online = r
        .online
        .ok_or_else(|| missing("sessions.online", "a duration such as \"exp(2h)\""))?
        .0;
    let offline = r
        .offline
        .ok_or_else(|| missing("sessions.offline", "a duration such as \"exp(10h)\""))?
        .0;
    for (key, d) in [("online", &online), ("offline", &offline)] {
        if *d == SeedTime::Fixed(SimDuration::ZERO) {
            return Err(Invalid::new(
                format!("sessions.{key}"),
                "expected a period above zero, e.g. \"exp(2h)\"",
            ));
        }
    }
    if offline == SeedTime::Forever {
        return Err(Invalid::new(
            "sessions.offline",
            "an offline period must end; use a duration such as \"exp(10h)\"",
        ));
    }
    let diurnal = match &r.diurnal {
        None => None,
        Some(w) => Some(Box::new(hourly_weights(
            Some(&w.0[..]),
            "sessions.diurnal",
        )?)),
    };
    let utc_offset_hours = r.utc_offset_hours.map_or(0.0, |x| x.0);
    if !(-24.0..=24.0).contains(&utc_offset_hours) {
        return Err(Invalid::new(
            "sessions.utc_offset_hours",
            format!("expected hours in [-24, 24], e.g. 9 for Japan, got {utc_offset_hours}"),
        ));
    }
    Ok(SessionSpec {
        online,
        offline,
        diurnal,
        utc_offset_hours,
    })
}

/// `[audience]`: shares in [0, 1].
fn resolve_audience(a: RawAudience) -> Result<AudienceSpec, Invalid> {
    let share = |v: Option<Number>, default: f64, key: &str| -> Result<f64, Invalid> {
        let x = v.map_or(default, |n| n.0);
        if (0.0..=1.0).contains(&x) {
            Ok(x)
        } else {
            Err(Invalid::new(
                format!("audience.{key}"),
                format!("expected a share in [0, 1], got {x}"),
            ))
        }
    };
    let d = AudienceSpec::default();
    Ok(AudienceSpec {
        p2p_share: share(a.p2p_share, d.p2p_share, "p2p_share")?,
        upload_off_share: share(a.upload_off_share, d.upload_off_share, "upload_off_share")?,
        nat_share: share(a.nat_share, d.nat_share, "nat_share")?,
    })
}

/// What `validate` prints for `protocol.seed_choking`.
fn seed_choking_text(c: SeedChoking) -> String {
    let what = match c {
        SeedChoking::Mainline => {
            "keep the 3 most recently unchoked, a new peer 2 periods in 3 (BitTorrent 4.x)"
        }
        SeedChoking::RoundRobin => "keep a peer for 20 pieces and 1 min, then rotate (libtorrent)",
        SeedChoking::FastestUpload => "the peers uploaded to fastest (libtorrent)",
    };
    format!("{} ({what})", c.name())
}

fn resolve_protocol(p: RawProtocol) -> Result<ProtocolSpec, Invalid> {
    let max_connections = at_least_one(
        p.max_connections.map_or(DEFAULT_MAX_CONNECTIONS, |n| n.0),
        "protocol.max_connections",
    )?;
    let min_peers = p.min_peers.map_or(DEFAULT_MIN_PEERS, |n| n.0);
    if min_peers > max_connections {
        return Err(Invalid::new(
            "protocol.min_peers",
            format!("expected at most max_connections ({max_connections}), got {min_peers}"),
        )
        .also("protocol.max_connections"));
    }
    Ok(ProtocolSpec {
        upload_slots: at_least_one(
            p.upload_slots.map_or(DEFAULT_UPLOAD_SLOTS, |n| n.0),
            "protocol.upload_slots",
        )?,
        optimistic_slots: p.optimistic_slots.map_or(DEFAULT_OPTIMISTIC_SLOTS, |n| n.0),
        rechoke_interval: positive(
            p.rechoke_interval.map_or(DEFAULT_RECHOKE_INTERVAL, |d| d.0),
            "protocol.rechoke_interval",
        )?,
        optimistic_interval: positive(
            p.optimistic_interval
                .map_or(DEFAULT_OPTIMISTIC_INTERVAL, |d| d.0),
            "protocol.optimistic_interval",
        )?,
        max_connections,
        min_peers,
        random_first_pieces: p
            .random_first_pieces
            .map_or(DEFAULT_RANDOM_FIRST_PIECES, |n| n.0),
        endgame: p.endgame.map(|f| f.0).unwrap_or(true),
        seed_choking: p.seed_choking.map_or(SeedChoking::Mainline, |c| c.0),
    })
}

/// `[[seeds]]`: groups of initial seeds, each holding one content of `contents` (named
/// by `content`, which a catalog of several contents requires).
fn resolve_seeds(
    raw: Vec<Tab<RawSeed>>,
    contents: &[ContentSpec],
) -> Result<Vec<SeedGroup>, Invalid> {
    let mut seeds: Vec<SeedGroup> = Vec::with_capacity(raw.len());
    let names: Vec<&str> = contents.iter().map(|c| c.name.as_str()).collect();
    for (i, Tab(s)) in raw.into_iter().enumerate() {
        let at = |key: &str| format!("seeds[{i}].{key}");
        let name = s.name.map_or_else(|| format!("seed-{i}"), |n| n.0);
        if let Some(j) = seeds.iter().position(|other| other.name == name) {
            return Err(Invalid::new(
                at("name"),
                format!("duplicate seed group name {name:?} (also seeds[{j}])"),
            ));
        }
        let content = match s.content {
            None if contents.len() == 1 => 0,
            None => {
                return Err(missing(
                    at("content"),
                    &format!(
                        "the name of the content these seeds hold, one of {}",
                        quoted_list(&names)
                    ),
                ))
            }
            Some(n) => match names.iter().position(|&c| c == n.0) {
                Some(k) => k as u32,
                None => {
                    let hint = closest(&n.0, &names)
                        .map(|c| format!(" (did you mean {c:?}?)"))
                        .unwrap_or_default();
                    return Err(Invalid::new(
                        at("content"),
                        format!(
                            "no content named {:?}{hint}; expected one of {}",
                            n.0,
                            quoted_list(&names)
                        ),
                    ));
                }
            },
        };
        seeds.push(SeedGroup {
            name,
            content,
            count: at_least_one(s.count.map_or(1, |n| n.0), &at("count"))?,
            upload_bps: s
                .upload
                .ok_or_else(|| missing(at("upload"), RATE_EXPECTED))?
                .0,
            super_seeding: s.super_seeding.is_some_and(|f| f.0),
        });
    }
    Ok(seeds)
}

/// `"a", "b", "c"`.
fn quoted_list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn resolve_classes(raw: Option<Vec<Tab<RawClass>>>) -> Result<Vec<PeerClass>, Invalid> {
    let raw = raw.unwrap_or_default();
    if raw.is_empty() {
        return Err(Invalid::new(
            "classes",
            "expected at least one [[classes]] table with name, share, upload and download",
        ));
    }
    let mut classes: Vec<PeerClass> = Vec::with_capacity(raw.len());
    for (i, Tab(c)) in raw.into_iter().enumerate() {
        let at = |key: &str| format!("classes[{i}].{key}");
        let name = c
            .name
            .ok_or_else(|| missing(at("name"), "a name in quotes, e.g. \"ftth\""))?
            .0;
        if let Some(j) = classes.iter().position(|other| other.name == name) {
            return Err(Invalid::new(
                at("name"),
                format!("duplicate class name {name:?} (also classes[{j}])"),
            ));
        }
        let share = c
            .share
            .ok_or_else(|| missing(at("share"), "a share in (0, 1], e.g. 0.37"))?
            .0;
        if !(share > 0.0 && share <= 1.0) {
            return Err(Invalid::new(
                at("share"),
                format!("expected a share in (0, 1], got {share}"),
            ));
        }
        let upload_bps = c
            .upload
            .ok_or_else(|| missing(at("upload"), RATE_EXPECTED))?
            .0;
        let download_bps = c
            .download
            .ok_or_else(|| missing(at("download"), RATE_EXPECTED))?
            .0;
        if download_bps == 0 {
            return Err(Invalid::new(
                at("download"),
                "expected a rate above zero, e.g. \"40Mbps\"",
            ));
        }
        let cap_sigma = c.cap_sigma.map_or(0.0, |x| x.0);
        if !(0.0..=3.0).contains(&cap_sigma) {
            return Err(Invalid::new(
                at("cap_sigma"),
                format!("expected a lognormal sigma in [0, 3], e.g. 0.5, got {cap_sigma}"),
            ));
        }
        let cap_clip = c.cap_clip.map_or(DEFAULT_CAP_CLIP, |x| x.0);
        if cap_clip < 1.0 {
            return Err(Invalid::new(
                at("cap_clip"),
                format!("expected a factor of at least 1, e.g. 4, got {cap_clip}"),
            ));
        }
        classes.push(PeerClass {
            name,
            share,
            upload_bps,
            download_bps,
            cap_sigma,
            cap_clip,
            always_on: c.always_on.is_some_and(|f| f.0),
        });
    }
    let sum: f64 = classes.iter().map(|c| c.share).sum();
    if (sum - 1.0).abs() > 1e-6 {
        let terms: Vec<String> = classes
            .iter()
            .map(|c| format!("{} {}", c.name, c.share))
            .collect();
        return Err(Invalid::new(
            "classes",
            format!(
                "shares must sum to 1, got {} ({})",
                round6(sum),
                terms.join(" + ")
            ),
        ));
    }
    Ok(classes)
}

pub(super) fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// `weights`: exactly 24 numbers ≥ 0, not all zero.
pub(super) fn hourly_weights(
    raw: Option<&[Result<f64, String>]>,
    key: &str,
) -> Result<[f64; 24], Invalid> {
    let raw = raw.ok_or_else(|| {
        missing(
            key,
            "24 relative weights of the local hours 00:00 to 23:00, \
             e.g. weights = [1, 1, 1, 1, 1, 1, 2, 3, ...]",
        )
    })?;
    let mut weights = [0.0; 24];
    for (i, w) in raw.iter().enumerate() {
        match w {
            Ok(x) if i < 24 => weights[i] = *x,
            Ok(_) => {}
            Err(why) => return Err(Invalid::new(format!("{key}[{i}]"), why.clone())),
        }
    }
    if raw.len() != 24 {
        return Err(Invalid::new(
            key,
            format!(
                "expected 24 hourly weights (local hours 00:00 to 23:00), got {} {}",
                raw.len(),
                if raw.len() == 1 { "entry" } else { "entries" }
            ),
        ));
    }
    if let Some((i, w)) = weights.iter().enumerate().find(|(_, w)| **w < 0.0) {
        return Err(Invalid::new(
            format!("{key}[{i}]"),
            format!("expected a weight ≥ 0, got {w}"),
        ));
    }
    if weights.iter().all(|&w| w == 0.0) {
        return Err(Invalid::new(
            key,
            "expected at least one weight above zero, got 24 zeros",
        ));
    }
    Ok(weights)
}

/// A float with at most `digits` decimals, trailing zeros removed.
fn short_float(x: f64, digits: usize) -> String {
    let text = format!("{x:.digits$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

fn size_text(bytes: u64) -> String {
    format!("{} ({bytes} bytes)", fmt_bytes(bytes))
}

fn rate_text(bps: u64) -> String {
    format!("{} ({bps} bit/s)", fmt_rate(bps as f64))
}

/// A multi-line, human-readable account of a resolved scenario, laid out like the TOML
/// file (one line per key, the same key names, so each line tells the `--set` path), with
/// units formatted and derived figures (piece count, expected arrivals) added. Used by
/// `swarmsim validate`.
pub fn describe(s: &Scenario) -> String {
    let mut sections: Vec<(String, Vec<(String, String)>)> = Vec::new();
    let mut section = |title: &str, rows: Vec<(&str, String)>| {
        sections.push((
            title.to_string(),
            rows.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        ));
    };

    section("", vec![("name", format!("{:?}", s.name))]);
    section(
        "[simulation]",
        vec![
            ("seed", s.seed.to_string()),
            ("max_time", s.max_time.to_string()),
            ("sample_interval", s.sample_interval.to_string()),
            ("check_invariants", s.check_invariants.to_string()),
        ],
    );
    let one = s.contents.len() == 1;
    if one {
        section("[content]", content_rows(&s.contents[0], true));
    }
    section(
        "[network]",
        vec![
            (
                "latency",
                format!(
                    "{} one-way (a request waits one round trip, {})",
                    s.network.latency,
                    SimDuration(s.network.latency.as_us().saturating_mul(2))
                ),
            ),
            (
                "time_quantum",
                format!(
                    "{} (flow completions rounded up to this grid)",
                    s.network.time_quantum
                ),
            ),
            (
                "fairness_tolerance",
                if s.network.fairness_tolerance == 0.0 {
                    "0 (exact max-min fair sharing)".to_string()
                } else {
                    format!(
                        "{} (max-min fair within this fraction)",
                        s.network.fairness_tolerance
                    )
                },
            ),
        ],
    );
    let o = &s.origin;
    if o.capacity_bps == 0 {
        section("[origin]", vec![("capacity", "0 (no origin)".to_string())]);
    } else {
        let per_connection = if o.per_connection_bps == u64::MAX {
            "unlimited".to_string()
        } else {
            rate_text(o.per_connection_bps)
        };
        section(
            "[origin]",
            vec![
                ("capacity", rate_text(o.capacity_bps)),
                ("per_connection", per_connection),
                ("requests_per_client", o.requests_per_client.to_string()),
                ("price_per_gb", price_list_text(&o.pricing)),
                (
                    "price_per_mbps_month",
                    if o.pricing.per_mbps_month > 0.0 {
                        format!(
                            "{} per Mbps of 95th-percentile 5-min rate, per 30 days",
                            o.pricing.per_mbps_month
                        )
                    } else {
                        "0 (no 95th-percentile billing)".to_string()
                    },
                ),
            ],
        );
    }
    section(
        "[tracker]",
        vec![
            ("numwant", s.tracker.numwant.to_string()),
            ("announce_interval", s.tracker.announce_interval.to_string()),
        ],
    );
    let p = &s.protocol;
    section(
        "[protocol]",
        vec![
            ("upload_slots", p.upload_slots.to_string()),
            ("optimistic_slots", p.optimistic_slots.to_string()),
            ("rechoke_interval", p.rechoke_interval.to_string()),
            ("optimistic_interval", p.optimistic_interval.to_string()),
            ("max_connections", p.max_connections.to_string()),
            ("min_peers", p.min_peers.to_string()),
            ("random_first_pieces", p.random_first_pieces.to_string()),
            ("endgame", p.endgame.to_string()),
            ("seed_choking", seed_choking_text(p.seed_choking)),
        ],
    );
    let seed_time = match &s.client.seed_time {
        SeedTime::Fixed(d) if *d == SimDuration::ZERO => "0s (leave on completion)".to_string(),
        SeedTime::Empirical(v) => format!(
            "empirical: one of {} observed values, drawn uniformly ({})",
            v.len(),
            v.iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        SeedTime::Fixed(d) => format!("{d} after completion"),
        SeedTime::Exponential(mean) => format!("exp({mean}): exponential, mean {mean}"),
        SeedTime::Forever => "forever (never leave)".to_string(),
    };
    let c = &s.client;
    let mut client_rows = Vec::new();
    if one {
        client_rows.push(("policy", policy_text(&s.contents[0].policy)));
    }
    client_rows.push(("seed_time", seed_time));
    section(
        "[client]",
        client_rows
            .into_iter()
            .chain([
                (
                    "seed_upload",
                    if c.seed_upload_bps == u64::MAX {
                        "the access cap (no background limit)".to_string()
                    } else {
                        rate_text(c.seed_upload_bps)
                    },
                ),
                (
                    "restart_share",
                    if c.restart_share > 0.0 {
                        format!(
                            "{} of abandoning users restart after {}, {}",
                            short_float(c.restart_share, 6),
                            match &c.restart_after {
                                SeedTime::Fixed(d) => d.to_string(),
                                SeedTime::Exponential(m) => format!("exp({m})"),
                                SeedTime::Empirical(v) => format!("one of {} values", v.len()),
                                SeedTime::Forever => "never".to_string(),
                            },
                            if c.restart_resumes {
                                "resuming from the pieces they hold"
                            } else {
                                "starting over"
                            }
                        )
                    } else {
                        "0 (an abandoned download is never restarted)".to_string()
                    },
                ),
                (
                    "abort_rate",
                    if c.abort_rate_per_s > 0.0 {
                        format!(
                            "{}/h (mean patience {} of waiting, machine on)",
                            short_float(c.abort_rate_per_s * 3600.0, 4),
                            SimDuration::from_secs_f64_ceil(1.0 / c.abort_rate_per_s)
                        )
                    } else {
                        "0 (downloads are never abandoned)".to_string()
                    },
                ),
            ])
            .chain(
                // Only `peers-first` reads the wait.
                s.contents
                    .iter()
                    .any(|k| k.policy.kind == Policy::PeersFirst)
                    .then(|| {
                        (
                            "peer_wait",
                            match c.peer_wait {
                                Some(w) => format!(
                                    "{w} (peers-first: the origin also takes pieces unchoking \
                                     peers hold when they cannot deliver them all within this)"
                                ),
                                None => "forever (peers-first: the origin only takes pieces \
                                         no unchoking peer holds)"
                                    .to_string(),
                            },
                        )
                    }),
            )
            .collect(),
    );
    let a = &s.audience;
    section(
        "[audience]",
        vec![
            ("p2p_share", short_float(a.p2p_share, 6)),
            ("upload_off_share", short_float(a.upload_off_share, 6)),
            ("nat_share", short_float(a.nat_share, 6)),
        ],
    );
    match &s.sessions {
        None => section(
            "[sessions]",
            vec![("online", "always (no [sessions] table)".to_string())],
        ),
        Some(ss) => {
            let law = |t: &SeedTime| match t {
                SeedTime::Fixed(d) => d.to_string(),
                SeedTime::Exponential(m) => format!("exp({m})"),
                SeedTime::Empirical(v) => format!("empirical, {} values", v.len()),
                SeedTime::Forever => "forever".to_string(),
            };
            section(
                "[sessions]",
                vec![
                    ("online", law(&ss.online)),
                    ("offline", law(&ss.offline)),
                    (
                        "diurnal",
                        match &ss.diurnal {
                            None => "uniform over the day".to_string(),
                            Some(w) => format!(
                                "[{}]",
                                w.iter()
                                    .map(|x| short_float(*x, 4))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        },
                    ),
                    ("utc_offset_hours", short_float(ss.utc_offset_hours, 4)),
                ],
            );
        }
    }
    if s.seeds.is_empty() {
        section(
            "[[seeds]]",
            vec![("count", "0 (no initial seed)".to_string())],
        );
    }
    for seed in &s.seeds {
        section(
            "[[seeds]]",
            [("name", format!("{:?}", seed.name))]
                .into_iter()
                .chain((!one).then(|| {
                    (
                        "content",
                        format!("{:?}", s.contents[seed.content as usize].name),
                    )
                }))
                .chain([
                    ("count", seed.count.to_string()),
                    ("upload", format!("{} each", rate_text(seed.upload_bps))),
                    (
                        "super_seeding",
                        if seed.super_seeding {
                            "true (BEP 16: shows each peer one piece at a time)".to_string()
                        } else {
                            "false".to_string()
                        },
                    ),
                ])
                .collect(),
        );
    }
    for class in &s.classes {
        section(
            "[[classes]]",
            vec![
                ("name", format!("{:?}", class.name)),
                ("share", short_float(class.share, 6)),
                ("upload", rate_text(class.upload_bps)),
                ("download", rate_text(class.download_bps)),
                (
                    "cap_sigma",
                    if class.cap_sigma > 0.0 {
                        format!(
                            "{} (lognormal spread, clipped to ÷/× {})",
                            short_float(class.cap_sigma, 4),
                            short_float(class.cap_clip, 4)
                        )
                    } else {
                        "0 (every peer has exactly these caps)".to_string()
                    },
                ),
                (
                    "always_on",
                    if class.always_on {
                        "true (never switches off: [sessions] does not apply)".to_string()
                    } else {
                        "false".to_string()
                    },
                ),
            ],
        );
    }
    if one {
        section("[arrivals]", arrivals_rows(&s.contents[0].arrivals));
    } else {
        for c in &s.contents {
            section("[[contents]]", content_rows(c, false));
            section("[contents.arrivals]", arrivals_rows(&c.arrivals));
        }
    }

    let mut out = String::new();
    for (title, rows) in sections {
        let indent = if title.is_empty() {
            ""
        } else {
            let _ = writeln!(out, "{title}");
            "  "
        };
        for (key, value) in rows {
            let _ = writeln!(
                out,
                "{indent}{key:<width$}{value}",
                width = 23 - indent.len()
            );
        }
    }
    out
}

/// The `[content]` / `[[contents]]` rows of `describe` (`one`: the scenario has one content,
/// whose policy is shown under `[client]`).
fn content_rows(c: &ContentSpec, one: bool) -> Vec<(&'static str, String)> {
    let pieces = c.piece_count();
    let last = c.piece_bytes(pieces.saturating_sub(1));
    let mut piece_line = format!("{} → {pieces} pieces", size_text(c.piece_size_bytes));
    if last != c.piece_size_bytes {
        let _ = write!(piece_line, ", the last one {}", size_text(last));
    }
    let mut rows = Vec::new();
    if !one {
        rows.push(("name", format!("{:?}", c.name)));
    }
    rows.push(("size", size_text(c.size_bytes)));
    rows.push(("piece_size", piece_line));
    if !one || c.release != SimTime::ZERO {
        rows.push((
            "release",
            format!(
                "{} (arrival windows count from here)",
                SimDuration(c.release.as_us())
            ),
        ));
    }
    if !one {
        rows.push(("policy", policy_text(&c.policy)));
        rows.push((
            "share",
            match c.demand_share {
                Some(x) => format!("{} of the demand in [arrivals]", short_float(x, 4)),
                None => "arrivals of its own".to_string(),
            },
        ));
    }
    rows
}

/// A policy and what it does, in words.
fn policy_text(p: &PolicySpec) -> String {
    match p.kind {
        Policy::WebSeed => "web-seed (origin and peers at once, BEP 19; the origin takes a piece \
                             whenever peers cannot deliver one sooner)"
            .to_string(),
        Policy::PeersFirst => {
            "peers-first (the origin only for pieces no unchoking peer has, see peer_wait)"
                .to_string()
        }
        Policy::Fallback => "fallback (the origin only for pieces no neighbour has)".to_string(),
        Policy::RateTarget => format!(
            "rate-target (the origin tops peers up to {})",
            fmt_rate(p.rate_target_bps as f64)
        ),
        Policy::HttpFirst if p.http_first_pieces > 0 => format!(
            "http-first (the first {} pieces from the origin, then fallback)",
            p.http_first_pieces
        ),
        Policy::HttpFirst => format!(
            "http-first (the first {} on the origin, then fallback)",
            p.http_first_time
        ),
        Policy::HttpOnly => "http-only (origin only, no peers)".to_string(),
    }
}

/// The `[arrivals]` rows of `describe`: the process, its parameters and the expected count.
fn arrivals_rows(a: &Arrivals) -> Vec<(&'static str, String)> {
    let expected = format!(
        "about {} arrivals expected",
        short_float(expected_count(a), 1)
    );
    let per_min = |rate_per_s: f64| {
        format!(
            "{}/min ({}/s)",
            short_float(rate_per_s * 60.0, 4),
            short_float(rate_per_s, 6)
        )
    };
    let window = |start: SimTime, until: SimTime| {
        [
            ("start", SimDuration(start.as_us()).to_string()),
            ("until", SimDuration(until.as_us()).to_string()),
        ]
    };
    match a {
        &Arrivals::FlashCrowd { peers, at } => vec![
            ("process", "flash-crowd".to_string()),
            ("peers", peers.to_string()),
            ("at", SimDuration(at.as_us()).to_string()),
        ],
        &Arrivals::Poisson {
            rate_per_s,
            start,
            until,
        } => {
            let mut rows = vec![
                ("process", "poisson".to_string()),
                ("rate", format!("{}, {expected}", per_min(rate_per_s))),
            ];
            rows.extend(window(start, until));
            rows
        }
        &Arrivals::Decaying {
            initial_rate_per_s,
            tau,
            start,
            until,
        } => {
            // τ·ln 2, to the second (to the millisecond below a minute).
            let half_life_us = tau.as_us() as f64 * std::f64::consts::LN_2;
            let grain = if half_life_us >= 60e6 { 1e6 } else { 1e3 };
            let half_life = SimDuration(((half_life_us / grain).round() * grain) as u64);
            let mut rows = vec![
                (
                    "process",
                    "decaying (rate × e^(−(t − start)/tau))".to_string(),
                ),
                (
                    "tau",
                    format!("{tau} (the rate falls by e every tau; half-life {half_life})"),
                ),
                (
                    "rate",
                    format!("{} at start, {expected}", per_min(initial_rate_per_s)),
                ),
            ];
            rows.extend(window(start, until));
            rows
        }
        Arrivals::Diurnal {
            mean_rate_per_s,
            weights,
            utc_offset_hours,
            start,
            until,
        } => {
            let mean = weights.iter().sum::<f64>() / 24.0;
            let peak = (0..24).fold(
                0,
                |best, h| if weights[h] > weights[best] { h } else { best },
            );
            let listed: Vec<String> = weights.iter().map(|&w| short_float(w, 4)).collect();
            let local_minutes = ((utc_offset_hours * 60.0).round() as i64).rem_euclid(24 * 60);
            let mut rows = vec![
                ("process", "diurnal".to_string()),
                (
                    "weights",
                    format!(
                        "[{}] (local hours 00 to 23; peak {peak:02}:00 at {}× the mean rate)",
                        listed.join(", "),
                        short_float(weights[peak] / mean, 2)
                    ),
                ),
                (
                    "utc_offset_hours",
                    format!(
                        "{} (t = 0 is 00:00 UTC, {:02}:{:02} local time)",
                        short_float(*utc_offset_hours, 4),
                        local_minutes / 60,
                        local_minutes % 60
                    ),
                ),
                (
                    "rate",
                    format!(
                        "{} averaged over a day, {expected}",
                        per_min(*mean_rate_per_s)
                    ),
                ),
            ];
            rows.extend(window(*start, *until));
            rows
        }
        Arrivals::Trace { times } => {
            let first = times.first().map_or(0, |t| t.as_us());
            let last = times.last().map_or(0, |t| t.as_us());
            vec![
                ("process", "trace".to_string()),
                (
                    "file",
                    format!(
                        "{} arrivals from {} to {} (read at load time)",
                        times.len(),
                        SimDuration(first),
                        SimDuration(last)
                    ),
                ),
            ]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The smallest valid scenario: every other key takes its default.
    const MINIMAL: &str = r#"
[content]
size = "100MB"

[[seeds]]
upload = "10Mbps"

[[classes]]
name = "dsl"
share = 1
upload = "1Mbps"
download = "8Mbps"

[arrivals]
process = "flash-crowd"
peers = 10
"#;

    fn load(text: &str) -> Result<Scenario, ScenarioError> {
        load_str(text, "x.toml", "x", &[])
    }

    fn err(text: &str) -> String {
        load(text).unwrap_err().to_string()
    }

    fn with_sets(text: &str, sets: &[&str]) -> Result<Scenario, String> {
        let overrides: Vec<Override> = sets
            .iter()
            .map(|s| Override::parse(s))
            .collect::<Result<_, _>>()
            .map_err(|e| e.to_string())?;
        load_str(text, "x.toml", "x", &overrides).map_err(|e| e.to_string())
    }

    fn set_err(text: &str, sets: &[&str]) -> String {
        with_sets(text, sets).unwrap_err()
    }

    /// MINIMAL with a second class, for paths like `classes[1].share`.
    fn two_classes() -> String {
        MINIMAL.replace("share = 1\n", "share = 0.5\n")
            + r#"
[[classes]]
name = "ftth"
share = 0.5
upload = "30Mbps"
download = "30Mbps"
"#
    }

    #[test]
    fn minimal_file_resolves_with_every_default() {
        let s = load(MINIMAL).unwrap();
        assert_eq!(s.name, "x");
        assert_eq!(s.seed, 1);
        assert_eq!(s.max_time, SimDuration::from_secs(30 * 86_400));
        assert_eq!(s.sample_interval, SimDuration::from_secs(60));
        assert!(!s.check_invariants);
        assert_eq!(
            s.contents,
            vec![ContentSpec {
                name: "x".into(),
                size_bytes: 100_000_000,
                piece_size_bytes: 262_144,
                release: SimTime::ZERO,
                policy: PolicySpec::plain(Policy::WebSeed),
                arrivals: Arrivals::FlashCrowd {
                    peers: 10,
                    at: SimTime::ZERO
                },
                demand_share: Some(1.0),
            }]
        );
        assert_eq!(s.network.latency, SimDuration::from_millis(25));
        assert_eq!(
            s.origin,
            OriginSpec {
                capacity_bps: 0,
                per_connection_bps: u64::MAX,
                requests_per_client: 1,
                pricing: Pricing::default(),
            }
        );
        assert_eq!(
            s.tracker,
            TrackerSpec {
                numwant: 50,
                announce_interval: SimDuration::from_secs(1_800)
            }
        );
        assert_eq!(
            s.protocol,
            ProtocolSpec {
                upload_slots: 4,
                optimistic_slots: 1,
                rechoke_interval: SimDuration::from_secs(10),
                optimistic_interval: SimDuration::from_secs(30),
                max_connections: 80,
                min_peers: 20,
                random_first_pieces: 4,
                endgame: true,
                seed_choking: SeedChoking::Mainline,
            }
        );
        assert_eq!(
            s.client,
            ClientSpec {
                seed_time: SeedTime::Fixed(SimDuration::ZERO),
                seed_upload_bps: u64::MAX,
                abort_rate_per_s: 0.0,
                peer_wait: None,
                restart_share: 0.0,
                restart_after: SeedTime::Exponential(DEFAULT_RESTART_AFTER),
                restart_resumes: false,
            }
        );
        assert_eq!(
            s.seeds,
            vec![SeedGroup {
                name: "seed-0".into(),
                content: 0,
                count: 1,
                upload_bps: 10_000_000,
                super_seeding: false,
            }]
        );
        assert_eq!(
            s.classes,
            vec![PeerClass {
                name: "dsl".into(),
                share: 1.0,
                upload_bps: 1_000_000,
                download_bps: 8_000_000,
                cap_sigma: 0.0,
                cap_clip: DEFAULT_CAP_CLIP,
                always_on: false,
            }]
        );
    }

    #[test]
    fn origin_table_defaults() {
        let text = format!("{MINIMAL}\n[origin]\ncapacity = \"100Mbps\"\n");
        let s = load(&text).unwrap();
        assert_eq!(s.origin.capacity_bps, 100_000_000);
        assert_eq!(s.origin.per_connection_bps, u64::MAX);
        assert_eq!(s.origin.requests_per_client, 1);
        let text = text + "per_connection = \"unlimited\"\nrequests_per_client = 3\n";
        let s = load(&text).unwrap();
        assert_eq!(s.origin.per_connection_bps, u64::MAX);
        assert_eq!(s.origin.requests_per_client, 3);
    }

    #[test]
    fn shipped_scenarios_load() {
        let quickstart = include_str!("../../../scenarios/quickstart.toml");
        let s = load_str(quickstart, "quickstart.toml", "ignored", &[]).unwrap();
        assert_eq!(s.name, "quickstart");
        assert_eq!(s.contents[0].size_bytes, 50_000_000);
        assert_eq!(s.contents[0].piece_size_bytes, 256 * 1024);
        assert_eq!(s.origin.capacity_bps, 100_000_000);
        assert_eq!(s.origin.per_connection_bps, 10_000_000);
        assert_eq!(s.seeds[0].upload_bps, 20_000_000);
        assert_eq!(s.classes.len(), 3);
        assert_eq!(
            s.client.seed_time,
            SeedTime::Fixed(SimDuration::from_secs(120))
        );
        assert_eq!(
            s.contents[0].arrivals,
            Arrivals::FlashCrowd {
                peers: 300,
                at: SimTime::ZERO
            }
        );

        let flash = include_str!("../../../scenarios/flash-crowd.toml");
        let s = load_str(flash, "flash-crowd.toml", "ignored", &[]).unwrap();
        assert_eq!(s.contents[0].size_bytes, 300_000_000);
        assert_eq!(s.contents[0].piece_size_bytes, 1 << 20);
        assert_eq!(s.origin.capacity_bps, 200_000_000);
        assert_eq!(s.origin.per_connection_bps, 20_000_000);
        assert_eq!(s.seeds[0].upload_bps, 100_000_000);
        assert_eq!(
            s.client.seed_time,
            SeedTime::Exponential(SimDuration::from_secs(300))
        );
        assert!(matches!(
            s.contents[0].arrivals,
            Arrivals::FlashCrowd { peers: 1000, .. }
        ));

        let poisson = include_str!("../../../scenarios/poisson-steady.toml");
        let s = load_str(poisson, "poisson-steady.toml", "ignored", &[]).unwrap();
        assert_eq!(s.contents[0].piece_size_bytes, 512 * 1024);
        assert_eq!(s.origin.capacity_bps, 50_000_000);
        let Arrivals::Poisson {
            rate_per_s,
            start,
            until,
        } = s.contents[0].arrivals
        else {
            panic!(
                "expected Poisson arrivals, got {:?}",
                s.contents[0].arrivals
            );
        };
        assert!((rate_per_s - 2.0 / 60.0).abs() < 1e-12);
        assert_eq!(start, SimTime::ZERO);
        assert_eq!(until, SimTime(6 * 3_600 * 1_000_000));

        let bench = include_str!("../../../scenarios/bench/simgrid-w.toml");
        let s = load_str(bench, "simgrid-w.toml", "ignored", &[]).unwrap();
        assert_eq!(s.contents[0].piece_count(), 16);
        assert_eq!(s.origin.capacity_bps, 0);
        assert_eq!(s.seeds[0].upload_bps, 80_000_000);
        assert_eq!(s.classes[0].upload_bps, 8_000_000);
        assert_eq!(s.classes[0].download_bps, 40_000_000);
        assert_eq!(s.network.latency, SimDuration::from_millis(5));
        assert_eq!(s.client.seed_time, SeedTime::Forever);
        assert!(matches!(
            s.contents[0].arrivals,
            Arrivals::FlashCrowd { peers: 1000, .. }
        ));
    }

    #[test]
    fn unknown_key_names_file_line_path_and_the_valid_keys() {
        let text = format!("{MINIMAL}\n[protocol]\nupload_slots = 4\nupload_slot = 3\n");
        let line = text
            .lines()
            .position(|l| l.starts_with("upload_slot "))
            .unwrap()
            + 1;
        assert_eq!(
            err(&text),
            format!(
                "x.toml:{line}: protocol.upload_slot: unknown key; expected one of \
                 upload_slots, optimistic_slots, rechoke_interval, optimistic_interval, \
                 max_connections, min_peers, random_first_pieces, endgame, seed_choking \
                 (did you mean upload_slots?)"
            )
        );
        let e = err(&format!("speed = 3\n{MINIMAL}"));
        assert!(
            e.starts_with("x.toml:1: speed: unknown key; expected one of name, "),
            "{e}"
        );
        let e = err(&MINIMAL.replace("[[seeds]]\n", "[[seeds]]\ncolor = \"red\"\n"));
        assert!(
            e.starts_with("x.toml:6: seeds[0].color: unknown key;"),
            "{e}"
        );
        let e = err(&format!(
            "{MINIMAL}\n[network]\nlatency = \"5ms\"\nloss = 0.1\n"
        ));
        assert!(
            e.contains(": network.loss: unknown key; expected one of latency, time_quantum, fairness_tolerance"),
            "{e}"
        );
        let e = err(&MINIMAL.replace("peers = 10", "peers = 10\nrates = \"2/min\""));
        assert!(
            e.contains("arrivals.rates: unknown key; expected one of process, peers"),
            "{e}"
        );
        assert!(e.contains("(did you mean rate?)"), "{e}");
    }

    #[test]
    fn bad_value_names_file_line_path_and_what_was_expected() {
        let text = two_classes().replace("upload = \"30Mbps\"", "upload = \"8\"");
        let line = text.lines().position(|l| l == "upload = \"8\"").unwrap() + 1;
        assert_eq!(
            err(&text),
            format!(
                "x.toml:{line}: classes[1].upload: expected a rate with a unit, \
                 e.g. \"8Mbps\" or \"10MB/s\", got \"8\""
            )
        );
        let e = err(&MINIMAL.replace("\"100MB\"", "\"100\""));
        assert_eq!(
            e,
            "x.toml:3: content.size: expected a size with a unit, e.g. \"414MB\" or \"256KiB\", got \"100\""
        );
        let e = err(&MINIMAL.replace("\"100MB\"", "100"));
        assert!(e.ends_with("got 100"), "{e}");
        let e = err(&MINIMAL.replace("peers = 10", "peers = -1"));
        assert!(
            e.contains("arrivals.peers: expected a whole number from 0 to 4294967295, got -1"),
            "{e}"
        );
        let e = err(&format!("{MINIMAL}\n[client]\nseed_time = \"sometimes\"\n"));
        assert!(
            e.contains("client.seed_time: expected a duration such as \"10min\""),
            "{e}"
        );
        let e = err(&format!("{MINIMAL}\n[client]\npolicy = \"p2p\"\n"));
        assert!(
            e.contains("client.policy: expected one of \"web-seed\", \"peers-first\", \"fallback\", \"rate-target\", \"http-first\", \"http-only\", got \"p2p\""),
            "{e}"
        );
        let e = err(&format!("{MINIMAL}\n[simulation]\ncheck_invariants = 1\n"));
        assert!(
            e.contains("simulation.check_invariants: expected true or false, got 1"),
            "{e}"
        );
        let e = err(&format!("network = {{ latency = \"fast\" }}\n{MINIMAL}"));
        assert!(
            e.contains("network.latency: expected a duration with a unit"),
            "{e}"
        );
    }

    #[test]
    fn wrong_shape_of_table() {
        let e = err(&MINIMAL.replace("[content]\nsize = \"100MB\"", "content = 5"));
        assert_eq!(e, "x.toml:2: content: expected a table, got 5");
        let e = err(&MINIMAL.replace("[content]", "[[content]]"));
        assert!(e.contains("content: expected a table, got an array"), "{e}");
        let e = err(&format!(
            "classes = 5\n{}",
            MINIMAL.replace("[[classes]]", "[other]")
        ));
        assert!(e.starts_with("x.toml:1: "), "{e}");
    }

    #[test]
    fn syntax_errors_have_a_line() {
        let e = err("[content]\nsize = \"100MB\"\npiece_size = \n");
        assert!(e.starts_with("x.toml:3: TOML syntax error: "), "{e}");
        let e = err("[content]\nsize = \"1MB\"\nsize = \"2MB\"\n");
        assert!(e.starts_with("x.toml:3: TOML syntax error: "), "{e}");
        assert!(e.contains("duplicate key"), "{e}");
        let e = err("[content]\nsize = 1MB # the file\n");
        assert!(e.starts_with("x.toml:2: TOML syntax error: "), "{e}");
        assert!(
            e.ends_with("(values with units are written in quotes: size = \"1MB\")"),
            "{e}"
        );
        let e = err("[content]\nsize = 1979-05-27\n");
        assert!(!e.contains("quotes"), "{e}");
        let e = err("[content\n");
        assert!(e.starts_with("x.toml:1: TOML syntax error: "), "{e}");
        assert!(!e.contains('\n'), "{e}");
    }

    #[test]
    fn missing_keys_name_their_path_and_the_enclosing_line() {
        let e = err(&MINIMAL.replace("size = \"100MB\"", "piece_size = \"1MiB\""));
        assert_eq!(
            e,
            "x.toml:2: content.size: missing; expected a size with a unit, e.g. \"414MB\" or \"256KiB\""
        );
        let e = err(&MINIMAL.replace("[content]\nsize = \"100MB\"", ""));
        assert!(
            e.starts_with("x.toml: content: missing table; expected [content]"),
            "{e}"
        );
        let e = err(&MINIMAL.replace("download = \"8Mbps\"", ""));
        assert!(
            e.starts_with("x.toml:8: classes[0].download: missing; expected a rate"),
            "{e}"
        );
        let e = err(&MINIMAL.replace("process = \"flash-crowd\"\n", ""));
        assert!(
            e.starts_with("x.toml:14: arrivals.process: missing; expected \"flash-crowd\""),
            "{e}"
        );
        let e = err(&MINIMAL.replace("peers = 10", ""));
        assert!(e.contains("arrivals.peers: missing"), "{e}");
        let e = err(&format!(
            "{MINIMAL}\n[origin]\nper_connection = \"1Mbps\"\n"
        ));
        assert!(
            e.contains("origin.capacity: missing; expected a rate"),
            "{e}"
        );
        assert!(e.contains("\"0\" means no origin"), "{e}");
        let head = MINIMAL.split("[[classes]]").next().unwrap();
        let e = err(&format!(
            "{head}[arrivals]\nprocess = \"flash-crowd\"\npeers = 1\n"
        ));
        assert!(
            e.starts_with("x.toml: classes: expected at least one [[classes]]"),
            "{e}"
        );
        let e = err(MINIMAL.split("[arrivals]").next().unwrap());
        assert!(e.starts_with("x.toml: arrivals: missing table"), "{e}");
    }

    #[test]
    fn shares_must_sum_to_one() {
        let text = two_classes().replace(
            "share = 0.5\nupload = \"30Mbps\"",
            "share = 0.4\nupload = \"30Mbps\"",
        );
        let line = text.lines().position(|l| l == "[[classes]]").unwrap() + 1;
        assert_eq!(
            err(&text),
            format!("x.toml:{line}: classes: shares must sum to 1, got 0.9 (dsl 0.5 + ftth 0.4)")
        );
        // Within 1e-6 is fine: 0.37 + 0.49 + 0.14 is not exactly 1 in binary.
        assert!(load(&two_classes().replace("0.5", "0.5000001")).is_ok());
        for bad in ["0", "-0.5", "1.5", "nan"] {
            let e = err(&MINIMAL.replace("share = 1", &format!("share = {bad}")));
            assert!(e.contains("classes[0].share: expected "), "{bad}: {e}");
        }
    }

    #[test]
    fn cross_field_rules() {
        let cases = [
            (
                "[protocol]\nupload_slots = 0",
                "protocol.upload_slots: expected at least 1, got 0",
            ),
            (
                "[protocol]\nmax_connections = 0",
                "protocol.max_connections: expected at least 1",
            ),
            (
                "[protocol]\nmax_connections = 10",
                "protocol.min_peers: expected at most max_connections (10), got 20",
            ),
            (
                "[protocol]\nrechoke_interval = \"0s\"",
                "protocol.rechoke_interval: expected a duration above zero",
            ),
            (
                "[tracker]\nnumwant = 0",
                "tracker.numwant: expected at least 1",
            ),
            (
                "[simulation]\nsample_interval = \"0s\"",
                "simulation.sample_interval: expected a duration above zero",
            ),
            (
                "[simulation]\nmax_time = \"0ms\"",
                "simulation.max_time: expected a duration above zero",
            ),
            (
                "[client]\npolicy = \"http-only\"",
                "client.policy: policy \"http-only\" fetches from the origin only",
            ),
            (
                "[origin]\ncapacity = \"10Mbps\"\nrequests_per_client = 0",
                "origin.requests_per_client: expected at least 1",
            ),
        ];
        for (extra, expected) in cases {
            let e = err(&format!("{MINIMAL}\n{extra}\n"));
            assert!(e.contains(expected), "{extra}: {e}");
            assert!(e.starts_with("x.toml:"), "{e}");
            // The line is the offending key's (or, for defaults, its table's).
            let line: usize = e["x.toml:".len()..]
                .split(':')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            assert!(line > MINIMAL.lines().count(), "{extra}: {e}");
        }
        let e = err(&MINIMAL.replace("\"100MB\"", "\"0MB\""));
        assert_eq!(
            e,
            "x.toml:3: content.size: expected a size above zero, e.g. \"100MB\""
        );
        let e = err(&MINIMAL.replace("\"100MB\"", "\"100MB\"\npiece_size = \"0B\""));
        assert!(
            e.contains("content.piece_size: expected a size above zero"),
            "{e}"
        );
        let e = err(&MINIMAL.replace("\"100MB\"", "\"10TB\"\npiece_size = \"1B\""));
        assert!(
            e.contains("content.piece_size: 10000000000000 pieces is too many"),
            "{e}"
        );
        let e = err(&MINIMAL.replace("download = \"8Mbps\"", "download = \"0\""));
        assert!(
            e.contains("classes[0].download: expected a rate above zero"),
            "{e}"
        );
        let e = err(&MINIMAL.replace("upload = \"10Mbps\"", "upload = \"10Mbps\"\ncount = 0"));
        assert!(
            e.contains("seeds[0].count: expected at least 1, got 0"),
            "{e}"
        );
        let e = err(&format!(
            "{MINIMAL}[[seeds]]\nname = \"seed-0\"\nupload = \"1Mbps\"\n"
        ));
        assert!(
            e.contains("seeds[1].name: duplicate seed group name \"seed-0\""),
            "{e}"
        );
        let e = err(&two_classes().replace("\"ftth\"", "\"dsl\""));
        assert!(
            e.contains("classes[1].name: duplicate class name \"dsl\" (also classes[0])"),
            "{e}"
        );
        // A seed that uploads nothing, or an origin of capacity 0, holds nothing for others.
        let e = err(&MINIMAL.replace("upload = \"10Mbps\"", "upload = \"0\""));
        assert_eq!(
            e,
            "x.toml:5: seeds: nobody holds the content: add [[seeds]] or an [origin]"
        );
        let no_seeds = MINIMAL.replace("[[seeds]]\nupload = \"10Mbps\"\n", "");
        let e = err(&no_seeds);
        assert_eq!(
            e,
            "x.toml: seeds: nobody holds the content: add [[seeds]] or an [origin]"
        );
        let with_origin = format!("{no_seeds}\n[origin]\ncapacity = \"0\"\n");
        let line = with_origin
            .lines()
            .position(|l| l == "capacity = \"0\"")
            .unwrap()
            + 1;
        assert_eq!(
            err(&with_origin),
            format!("x.toml:{line}: seeds: nobody holds the content: add [[seeds]] or an [origin]")
        );
        assert!(load(&format!("{no_seeds}\n[origin]\ncapacity = \"1Gbps\"\n")).is_ok());
        let e = err(&format!(
            "{no_seeds}\n[origin]\ncapacity = \"1Gbps\"\nper_connection = \"0\"\n"
        ));
        assert!(
            e.contains("origin.per_connection: expected a rate above zero or \"unlimited\""),
            "{e}"
        );
    }

    const POISSON: &str = "[arrivals]\nprocess = \"poisson\"\n";

    fn with_arrivals(arrivals: &str) -> String {
        let head = MINIMAL.split("[arrivals]").next().unwrap();
        format!("{head}{arrivals}")
    }

    #[test]
    fn poisson_arrivals() {
        let s = load(&with_arrivals(&format!(
            "{POISSON}rate = \"2/min\"\nuntil = \"2h\"\n"
        )))
        .unwrap();
        assert_eq!(
            s.contents[0].arrivals,
            Arrivals::Poisson {
                rate_per_s: 2.0 / 60.0,
                start: SimTime::ZERO,
                until: SimTime(7_200_000_000)
            }
        );
        // count is the expected total in the window: 168 over 1 h.
        let text = format!("{POISSON}count = 168\nstart = \"1h\"\nuntil = \"2h\"\n");
        let s = load(&with_arrivals(&text)).unwrap();
        let Arrivals::Poisson {
            rate_per_s, start, ..
        } = s.contents[0].arrivals
        else {
            panic!("{:?}", s.contents[0].arrivals)
        };
        assert!((rate_per_s - 168.0 / 3_600.0).abs() < 1e-12);
        assert_eq!(start, SimTime(3_600_000_000));

        let cases = [
            ("rate = \"2/min\"", "arrivals.until: missing; expected the end of the arrival window"),
            ("until = \"2h\"", "arrivals.rate: missing; expected an arrival rate"),
            (
                "rate = \"2/min\"\ncount = 5\nuntil = \"2h\"",
                "arrivals.count: give either rate or count, not both",
            ),
            ("rate = \"0/s\"\nuntil = \"2h\"", "arrivals.rate: expected a rate above zero"),
            ("count = 0\nuntil = \"2h\"", "arrivals.count: expected a count above zero, got 0"),
            (
                "rate = \"1/s\"\nstart = \"2h\"\nuntil = \"1h\"",
                "arrivals.until: expected a time after start (2h), got 1h",
            ),
            (
                "rate = \"1/s\"\nuntil = \"0s\"",
                "arrivals.until: expected a time after start (0s), got 0s",
            ),
            (
                "rate = \"1/s\"\nuntil = \"1h\"\npeers = 3",
                "arrivals.peers: not a key of process \"poisson\"; its keys are process, rate or count, start, until",
            ),
            (
                "rate = \"2\"\nuntil = \"1h\"",
                "arrivals.rate: expected an arrival rate per time unit, e.g. \"2/min\" or \"0.5/s\", got \"2\"",
            ),
        ];
        for (keys, expected) in cases {
            let e = err(&with_arrivals(&format!("{POISSON}{keys}\n")));
            assert!(e.contains(expected), "{keys}: {e}");
            assert!(e.starts_with("x.toml:1"), "{keys}: {e}");
        }
        let e = err(&MINIMAL.replace("peers = 10", "peers = 10\nuntil = \"1h\""));
        let expected =
            "arrivals.until: not a key of process \"flash-crowd\"; its keys are process, peers, at";
        assert!(e.contains(expected), "{e}");
        let s = load(&MINIMAL.replace("peers = 10", "peers = 10\nat = \"5min\"")).unwrap();
        assert_eq!(
            s.contents[0].arrivals,
            Arrivals::FlashCrowd {
                peers: 10,
                at: SimTime(300_000_000)
            }
        );
    }

    #[test]
    fn override_parsing() {
        let o = Override::parse("protocol.upload_slots=6").unwrap();
        assert_eq!(
            o,
            Override {
                path: "protocol.upload_slots".into(),
                value: "6".into()
            }
        );
        let o = Override::parse(" content.size = 1GB ").unwrap();
        assert_eq!(
            o,
            Override {
                path: "content.size".into(),
                value: "1GB".into()
            }
        );
        assert_eq!(Override::parse("name=a=b").unwrap().value, "a=b");
        assert!(Override::parse("classes[1].share=0.5").is_ok());
        assert_eq!(
            Override::parse("protocol.upload_slots").unwrap_err().to_string(),
            "--set protocol.upload_slots: expected KEY=VALUE, e.g. protocol.upload_slots=6 or content.size=1GB"
        );
        assert_eq!(
            Override::parse("=3").unwrap_err().to_string(),
            "--set =3: empty key path; expected e.g. protocol.upload_slots=6"
        );
        for bad in [
            "a..b=1",
            ".a=1",
            "a.=1",
            "a b=1",
            "classes[x].share=1",
            "classes[0.share=1",
            "classes[99999999999999999999999].x=1",
        ] {
            let e = Override::parse(bad).unwrap_err().to_string();
            assert!(e.starts_with(&format!("--set {bad}: bad key path")), "{e}");
        }
    }

    #[test]
    fn overrides_apply() {
        let text = two_classes();
        let s = with_sets(
            &text,
            &[
                "protocol.upload_slots=6",
                "content.size=1GB",
                "classes.0.share=0.25",
                "classes[1].share=0.75",
                "name=renamed",
                "simulation.check_invariants=true",
                "client.seed_time=exp(5min)",
                "network.latency=\"5ms\"",
                "origin.capacity=100Mbps",
                "origin.per_connection=unlimited",
            ],
        )
        .unwrap();
        assert_eq!(s.protocol.upload_slots, 6);
        assert_eq!(s.contents[0].size_bytes, 1_000_000_000);
        assert_eq!(s.classes[0].share, 0.25);
        assert_eq!(s.classes[1].share, 0.75);
        assert_eq!(s.name, "renamed");
        assert!(s.check_invariants);
        assert_eq!(
            s.client.seed_time,
            SeedTime::Exponential(SimDuration::from_secs(300))
        );
        assert_eq!(s.network.latency, SimDuration::from_millis(5));
        assert_eq!(s.origin.capacity_bps, 100_000_000);
        // Later overrides win; an arrivals change of process works with all its keys.
        let s = with_sets(
            MINIMAL,
            &[
                "protocol.upload_slots=6",
                "protocol.upload_slots=2",
                "origin.capacity=0",
            ],
        )
        .unwrap();
        assert_eq!(s.protocol.upload_slots, 2);
        // The CLI's --seed passes any u64; beyond TOML's integers it arrives as a string.
        let s = with_sets(MINIMAL, &["simulation.seed=18446744073709551615"]).unwrap();
        assert_eq!(s.seed, u64::MAX);
        assert_eq!(s.origin.capacity_bps, 0);
        // Inline tables and plain arrays are reachable too.
        let inline = MINIMAL.replace(
            "[content]\nsize = \"100MB\"",
            "content = { size = \"1MB\" }",
        );
        let s = with_sets(&inline, &["content.piece_size=16KiB"]).unwrap();
        assert_eq!(s.contents[0].piece_size_bytes, 16 * 1024);
    }

    #[test]
    fn override_errors_name_the_assignment() {
        assert_eq!(
            set_err(MINIMAL, &["protocol.upload_slotz=3"]),
            "--set protocol.upload_slotz=3: unknown key; expected one of upload_slots, \
             optimistic_slots, rechoke_interval, optimistic_interval, max_connections, \
             min_peers, random_first_pieces, endgame, seed_choking (did you mean upload_slots?)"
        );
        assert_eq!(
            set_err(MINIMAL, &["content.size=abc"]),
            "--set content.size=abc: expected a size with a unit, e.g. \"414MB\" or \"256KiB\", got \"abc\""
        );
        assert_eq!(
            set_err(MINIMAL, &["content.size=100"]),
            "--set content.size=100: expected a size with a unit, e.g. \"414MB\" or \"256KiB\", got 100"
        );
        assert_eq!(
            set_err(MINIMAL, &["protocol.upload_slots=0"]),
            "--set protocol.upload_slots=0: expected at least 1, got 0"
        );
        assert_eq!(
            set_err(MINIMAL, &["nothing.here=1"]),
            "--set nothing.here=1: nothing: unknown key; expected one of name, simulation, \
             content, contents, network, origin, tracker, protocol, client, seeds, classes, audience, sessions, arrivals"
        );
        assert_eq!(
            set_err(MINIMAL, &["classes.3.share=0.5"]),
            "--set classes.3.share=0.5: classes has 1 entry (index 0): it has no entry 3"
        );
        assert_eq!(
            set_err(&two_classes(), &["classes.2.share=0.5"]),
            "--set classes.2.share=0.5: classes has 2 entries (indices 0 to 1): it has no entry 2"
        );
        assert_eq!(
            set_err(MINIMAL, &["classes.name=x"]),
            "--set classes.name=x: classes is an array of tables: expected an index, e.g. classes.0.<key>"
        );
        assert_eq!(
            set_err(MINIMAL, &["classes.0=x"]),
            "--set classes.0=x: classes[0] is a whole table: set one of its keys, e.g. classes.0.name"
        );
        assert_eq!(
            set_err(MINIMAL, &["content.size.unit=MB"]),
            "--set content.size.unit=MB: content.size is a value, not a table"
        );
        assert_eq!(
            set_err(MINIMAL, &["content.0=1"]),
            "--set content.0=1: content is a table, not an array: it has no entry 0"
        );
        assert_eq!(
            set_err(
                MINIMAL.split("[[seeds]]").next().unwrap(),
                &["seeds.0.upload=1Mbps"]
            ),
            "--set seeds.0.upload=1Mbps: seeds is not in the scenario, so it has no entry 0"
        );
        // A value that breaks a cross-field rule blames the override, naming the key.
        assert_eq!(
            set_err(&two_classes(), &["classes.0.share=0.2"]),
            "--set classes.0.share=0.2: classes: shares must sum to 1, got 0.7 (dsl 0.2 + ftth 0.5)"
        );
        assert_eq!(
            set_err(MINIMAL, &["protocol.max_connections=5"]),
            "--set protocol.max_connections=5: protocol.min_peers: expected at most max_connections (5), got 20"
        );
        assert_eq!(
            set_err(MINIMAL, &["arrivals.process=poisson"]),
            "--set arrivals.process=poisson: arrivals.peers: not a key of process \"poisson\"; \
             its keys are process, rate or count, start, until"
        );
        assert_eq!(
            set_err(MINIMAL, &["seeds.0.upload=0"]),
            "--set seeds.0.upload=0: seeds: nobody holds the content: add [[seeds]] or an [origin]"
        );
        // Replacing a table by a value is a type error of that key.
        assert_eq!(
            set_err(MINIMAL, &["protocol=3"]),
            "--set protocol=3: expected a table, got 3"
        );
        // The file must be clean before overrides apply: its own error is reported.
        let bad = MINIMAL.replace("\"100MB\"", "\"100\"");
        assert!(set_err(&bad, &["content.size=1GB"]).starts_with("x.toml:3: content.size:"));
        // A rule broken by the file itself, untouched by the override, blames the file.
        let e = set_err(
            &MINIMAL.replace("share = 1", "share = 0.5"),
            &["protocol.upload_slots=6"],
        );
        assert!(
            e.starts_with("x.toml:8: classes: shares must sum to 1"),
            "{e}"
        );
        // ... unless the override fixes it.
        assert!(with_sets(
            &MINIMAL.replace("share = 1", "share = 0.5"),
            &["classes.0.share=1"]
        )
        .is_ok());
    }

    #[test]
    fn load_file_reads_names_and_reports_io_errors() {
        let dir = std::env::temp_dir().join(format!("swarmsim-load-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("my-scenario.toml");
        std::fs::write(&path, MINIMAL).unwrap();
        let s = load_file(&path, &[]).unwrap();
        assert_eq!(s.name, "my-scenario");
        std::fs::write(&path, MINIMAL.replace("peers = 10", "peers = \"ten\"")).unwrap();
        let e = load_file(&path, &[]).unwrap_err().to_string();
        assert!(
            e.starts_with(&format!(
                "{}:16: arrivals.peers: expected a whole number",
                path.display()
            )),
            "{e}"
        );
        let missing = dir.join("absent.toml");
        let e = load_file(&missing, &[]).unwrap_err();
        assert!(matches!(e, ScenarioError::Read { .. }));
        assert!(e.to_string().starts_with(&format!(
            "{}: cannot read the scenario file: ",
            missing.display()
        )));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn describe_shows_every_resolved_key_with_units() {
        let quickstart = include_str!("../../../scenarios/quickstart.toml");
        let s = load_str(quickstart, "quickstart.toml", "q", &[]).unwrap();
        let text = describe(&s);
        for expected in [
            "name                   \"quickstart\"",
            "[content]",
            "  size                 50 MB (50000000 bytes)",
            "  piece_size           262.1 kB (262144 bytes) → 191 pieces, the last one 192.6 kB (192640 bytes)",
            "  capacity             100.0 Mbps (100000000 bit/s)",
            "  per_connection       10.0 Mbps (10000000 bit/s)",
            "  upload_slots         4",
            "  seed_time            2min after completion",
            "  share                0.37",
            "  process              flash-crowd",
            "  peers                300",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in\n{text}");
        }
        let poisson = include_str!("../../../scenarios/poisson-steady.toml");
        let text = describe(&load_str(poisson, "p.toml", "p", &[]).unwrap());
        assert!(
            text.contains("  rate                 2/min (0.033333/s), about 720 arrivals expected"),
            "{text}"
        );
        assert!(text.contains("  until                6h"), "{text}");
        assert!(
            text.contains("  seed_time            exp(10min): exponential, mean 10min"),
            "{text}"
        );
        let bench = include_str!("../../../scenarios/bench/simgrid-w.toml");
        let text = describe(&load_str(bench, "b.toml", "b", &[]).unwrap());
        assert!(
            text.contains("[origin]\n  capacity             0 (no origin)\n"),
            "{text}"
        );
        assert!(
            text.contains("  seed_time            forever (never leave)\n"),
            "{text}"
        );
        let no_seeds = MINIMAL.replace("[[seeds]]\nupload = \"10Mbps\"\n", "");
        let text = describe(&load(&format!("{no_seeds}\n[origin]\ncapacity = \"1Gbps\"")).unwrap());
        assert!(
            text.contains("  per_connection       unlimited\n"),
            "{text}"
        );
        assert!(
            text.contains("[[seeds]]\n  count                0 (no initial seed)\n"),
            "{text}"
        );
    }

    /// Every prefix of a file, every file with one byte removed or replaced, and a batch of
    /// odd overrides: errors, never a panic.
    #[test]
    fn nothing_panics() {
        let text = include_str!("../../../scenarios/quickstart.toml");
        let bytes = text.as_bytes();
        let step = 7;
        for i in (0..bytes.len()).step_by(step) {
            let _ = load(&String::from_utf8_lossy(&bytes[..i]));
            let mut cut = bytes.to_vec();
            cut.remove(i);
            let _ = load(&String::from_utf8_lossy(&cut));
            for replacement in [b'[', b'"', b'=', b'0', b'\n', b'.', b'{'] {
                let mut changed = bytes.to_vec();
                changed[i] = replacement;
                let _ = load(&String::from_utf8_lossy(&changed));
            }
        }
        for set in [
            "a=1",
            "a.b.c.d=1",
            "classes.0.share.x=1",
            "classes.99=1",
            "seeds.0.name.x=1",
            "content=[1,2]",
            "classes=[]",
            "classes.0.share=nan",
            "classes.0.share=inf",
            "arrivals.process=poisson",
            "arrivals={process=\"poisson\"}",
            "name=",
            "name=\"\"",
            "origin.capacity=-1",
            "simulation.seed=-1",
            "simulation.seed=1979-05-27",
            "simulation.max_time=99999999999999999999w",
            "content.piece_size=1B",
            "network={latency=\"5ms\"}",
            "network.latency.x.y=1",
            "tracker={}",
            "tracker.numwant=[1]",
        ] {
            let _ = with_sets(text, &[set]);
            let _ = with_sets(MINIMAL, &[set, "content.size.x=1"]);
        }
        // Arrays reachable by index: replacing an element and walking into an inline table.
        let inline = format!("{MINIMAL}\n[extra]\nlist = [1, {{ a = 1 }}]\n");
        let _ = with_sets(
            &inline,
            &[
                "extra.list.0=2",
                "extra.list.1.a=2",
                "extra.list.1.b.c=2",
                "extra.list.5=1",
            ],
        );
    }
}
