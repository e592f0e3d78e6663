//! `swarmsim report`: the page of a run (with and without a baseline) and of a sweep, what
//! every figure must carry, refusals that write nothing, and the page in a real headless
//! browser (Debian's `chromium`): it loads without a console message and its screenshot is
//! not blank.
//!
//! The browser test needs `chromium` (or the browser named by `SWARMSIM_BROWSER`). Without
//! one it says so and passes, unless `SWARMSIM_REQUIRE_BROWSER=1` (CI sets it), when a
//! missing browser fails the test.

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

/// Two access classes, two contents with prices: every part of a run's page has data.
const SCENARIO: &str = r#"name = "report-test"

[simulation]
seed = 3
max_time = "2h"
sample_interval = "10s"

[network]
latency = "10ms"

[origin]
capacity = "40Mbps"
price_per_mbps_month = 2.0

[[origin.price_tiers]]
price_per_gb = 0.05

[client]
seed_time = "1min"

[arrivals]
process = "poisson"
rate = "20/min"
until = "5min"
zipf_exponent = 0.8

[[contents]]
name = "patch"
size = "4MB"
piece_size = "256KiB"

[[contents]]
name = "video <hd> & \"more\""
size = "8MB"
piece_size = "256KiB"

[[seeds]]
name = "seed"
content = "patch"
count = 1
upload = "20Mbps"

[[classes]]
name = "fibre"
share = 0.5
upload = "20Mbps"
download = "50Mbps"

[[classes]]
name = "adsl"
share = 0.5
upload = "1Mbps"
download = "8Mbps"
"#;

fn swarmsim() -> Command {
    Command::cargo_bin("swarmsim").expect("swarmsim binary")
}

/// A temporary directory holding the scenario, and the result of `swarmsim run` in
/// `run/` (with `extra` arguments).
fn run_into(tmp: &TempDir, out: &str, extra: &[&str]) -> PathBuf {
    let scenario = tmp.path().join("report-test.toml");
    std::fs::write(&scenario, SCENARIO).expect("write scenario");
    let dir = tmp.path().join(out);
    swarmsim()
        .arg("run")
        .arg(&scenario)
        .args(["--quiet", "--out"])
        .arg(&dir)
        .args(extra)
        .assert()
        .success();
    dir
}

fn report(dir: &Path) -> String {
    swarmsim()
        .arg("report")
        .arg(dir)
        .assert()
        .success()
        .stdout(predicate::str::contains("report.html"));
    std::fs::read_to_string(dir.join("report.html")).expect("report.html written")
}

/// What every page must be: one file that fetches nothing and runs nothing, every
/// figure captioned with `provenance` and every chart titled, with axis titles.
fn check_page(html: &str, provenance: &str) {
    assert!(html.starts_with("<!DOCTYPE html>"));
    for banned in [
        "<script", "http://", "https://", "src=", "href=", "@import", "url(",
    ] {
        assert!(!html.contains(banned), "the page holds `{banned}`");
    }
    let figures = html.matches("<figure>").count();
    assert!(figures >= 1);
    assert_eq!(html.matches("<figcaption>").count(), figures);
    for caption in html.split("<figcaption>").skip(1) {
        let caption = &caption[..caption.find("</figcaption>").expect("closed")];
        assert!(caption.contains("Figure "), "{caption}");
        assert!(
            caption.contains(provenance),
            "caption without {provenance:?}: {caption}"
        );
    }
    for svg in html.split("<svg").skip(1) {
        let svg = &svg[..svg.find("</svg>").expect("closed")];
        assert!(svg.contains("<title>"), "a chart without a title");
        // Axis titles name their unit in parentheses (bar charts: one axis).
        assert!(
            svg.matches(")</text>").count() >= 1,
            "no axis unit: {svg:.200}"
        );
    }
}

#[test]
fn a_runs_page_has_every_figure_with_units_and_provenance() {
    let tmp = TempDir::new().expect("temp dir");
    let dir = run_into(&tmp, "run", &[]);
    let html = report(&dir);
    check_page(&html, "Scenario report-test, seed 3, swarmsim ");
    for title in [
        "Origin traffic over time",
        "Origin and peer traffic over time",
        "The swarm over time",
        "Download times per access class",
        "Offload per content",
        "Origin cost per content",
    ] {
        assert!(html.contains(&format!("<title>{title}</title>")), "{title}");
    }
    for text in [
        "capacity 40.0 Mbps",
        "billed p95 ",
        "simulated time (s)",
        "traffic (Mbps)",
        "fibre (",
        "adsl (",
        // A hostile content name is escaped, never markup.
        "video &lt;hd&gt; &amp; &quot;more&quot;",
        "No baseline",
    ] {
        assert!(html.contains(text), "{text}");
    }
    assert!(!html.contains("<hd>"));
    // Deterministic: the same files give the same page.
    assert_eq!(report(&dir), html);
}

#[test]
fn a_baseline_gives_the_bill_with_and_without_p2p() {
    let tmp = TempDir::new().expect("temp dir");
    let dir = run_into(&tmp, "run", &[]);
    run_into(&tmp, "run/baseline", &["--set", "audience.p2p_share=0"]);
    let html = report(&dir);
    assert!(html.contains("origin without P2P (baseline)"));
    assert!(html.contains("<th>without P2P</th>"));
    assert!(html.contains("Peers save "));
    assert!(!html.contains("No baseline"));
    // The same through --baseline, from anywhere.
    let moved = tmp.path().join("elsewhere");
    std::fs::rename(dir.join("baseline"), &moved).expect("move");
    swarmsim()
        .arg("report")
        .arg(&dir)
        .arg("--baseline")
        .arg(&moved)
        .assert()
        .success();
    let again = std::fs::read_to_string(dir.join("report.html")).expect("report");
    assert!(again.contains("<th>without P2P</th>"));
}

#[test]
fn a_sweeps_page_draws_each_metric_against_each_parameter() {
    let tmp = TempDir::new().expect("temp dir");
    let sweep = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sim-core/tests/sweeps/tiny.toml");
    let dir = tmp.path().join("sweep");
    swarmsim()
        .arg("sweep")
        .arg(&sweep)
        .args(["--quiet", "--jobs", "1", "--out"])
        .arg(&dir)
        .assert()
        .success();
    let html = report(&dir);
    check_page(&html, "Sweep tiny.toml (hash ");
    assert!(html.contains("3 replications per point"));
    for title in [
        "offload_ratio against variant",
        "offload_ratio against origin.capacity",
        "origin_cost_total against origin.capacity",
        "download_time_p90_s against variant",
    ] {
        assert!(html.contains(&format!("<title>{title}</title>")), "{title}");
    }
    // A numeric parameter with a unit: a numeric axis titled with it, and bands.
    assert!(html.contains("origin.capacity (Mbps)</text>"));
    assert!(html.contains("<polygon"));
    assert!(html.contains("<h2>Points</h2>"));
    assert!(html.contains("<td>http-only</td>"));
}

#[test]
fn nothing_to_report_is_an_error_and_writes_nothing() {
    let tmp = TempDir::new().expect("temp dir");
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    swarmsim()
        .arg("report")
        .arg(&empty)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no results to report"));
    swarmsim()
        .arg("report")
        .arg(tmp.path().join("missing"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no such directory"));
    assert_eq!(std::fs::read_dir(&empty).expect("dir").count(), 0);

    // A run whose baseline is not a run.
    let dir = run_into(&tmp, "run", &[]);
    swarmsim()
        .arg("report")
        .arg(&dir)
        .arg("--baseline")
        .arg(&empty)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no summary.json of a run"));
    assert!(!dir.join("report.html").exists());

    // A damaged time series names the file, the row and the cell.
    std::fs::write(
        dir.join("timeseries.csv"),
        "time_s,origin_bytes,peer_bytes,origin_bps,peer_bps,active_leechers,active_seeds,cumulative_offload\n10,1,1,x,1,1,1,0.5\n",
    )
    .expect("write");
    swarmsim()
        .arg("report")
        .arg(&dir)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "timeseries.csv: row 2: `x` is not a number",
        ));
    assert!(!dir.join("report.html").exists());

    // One shard of a sweep: no points.csv yet.
    let sweep = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sim-core/tests/sweeps/tiny.toml");
    let shard = tmp.path().join("shard-1");
    swarmsim()
        .arg("sweep")
        .arg(&sweep)
        .args(["--quiet", "--jobs", "1", "--shard", "1/4", "--out"])
        .arg(&shard)
        .assert()
        .success();
    swarmsim()
        .arg("report")
        .arg(&shard)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("swarmsim merge"));
    assert!(!shard.join("report.html").exists());
}

/// The headless browser: `SWARMSIM_BROWSER`, else `chromium` on the PATH.
fn browser() -> Option<String> {
    if let Ok(b) = std::env::var("SWARMSIM_BROWSER") {
        return Some(b);
    }
    Process::new("chromium")
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|_| "chromium".to_string())
}

/// Loads `page` in the headless browser and returns its console lines and a screenshot
/// (PNG bytes) of the top `height_px` pixels.
fn render(browser: &str, page: &Path, png: &Path, height_px: u32) -> (Vec<String>, Vec<u8>) {
    let out = Process::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--window-size=1000,{height_px}"))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("browser runs");
    assert!(out.status.success(), "{browser} failed: {:?}", out);
    let console = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(String::from)
        .collect();
    (console, std::fs::read(png).expect("screenshot written"))
}

/// Share of the pixels of a PNG that are not (near) white.
fn inked_share(png: &[u8]) -> f64 {
    let decoder = png::Decoder::new(png);
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("a frame");
    let channels = info.color_type.samples();
    let pixels = buf[..info.buffer_size()].chunks(channels);
    let total = (info.width * info.height) as f64;
    let inked = pixels
        .filter(|p| p.iter().take(3).any(|&c| c < 200))
        .count() as f64;
    inked / total
}

#[test]
fn the_page_loads_in_a_headless_browser_and_is_not_blank() {
    let Some(browser) = browser() else {
        assert!(
            std::env::var("SWARMSIM_REQUIRE_BROWSER").as_deref() != Ok("1"),
            "SWARMSIM_REQUIRE_BROWSER=1 but no chromium (install Debian's `chromium`, or set \
             SWARMSIM_BROWSER)"
        );
        eprintln!("skipped: no headless browser (install Debian's `chromium`)");
        return;
    };
    let tmp = TempDir::new().expect("temp dir");
    let dir = run_into(&tmp, "run", &[]);
    report(&dir);
    let (console, png) = render(
        &browser,
        &dir.join("report.html"),
        &tmp.path().join("r.png"),
        1600,
    );
    assert!(console.is_empty(), "console messages: {console:?}");
    let inked = inked_share(&png);
    // Charts, text and tables cover a few percent of a page; a blank or failed page is
    // white (0). 0.5% is far from both.
    assert!(
        inked > 0.005,
        "screenshot nearly blank: {:.4}% inked",
        100.0 * inked
    );

    // The check can fail: a page with a script error is caught, a blank page is blank.
    let bad = tmp.path().join("bad.html");
    std::fs::write(
        &bad,
        "<!DOCTYPE html><html><body><script>undefinedFn();</script></body></html>",
    )
    .expect("write");
    let (console, png) = render(&browser, &bad, &tmp.path().join("bad.png"), 600);
    assert!(!console.is_empty(), "a script error went unnoticed");
    assert!(inked_share(&png) < 0.001);
}
