//! The server's layering, checked on its source (ARCHITECTURE.md, "X knows
//! nothing of Y"): the domain knows nothing of HTTP, and no two of the
//! server's rooms (top-level modules) import each other, directly or round
//! a loop. A new `use` that breaks either fails here with the path to fix.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The room a source file belongs to: its top-level module.
fn room(file: &Path) -> String {
    let rel = file.strip_prefix(src()).unwrap();
    let first = rel.components().next().unwrap().as_os_str();
    first.to_string_lossy().trim_end_matches(".rs").to_owned()
}

/// Code without comments (doc comments name other modules in links).
fn code(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The rooms a file's code names through `crate::room`.
fn uses(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            out.insert(name);
        }
    }
    out
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    sources(&src(), &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let from = room(&file);
        if from == "main" || from == "lib" {
            continue;
        }
        let text = code(&fs::read_to_string(&file).unwrap());
        let entry = graph.entry(from.clone()).or_default();
        for to in uses(&text) {
            if to != from {
                entry.insert(to);
            }
        }
    }
    graph
}

#[test]
fn the_domain_knows_nothing_of_http() {
    // The transport: the router and handlers, the server that wires them,
    // and the accept loop that hands requests to the router.
    let transport = ["http", "serve"];
    let mut files = Vec::new();
    sources(&src(), &mut files);
    let mut offenders = Vec::new();
    for file in files {
        let r = room(&file);
        // The accept loop hands requests to the router; the metrics
        // listener serves `/metrics` (plain HTTP, its own port).
        if transport.contains(&r.as_str())
            || file.ends_with("access/connections.rs")
            || file.ends_with("metrics/mod.rs")
        {
            continue;
        }
        let text = code(&fs::read_to_string(&file).unwrap());
        for word in ["crate::http", "axum", "hyper", "StatusCode"] {
            if text.contains(word) {
                offenders.push(format!("{} names {word}", file.display()));
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:#?}");
}

/// The two loops that remain, on purpose (ARCHITECTURE.md): `error` is the
/// crate's error type, which wraps the failures of the rooms it reports
/// (store, PKI, data directory, evidence) while those rooms return it; and
/// `datadir` is the data directory, whose `init` assembles every room's
/// files (PKI, store, checkpoint key) while every room finds its files
/// through it. Every other room is in one order.
const HUBS: [&str; 2] = ["error", "datadir"];

#[test]
fn no_two_rooms_import_each_other() {
    let mut graph = graph();
    graph.retain(|k, _| !HUBS.contains(&k.as_str()));
    for edges in graph.values_mut() {
        edges.retain(|e| !HUBS.contains(&e.as_str()));
    }
    // Depth-first search for a back edge, reporting the loop it closes.
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
        loops: &mut Vec<String>,
    ) {
        if let Some(i) = path.iter().position(|p| p == node) {
            let mut cycle = path[i..].to_vec();
            cycle.push(node.to_owned());
            loops.push(cycle.join(" → "));
            return;
        }
        if done.contains(node) {
            return;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            visit(next, graph, path, done, loops);
        }
        path.pop();
        done.insert(node.to_owned());
    }
    let mut loops = Vec::new();
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        visit(node, &graph, &mut Vec::new(), &mut done, &mut loops);
    }
    assert!(
        loops.is_empty(),
        "import loops between rooms: {loops:#?}\n{graph:#?}"
    );
}

#[test]
fn the_engine_is_its_own_crate() {
    // The engine's modules live in padron-consulta, not here.
    for gone in ["matching", "names", "registry", "consulta.rs", "workbook"] {
        assert!(!src().join(gone).exists(), "server/src/{gone} is back");
    }
}
