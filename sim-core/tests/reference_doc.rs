//! `scenarios/README.md` documents every key the loader accepts: for each table, an unknown
//! key makes the loader list the keys it knows, and each of those must appear in the
//! reference as `` `key` `` (or, for a table, as its header: `` `[key]` ``). A key added to the loader without documentation fails here.

use sim_core::scenario::load_str;

/// Every table, as the TOML that opens it (arrays of tables as one entry).
const TABLES: &[&str] = &[
    "",
    "[simulation]",
    "[content]",
    "[[contents]]",
    "[network]",
    "[origin]",
    "[[origin.price_tiers]]",
    "[tracker]",
    "[protocol]",
    "[client]",
    "[[seeds]]",
    "[[classes]]",
    "[audience]",
    "[sessions]",
    "[arrivals]",
    "[content.arrivals]",
];

#[test]
fn the_reference_documents_every_key() {
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/README.md"),
    )
    .expect("scenarios/README.md");
    let mut checked = 0;
    for table in TABLES {
        let text = format!("{table}\nzzz_unknown = 1\n");
        let e = load_str(&text, "doc.toml", "doc", &[])
            .expect_err("an unknown key is an error")
            .to_string();
        let keys = e
            .split("expected one of ")
            .nth(1)
            .unwrap_or_else(|| panic!("{table}: no key list in {e:?}"));
        let keys = keys.split(" (did you mean").next().unwrap();
        for key in keys.split(", ") {
            // A key, or a table documented by its header.
            let documented = [
                format!("`{key}`"),
                format!("`[{key}]`"),
                format!("`[[{key}]]`"),
                format!(".{key}]`"),
                format!(".{key}]]`"),
            ]
            .iter()
            .any(|form| doc.contains(form.as_str()));
            assert!(
                documented,
                "scenarios/README.md does not document `{key}` of {table:?} (loader: {e})"
            );
            checked += 1;
        }
    }
    assert!(checked > 80, "only {checked} keys checked");
}
