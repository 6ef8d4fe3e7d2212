//! The native command line over the same core as the page: `uplift generate | fit | evaluate | simulate`.

use std::fs::File;
use std::io::BufWriter;
use std::process::ExitCode;

use uplift_simulator::data::generate::{write_demo, DemoParams};
use uplift_simulator::{Error, Result};

const USAGE: &str = "\
uplift — causal-ML campaign simulator (native command line)

USAGE:
  uplift generate --rows N --seed S --out DATA.csv [--truth TRUTH.csv]
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("uplift: {e}");
            ExitCode::from(1)
        }
    }
}

fn run(args: &[String]) -> Result<()> {
    let Some((cmd, rest)) = args.split_first() else {
        print!("{USAGE}");
        return Ok(());
    };
    let opts = Opts::parse(rest)?;
    match cmd.as_str() {
        "generate" => generate(&opts),
        "-h" | "--help" | "help" => {
            print!("{USAGE}");
            Ok(())
        }
        other => Err(usage_error(format!("unknown command “{other}”"))),
    }
}

fn generate(o: &Opts) -> Result<()> {
    let params = DemoParams {
        rows: o.parsed("--rows")?.unwrap_or(200_000),
        seed: o.parsed("--seed")?.unwrap_or(42),
    };
    let out = o.required("--out")?;
    let mut data = BufWriter::new(create(out)?);
    let mut truth = o
        .get("--truth")
        .map(create)
        .transpose()?
        .map(BufWriter::new);
    write_demo(&params, &mut data, truth.as_mut())?;
    Ok(())
}

fn create(path: &str) -> Result<File> {
    File::create(path).map_err(|e| Error::Io {
        path: path.to_string(),
        detail: e.to_string(),
    })
}

fn usage_error(what: String) -> Error {
    Error::Usage {
        detail: format!("{what}\n\n{USAGE}"),
    }
}

/// `--name value` pairs (a name may repeat) and bare positional arguments.
struct Opts {
    pairs: Vec<(String, String)>,
    positional: Vec<String>,
}

impl Opts {
    fn parse(args: &[String]) -> Result<Self> {
        let mut pairs = Vec::new();
        let mut positional = Vec::new();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            if let Some(stripped) = a.strip_prefix("--") {
                if let Some((k, v)) = stripped.split_once('=') {
                    pairs.push((format!("--{k}"), v.to_string()));
                } else {
                    let v = it
                        .next()
                        .ok_or_else(|| usage_error(format!("option {a} needs a value")))?;
                    pairs.push((a.clone(), v.clone()));
                }
            } else {
                positional.push(a.clone());
            }
        }
        Ok(Self { pairs, positional })
    }
    fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    fn required(&self, name: &str) -> Result<&str> {
        self.get(name)
            .ok_or_else(|| usage_error(format!("missing {name}")))
    }
    fn parsed<T: std::str::FromStr>(&self, name: &str) -> Result<Option<T>> {
        self.get(name)
            .map(|v| {
                v.parse()
                    .map_err(|_| usage_error(format!("{name} expects a number, got “{v}”")))
            })
            .transpose()
    }
}
