//! Trace files: recorded arrival instants, optionally with the content each one asked for,
//! read at load time so the resolved scenario is self-contained.

use std::path::Path;

use super::error::Invalid;
use super::limits::{
    read_text_capped, HORIZON_TEXT, MAX_ARRIVALS_PER_RUN, MAX_HORIZON, MAX_TRACE_FILE_BYTES,
};
use crate::time::{SimTime, US_PER_S};

/// A trace file as read.
#[derive(Debug)]
pub(super) struct TraceFile {
    /// The arrivals, sorted by time.
    pub rows: Vec<TraceRow>,
    /// Every line names its content (else none does).
    pub named: bool,
    /// The file as shown in errors.
    pub file: String,
}

/// One line of a trace that names contents.
#[derive(Debug)]
pub(super) struct TraceRow {
    /// Arrival instant.
    pub at: SimTime,
    /// Content named on the line.
    pub content: Option<String>,
    /// 1-based line number in the file.
    pub line: usize,
}

/// A trace file: one arrival per line, `time` or `time,content`, the time in seconds
/// since the start of the simulation (a number ≥ 0), the optional second column naming the
/// content asked for; an optional header line (`time_s` or `time_s,content`); blank lines
/// ignored; sorted ascending by time (ties allowed); either every line names a content or
/// none does. A relative `file` is joined to `dir` (or read from the current directory when
/// `dir` is `None`). Each time is rounded to the nearest microsecond. `key` is the path of
/// the `file` key, for errors.
pub(super) fn read_trace(file: &str, dir: Option<&Path>, key: &str) -> Result<TraceFile, Invalid> {
    let path = match dir {
        Some(dir) => dir.join(file),
        None => Path::new(file).to_path_buf(),
    };
    let shown = path.display();
    let text = read_text_capped(&path, MAX_TRACE_FILE_BYTES, "a trace")
        .map_err(|e| Invalid::new(key, format!("cannot read the trace {shown}: {e}")))?;
    // As for durations: below the horizon, far from u64::MAX, so time arithmetic has room.
    let max_s = (MAX_HORIZON.as_us() / US_PER_S) as f64;
    let mut rows: Vec<TraceRow> = Vec::new();
    let mut named: Option<bool> = None;
    let mut previous: Option<(&str, usize)> = None;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty()
            || (rows.is_empty()
                && previous.is_none()
                && matches!(line, "time_s" | "time_s,content"))
        {
            continue;
        }
        let at = |why: String| Invalid::new(key, format!("{shown}:{}: {why}", i + 1));
        let (field, content) = match line.split_once(',') {
            None => (line, None),
            Some((t, c)) => {
                let c = c.trim();
                if c.is_empty() || c.contains(',') {
                    return Err(at(format!(
                        "expected `time` or `time,content` (a content name without commas), \
                         got {line:?}"
                    )));
                }
                (t.trim(), Some(c.to_string()))
            }
        };
        if *named.get_or_insert(content.is_some()) != content.is_some() {
            return Err(at(format!(
                "every line must name a content, or none: got {line:?} after lines {}",
                if content.is_some() {
                    "without one"
                } else {
                    "with one"
                }
            )));
        }
        let secs = field
            .parse::<f64>()
            .ok()
            // NaN and a spelt-out infinity are not times; 1e400 is a time beyond the horizon.
            .filter(|x| !x.is_nan() && !field.to_ascii_lowercase().contains("inf"))
            .ok_or_else(|| {
                at(format!(
                    "expected a time in seconds since the start (a number ≥ 0, e.g. 12.5), \
                     got {field:?}"
                ))
            })?;
        if secs < 0.0 {
            return Err(at(format!(
                "expected a time in seconds since the start, ≥ 0, got {field:?} (negative)"
            )));
        }
        if secs > max_s {
            return Err(at(format!(
                "time {field} s is beyond the longest simulated time, {HORIZON_TEXT} = \
                 {max_s} s (scenarios/README.md#bounds)"
            )));
        }
        if rows.len() as u64 >= MAX_ARRIVALS_PER_RUN {
            return Err(at(format!(
                "more than {MAX_ARRIVALS_PER_RUN} arrivals, the most one run may have \
                 (scenarios/README.md#bounds)"
            )));
        }
        let t = SimTime((secs * 1e6).round() as u64);
        if let (Some(last), Some((last_text, last_line))) = (rows.last(), previous) {
            if t < last.at {
                return Err(at(format!(
                    "timestamps must be sorted ascending: {field} comes after {last_text} \
                     (line {last_line})"
                )));
            }
        }
        previous = Some((field, i + 1));
        rows.push(TraceRow {
            at: t,
            content,
            line: i + 1,
        });
    }
    if rows.is_empty() {
        return Err(Invalid::new(
            key,
            format!("{shown}: no timestamps; expected one arrival time in seconds per line"),
        ));
    }
    Ok(TraceFile {
        rows,
        named: named == Some(true),
        file: shown.to_string(),
    })
}
