//! The TOML document: `--set` overrides written into it, and every error traced back to a
//! line and a key path through the byte spans `toml_edit` keeps.
//!
//! - A key path (`classes.0.share`, `classes[0].share`) is parsed into steps ([`Override`]),
//!   written into the document ([`apply_override`]) and displayed the way error messages
//!   write it (`classes[0].share`).
//! - A deserialization error carries a byte span: [`locate_de_error`] finds the key path
//!   and line it belongs to and rewords serde's message ("unknown key; expected one of ...
//!   (did you mean ...?)", "expected X, got Y").
//! - A failed rule of the resolve stage names a key path: [`locate_in_table`] finds the
//!   line of that key, or of the nearest enclosing table present in the file.

use std::fmt::Write as _;
use std::ops::Range;

use toml_edit::{DocumentMut, ImDocument, InlineTable, Item, Table, TableLike, Value};

use super::error::ScenarioError;

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
    pub(super) fn error(&self, message: String) -> ScenarioError {
        ScenarioError::Override {
            assignment: format!("{}={}", self.path, self.value),
            message,
        }
    }

    /// The value as TOML: parsed when it is valid TOML, else a string.
    pub(super) fn toml_value(&self) -> Value {
        match self.value.parse::<Value>() {
            Ok(v) => v,
            Err(_) => Value::from(self.value.as_str()),
        }
    }
}

/// One step of a key path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Seg {
    /// A table key.
    Key(String),
    /// An array index, from 0.
    Index(usize),
}

/// Splits `classes.0.share` or `classes[0].share` into steps.
pub(super) fn parse_path(path: &str) -> Result<Vec<Seg>, String> {
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
pub(super) fn display_path(segs: &[Seg]) -> String {
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
pub(super) fn apply_override(
    doc: &mut DocumentMut,
    segs: &[Seg],
    value: Value,
) -> Result<(), String> {
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
pub(super) fn line_of(text: &str, offset: usize) -> usize {
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
pub(super) fn locate_in_table(t: &dyn TableLike, segs: &[Seg]) -> Option<Range<usize>> {
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

/// The name closest to `given` by edit distance (Levenshtein, over characters), when it is
/// close enough to be a typo.
pub(super) fn closest<'a>(given: &str, names: &[&'a str]) -> Option<&'a str> {
    names
        .iter()
        .map(|n| (strsim::levenshtein(given, n), *n))
        .filter(|&(d, n)| d <= 2.max(n.len() / 4))
        .min_by_key(|&(d, _)| d)
        .map(|(_, n)| n)
}

/// A deserialization error of `text`, located: (key path, line, message).
pub(super) fn locate_de_error(text: &str, e: &toml::de::Error) -> (String, Option<usize>, String) {
    let span = e.span();
    let path = match (&span, ImDocument::parse(text)) {
        (Some(span), Ok(doc)) => path_at(doc.as_table(), span),
        _ => None,
    };
    let line = span.map(|s| line_of(text, s.start));
    (path.unwrap_or_default(), line, friendly(e.message()))
}

/// `a` and `b` name the same key, or one lies inside the other.
pub(super) fn paths_overlap(a: &str, b: &str) -> bool {
    let inside = |outer: &str, inner: &str| {
        inner.starts_with(outer) && matches!(inner.as_bytes().get(outer.len()), Some(b'.' | b'['))
    };
    a == b || inside(a, b) || inside(b, a)
}

/// `message`, prefixed with `path` unless it is the key the override assigns.
pub(super) fn about(path: &str, assigned: &str, message: &str) -> String {
    if path.is_empty() || path == assigned {
        message.to_string()
    } else {
        format!("{path}: {message}")
    }
}

/// For `size = 1MB`, a reminder that values with units are strings: `size = "1MB"`.
pub(super) fn quote_hint(line: &str) -> Option<String> {
    let (key, value) = line.split_once('=')?;
    let value = value.split('#').next()?.trim();
    let digits = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
    if digits && value.parse::<i64>().is_err() {
        return Some(format!(
            "TOML integers stop at 9223372036854775807; a larger whole number, such as a \
             seed up to 18446744073709551615, is written in quotes: {} = \"{value}\"",
            key.trim()
        ));
    }
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

/// A multi-line parser message on one line, its lines joined by "; ".
pub(super) fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}
