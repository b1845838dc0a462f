//! The `mmoe` command line: its JSON summary, the loss curve file, and exit code 2 with
//! a clear message for bad flags.

use std::process::Command;

fn mmoe(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_mmoe"))
        .args(args)
        .output()
        .expect("runs mmoe")
}

#[test]
fn train_prints_a_json_summary_and_writes_the_curve() {
    let dir = std::env::temp_dir().join(format!("mmoe-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let curve = dir.join("curve.csv");
    let out = mmoe(&[
        "train",
        "--model",
        "mmoe",
        "--data",
        "ple",
        "--lr",
        "0.01",
        "--eval-every",
        "50",
        "--correlation",
        "0.9",
        "--steps",
        "150",
        "--seed",
        "3",
        "--train-samples",
        "2000",
        "--test-samples",
        "300",
        "-q",
        "--curve",
        curve.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("stdout is one JSON object");
    assert_eq!(json["model"], "mmoe");
    assert_eq!(json["correlation"], 0.9);
    assert_eq!(json["steps"], 150);
    let pearson = json["label_pearson"].as_f64().unwrap();
    assert!(pearson > 0.5 && pearson < 1.0, "{pearson}");
    for key in ["train_loss", "test_loss", "gate_entropy"] {
        assert_eq!(json[key].as_array().unwrap().len(), 2, "{key}");
    }
    // A healthy run: the diagnosis names no cause.
    assert!(
        json["diagnosis"]["cause"].is_null(),
        "{}",
        json["diagnosis"]
    );
    assert_eq!(json["diagnosis"]["rows"], 300);
    let gates = json["gates"].as_array().unwrap();
    assert_eq!(gates.len(), 2);
    for task in gates {
        let weights: Vec<f64> = task
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w.as_f64().unwrap())
            .collect();
        assert_eq!(weights.len(), 8);
        assert!((weights.iter().sum::<f64>() - 1.0).abs() < 1e-4);
    }
    assert!(json["steps_per_sec"].as_f64().unwrap() > 0.0);

    let text = std::fs::read_to_string(&curve).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "step,train_loss_1,train_loss_2,test_loss_1,test_loss_2"
    );
    assert_eq!(lines.len(), 151);
    let last: Vec<f64> = lines[150].split(',').map(|v| v.parse().unwrap()).collect();
    assert_eq!(last[0], 150.0);
    // Test losses every --eval-every steps, and the last one is the summary's.
    assert!(lines[49].ends_with(",,") && !lines[50].ends_with(",,"));
    assert!((last[3] - json["test_loss"][0].as_f64().unwrap()).abs() < 1e-12);
    // The summary's train loss is the mean of the last 100 rows of the curve.
    let mean: f64 = lines[51..]
        .iter()
        .map(|l| l.split(',').nth(1).unwrap().parse::<f64>().unwrap())
        .sum::<f64>()
        / 100.0;
    assert!((mean - json["train_loss"][0].as_f64().unwrap()).abs() < 1e-12);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn shared_bottom_has_no_gates_and_binary_tasks_report_auc() {
    let out = mmoe(&[
        "train",
        "--model",
        "sb",
        "--data",
        "ple",
        "--lr",
        "0.01",
        "--steps",
        "50",
        "--task2",
        "binary",
        "--train-samples",
        "1000",
        "--test-samples",
        "200",
        "-q",
    ]);
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json.get("gates").is_none());
    assert!(json["test_auc"][0].is_null());
    assert!(json["test_auc"][1].as_f64().unwrap() > 0.5);
}

#[test]
fn bad_flags_exit_with_code_2_and_name_every_problem() {
    let out = mmoe(&[
        "train",
        "--experts",
        "0",
        "--lr",
        "NaN",
        "--correlation",
        "1.5",
        "--tower-units",
        "2.5",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    for expected in [
        "experts: 0 is out of range 1..=64",
        "lr: NaN is not a finite number",
        "correlation: 1.5 is out of range -1..=1",
        "tower_units: 2.5 is not a whole number",
    ] {
        assert!(err.contains(expected), "missing '{expected}' in:\n{err}");
    }
    assert!(out.stdout.is_empty());

    let out = mmoe(&["train", "--model", "moe"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid value 'moe'"));

    let out = mmoe(&["train", "--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn sweep_writes_results_and_four_figures() {
    let dir = std::env::temp_dir().join(format!("mmoe-sweep-{}", std::process::id()));
    let out = mmoe(&[
        "sweep",
        "--models",
        "sb,mmoe",
        "--correlations",
        "1,0.1",
        "--seeds",
        "2",
        "--steps",
        "60",
        "--train-samples",
        "500",
        "--test-samples",
        "100",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = std::fs::read_to_string(dir.join("results.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 2 * 2 * 2, "{csv}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("results.json")).unwrap()).unwrap();
    assert!(json.is_object());
    let pngs = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "png")
        })
        .count();
    assert_eq!(pngs, 4);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("| sb − mmoe | 0.1 |"), "{stdout}");

    // --redraw: the figures and the same summary again from results.json, no training.
    for e in std::fs::read_dir(&dir).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_some_and(|x| x == "png") {
            std::fs::remove_file(path).unwrap();
        }
    }
    let again = mmoe(&["sweep", "--redraw", dir.to_str().unwrap()]);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&again.stdout), stdout);
    assert!(dir.join("fig4_loss_curves.png").exists());
    std::fs::remove_dir_all(&dir).unwrap();
    let missing = mmoe(&["sweep", "--redraw", dir.to_str().unwrap()]);
    assert_eq!(missing.status.code(), Some(1));

    let out = mmoe(&["sweep", "--correlations", "0.5,7", "--models", "mmoe"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("'7' is not a number in -1..=1"));
}

#[test]
fn every_sweep_cell_equals_its_solo_train_run_bit_for_bit() {
    // The sweep trains each seed's cells together (the replica engine); `mmoe train`
    // trains one alone. Same numbers: final train loss, test loss and gate weights.
    let dir = std::env::temp_dir().join(format!("mmoe-sweep-solo-{}", std::process::id()));
    let common = [
        "--seed",
        "5",
        "--train-samples",
        "600",
        "--test-samples",
        "250",
        "--task2",
        "binary",
        "--gate-dropout",
        "0.2",
    ];
    let mut args = vec![
        "sweep",
        "--models",
        "sb,omoe,mmoe,cgc",
        "--correlations",
        "0.7,-0.3",
        "--seeds",
        "1",
        "--first-seed",
        "5",
        "--steps",
        "130",
        "--out",
        dir.to_str().unwrap(),
    ];
    args.extend(&common[2..]);
    let out = mmoe(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("results.json")).unwrap()).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let cells = results["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 8);
    let floats = |v: &serde_json::Value| -> Vec<f64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect()
    };
    for cell in cells {
        let model = cell["model"].as_str().unwrap();
        let p = cell["correlation"].as_f64().unwrap().to_string();
        let mut args = vec!["train", "-q", "--model", model, "--correlation", &p];
        args.extend(["--steps", "130"]);
        args.extend(&common);
        let solo = mmoe(&args);
        assert!(
            solo.status.success(),
            "{}",
            String::from_utf8_lossy(&solo.stderr)
        );
        let solo: serde_json::Value = serde_json::from_slice(&solo.stdout).unwrap();
        for key in ["train_loss", "test_loss"] {
            assert_eq!(
                floats(&cell[key]),
                floats(&solo[key]),
                "{model} p={p} {key}"
            );
        }
        let gates: Vec<Vec<f32>> = cell["gate_weights"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| floats(row).into_iter().map(|v| v as f32).collect())
            .collect();
        let solo_gates: Vec<Vec<f32>> = solo["gates"].as_array().map_or_else(Vec::new, |rows| {
            rows.iter()
                .map(|row| floats(row).into_iter().map(|v| v as f32).collect())
                .collect()
        });
        assert_eq!(gates, solo_gates, "{model} p={p} gates");
    }
}

/// The census data: `mmoe census-data` converts raw UCI rows into the compact file, and
/// `mmoe train --data census1` on the committed file prints test and validation AUC and
/// the split's label correlation (the paper's |r| = 0.1768).
#[test]
fn census_data_converts_and_trains_with_auc() {
    let dir = std::env::temp_dir().join(format!("mmoe-census-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let row = |age: u32, edu: &str, marital: &str, rich: bool| {
        let mut f: Vec<String> = (0..42).map(|_| "Not in universe".to_string()).collect();
        for j in [0, 5, 16, 17, 18, 24, 30, 39] {
            f[j] = "0".into();
        }
        f[0] = age.to_string();
        f[4] = edu.into();
        f[7] = marital.into();
        f[41] = if rich { "50000+." } else { "- 50000." }.into();
        f.join(", ")
    };
    let train = [
        row(40, "Bachelors degree(BA AB BS)", "Divorced", true),
        row(20, "Children", "Never married", false),
    ]
    .join("\n");
    std::fs::write(dir.join("train.csv"), &train).unwrap();
    std::fs::write(
        dir.join("test.csv"),
        row(30, "10th grade", "Never married", false),
    )
    .unwrap();
    let out = dir.join("c.bin.gz");
    let arg = |p: &std::path::Path| p.to_str().unwrap().to_string();
    let (train_path, test_path, out_path) = (
        arg(&dir.join("train.csv")),
        arg(&dir.join("test.csv")),
        arg(&out),
    );
    let o = mmoe(&[
        "census-data",
        "--train",
        &train_path,
        "--test",
        &test_path,
        "--out",
        &out_path,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("2 training and 1 test rows, 41 columns"));
    let bytes = std::fs::read(&out).unwrap();
    let mut cut = std::fs::File::create(dir.join("cut.bin.gz")).unwrap();
    std::io::Write::write_all(&mut cut, &bytes[..bytes.len() / 2]).unwrap();
    let o = mmoe(&[
        "train",
        "--data",
        "census1",
        "--steps",
        "5",
        "-q",
        "--census-file",
        &arg(&dir.join("cut.bin.gz")),
    ]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a whole gzip file"));

    let o = mmoe(&[
        "train", "--data", "census1", "--model", "mmoe", "--steps", "400", "-q",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let auc = |k: &str, t: usize| j[k][t].as_f64().unwrap();
    assert!(
        auc("test_auc", 0) > 0.88 && auc("validation_auc", 0) > 0.88,
        "{j}"
    );
    assert!(auc("test_auc", 1) > 0.97, "{j}");
    let r = j["label_pearson"].as_f64().unwrap();
    assert!((r.abs() - 0.1768).abs() < 0.005, "{r}");
    let o = mmoe(&[
        "train", "--data", "census2", "--model", "single", "--steps", "400", "-q",
    ]);
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let education = j["test_auc"][0].as_f64().unwrap();
    assert!(
        education > 0.8 && education < 0.92,
        "education must not leak into the inputs: {j}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Your own CSV on the command line: `mmoe train --csv FILE --labels A,B --kinds ...`
/// trains on it and reports AUC for a binary label; a hostile file is refused.
#[test]
fn train_reads_your_own_csv() {
    let dir = std::env::temp_dir().join(format!("mmoe-csv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut text = String::from("x,colour,spend,bought\n");
    for i in 0..400 {
        let x = (i as f64 * 0.37).sin();
        let bought = if x > 0.0 { "yes" } else { "no" };
        text += &format!(
            "{x:.3},{},{:.3},{bought}\n",
            ["red", "blue"][i % 2],
            2.0 * x + (i % 2) as f64
        );
    }
    let file = dir.join("shop.csv");
    std::fs::write(&file, &text).unwrap();
    let path = file.to_str().unwrap();
    let o = mmoe(&[
        "train",
        "--csv",
        path,
        "--labels",
        "spend,bought",
        "--kinds",
        "regression,binary",
        "--steps",
        "400",
        "-q",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(j["test_auc"][1].as_f64().unwrap() > 0.9, "{j}");
    assert!(j["test_auc"][0].is_null(), "{j}");
    assert_eq!(j["settings"]["source"], "csv");
    std::fs::write(&file, text.replace("red", "=cmd()")).unwrap();
    let o = mmoe(&[
        "train",
        "--csv",
        path,
        "--labels",
        "spend,bought",
        "--steps",
        "5",
        "-q",
    ]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("spreadsheet formula"));
    let o = mmoe(&["sweep", "--source", "csv", "--seeds", "1", "--steps", "1"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_diverging_run_exits_with_code_3_and_its_diagnosis() {
    // Labels a hundred times larger, a huge learning rate and Adam without second-moment
    // averaging: MMoE's loss overflows at step 7 (seed 1), its gates' logits first.
    let out = mmoe(&[
        "train", "--model", "mmoe", "--scale", "100", "--lr", "1", "--beta2", "0", "--steps",
        "100", "--seed", "1", "-q",
    ]);
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("diverged at step 7"), "{stderr}");
    assert!(stderr.contains("cause: \"gate-logits\""), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    let d = &json["diagnosis"];
    assert_eq!(d["cause"], "gate-logits");
    assert_eq!(
        (&d["diverged_at"], &d["onset"]),
        (&json["diverged"]["step"], &json["diverged"]["step"])
    );
    assert_eq!(d["saturated_gates"].as_array().unwrap().len(), 2);
}
