//! The HTML around the charts: one self-contained page (inline CSS and SVG, no script, no
//! fetched resource), numbered figures with captions, and tables.

use std::fmt::Write as _;

/// `text` escaped for HTML and SVG text and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Inline style of the page.
const STYLE: &str = "body{font-family:sans-serif;max-width:820px;margin:24px auto;padding:0 12px;\
color:#222;background:#fff}h1{font-size:22px}h2{font-size:18px;margin-top:32px;\
border-bottom:1px solid #ccc}figure{margin:16px 0}svg.chart{max-width:100%;height:auto}\
figcaption{font-size:13px;color:#444}table{border-collapse:collapse;font-size:13px;margin:8px 0}\
td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}td:first-child,th:first-child\
{text-align:left}th{background:#f2f2f2}p.note{font-size:13px;color:#555}\
div.wide{overflow-x:auto}";

/// A page being written: sections, figures (numbered in order) and tables.
pub struct Page {
    body: String,
    figures: usize,
    /// What every caption ends with: scenario, seed(s), version.
    provenance: String,
}

impl Page {
    /// A page whose every figure caption ends with `provenance`.
    pub fn new(provenance: &str) -> Page {
        Page {
            body: String::new(),
            figures: 0,
            provenance: provenance.to_string(),
        }
    }

    /// A top heading and a paragraph under it.
    pub fn title(&mut self, title: &str, lead: &str) {
        let _ = write!(self.body, "<h1>{}</h1><p>{}</p>", esc(title), esc(lead));
    }

    /// A section heading.
    pub fn section(&mut self, title: &str) {
        let _ = write!(self.body, "<h2>{}</h2>", esc(title));
    }

    /// A short paragraph of plain text.
    pub fn note(&mut self, text: &str) {
        let _ = write!(self.body, "<p class=\"note\">{}</p>", esc(text));
    }

    /// A figure: `svg` (from [`super::svg`]), then a caption that says what it shows
    /// (`title`, `description`) and where it comes from.
    pub fn figure(&mut self, svg: &str, title: &str, description: &str) {
        self.figures += 1;
        let _ = write!(
            self.body,
            "<figure>{svg}<figcaption><b>Figure {}. {}.</b> {} {}</figcaption></figure>",
            self.figures,
            esc(title),
            esc(description),
            esc(&self.provenance)
        );
    }

    /// A table: a header row and rows of text cells.
    pub fn table(&mut self, header: &[&str], rows: &[Vec<String>]) {
        self.body.push_str("<div class=\"wide\"><table><tr>");
        for h in header {
            let _ = write!(self.body, "<th>{}</th>", esc(h));
        }
        self.body.push_str("</tr>");
        for row in rows {
            self.body.push_str("<tr>");
            for cell in row {
                let _ = write!(self.body, "<td>{}</td>", esc(cell));
            }
            self.body.push_str("</tr>");
        }
        self.body.push_str("</table></div>");
    }

    /// The whole HTML document, titled `title`.
    pub fn finish(self, title: &str) -> String {
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{}</title><style>{STYLE}</style></head><body>{}\
             <p class=\"note\">Made by swarmsim report: one self-contained file, no script, \
             nothing fetched.</p></body></html>\n",
            esc(title),
            self.body
        )
    }
}

/// A rate for people: `850 kbps`, `12.5 Mbps`, `1.20 Gbps`.
pub fn rate_text(bps: f64) -> String {
    if bps >= 1e9 {
        format!("{:.2} Gbps", bps / 1e9)
    } else if bps >= 1e6 {
        format!("{:.1} Mbps", bps / 1e6)
    } else {
        format!("{:.0} kbps", bps / 1e3)
    }
}

/// Bytes for people, in decimal units: `414 MB`, `9.08 GB`, `1.20 TB`.
pub fn bytes_text(bytes: f64) -> String {
    if bytes >= 1e12 {
        format!("{:.2} TB", bytes / 1e12)
    } else if bytes >= 1e9 {
        format!("{:.2} GB", bytes / 1e9)
    } else if bytes >= 1e6 {
        format!("{:.1} MB", bytes / 1e6)
    } else {
        format!("{:.0} kB", bytes / 1e3)
    }
}

/// A duration for people: seconds below ten minutes, then minutes, hours, days.
pub fn secs_text(s: f64) -> String {
    if s < 600.0 {
        format!("{s:.1} s")
    } else if s < 3.0 * 3600.0 {
        format!("{:.1} min", s / 60.0)
    } else if s < 3.0 * 86_400.0 {
        format!("{:.1} h", s / 3600.0)
    } else {
        format!("{:.1} days", s / 86_400.0)
    }
}

/// A display unit for times up to `max_s` seconds: (name, seconds per unit).
pub fn time_unit(max_s: f64) -> (&'static str, f64) {
    if max_s <= 900.0 {
        ("s", 1.0)
    } else if max_s <= 2.0 * 3600.0 {
        ("min", 60.0)
    } else if max_s <= 3.0 * 86_400.0 {
        ("h", 3600.0)
    } else {
        ("days", 86_400.0)
    }
}

/// An amount of money with its currency when the results name one.
pub fn money_text(amount: f64, currency: Option<&str>) -> String {
    // Cents, or four decimals below one unit (a small run's bill).
    let digits = if amount.abs() < 1.0 && amount != 0.0 {
        4
    } else {
        2
    };
    match currency {
        Some(c) => format!("{amount:.digits$} {c}"),
        None => format!("{amount:.digits$}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_units_read_well() {
        assert_eq!(
            esc("<a href='x'>&\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;"
        );
        assert_eq!(rate_text(199_932_383.0), "199.9 Mbps");
        assert_eq!(rate_text(1.2e9), "1.20 Gbps");
        assert_eq!(bytes_text(9_078_241_656.0), "9.08 GB");
        assert_eq!(secs_text(276.55), "276.6 s");
        assert_eq!(secs_text(7200.0), "120.0 min");
        assert_eq!(time_unit(3000.0), ("min", 60.0));
        assert_eq!(money_text(12.345, Some("USD")), "12.35 USD");
        assert_eq!(money_text(0.012345, None), "0.0123");
        let mut p = Page::new("Scenario q, seed 1, swarmsim 0.1.0.");
        p.figure("<svg></svg>", "T", "D.");
        p.figure("<svg></svg>", "U", "E.");
        let html = p.finish("x");
        assert!(html.contains("Figure 2. U.</b> E. Scenario q, seed 1, swarmsim 0.1.0."));
        assert!(!html.contains("http"), "the page fetches nothing");
    }
}
