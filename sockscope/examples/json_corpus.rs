//! A fixed corpus of synthetic records (every call, random but reproducible arguments and
//! segments: socket addresses of every family, msghdrs, iovecs, cmsgs, mmsghdr vectors,
//! timeouts, socket identities, faults, truncations) rendered as `--json` lines with several
//! option sets. Two builds print the same lines when their JSON is byte-identical:
//! `cargo run --release -p sockscope --example json_corpus [N] > after.jsonl` and diff.
//! `... json_corpus N check` validates every line against the committed schema instead;
//! `... json_corpus N model` compares every line with the one written from the model alone
//! (`json::model_line`, serde_json) and fails at the first difference; `... json_corpus N text`
//! prints the records' text lines instead (time column included), for the same comparison.
use sockscope::{
    record::Record,
    render::{
        json::{self, corpus},
        text,
    },
};

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    let check = std::env::args().nth(2).is_some_and(|a| a == "check");
    let model = std::env::args().nth(2).is_some_and(|a| a == "model");
    let as_text = std::env::args().nth(2).is_some_and(|a| a == "text");
    let mut reference = String::new();
    let validator = check.then(|| {
        let schema: serde_json::Value = serde_json::from_str(json::SCHEMA).unwrap();
        jsonschema::validator_for(&schema).unwrap()
    });
    let mut r = corpus::rng();
    let mut line = String::new();
    let mut out = String::new();
    for i in 0..n {
        let bytes = corpus::record(&mut r);
        let Ok(rec) = Record::parse(&bytes) else {
            continue;
        };
        let opts = corpus::opts(i);
        line.clear();
        if as_text {
            text::line(&mut line, &rec, &opts);
        } else {
            json::write_event(&mut line, &rec, &opts);
        }
        if model {
            reference.clear();
            json::model_line(&mut reference, &rec, &opts);
            if reference != line {
                eprintln!("record {i}: the hot path and the model differ\n{line}\n{reference}");
                std::process::exit(1);
            }
            continue;
        }
        if let Some(v) = &validator {
            let value: serde_json::Value = serde_json::from_str(&line).unwrap();
            let errors: Vec<String> = v.iter_errors(&value).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{errors:?}\n{line}");
            continue;
        }
        out.push_str(&line);
        out.push('\n');
    }
    print!("{out}");
}
