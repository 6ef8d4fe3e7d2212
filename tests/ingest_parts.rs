//! Reading a file in parts (natively in parallel) must give exactly the table — or the error — of the serial
//! read: same numbers (bit for bit), codes and levels in first-seen order, texts, counts, first text and row
//! lines; same message with the same line. Run over every fixture and hostile file and over cases built to sit
//! on the joins' edges (a column that turns to text in a later part, level limits crossed only together, CRLF,
//! BOM, blank lines, bad rows in a later part).

use uplift_simulator::data::table::{Column, Table};

fn same_column(a: &Column, b: &Column, what: &str) {
    assert_eq!(a.name, b.name, "{what}");
    let bits = |c: &Column| {
        c.numbers
            .as_ref()
            .map(|v| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>())
    };
    assert_eq!(bits(a), bits(b), "{what}: numbers of {}", a.name);
    assert_eq!(a.codes, b.codes, "{what}: codes of {}", a.name);
    assert_eq!(a.levels, b.levels, "{what}: levels of {}", a.name);
    assert_eq!(
        (a.missing, a.non_finite, &a.first_text),
        (b.missing, b.non_finite, &b.first_text),
        "{what}: counts of {}",
        a.name
    );
    assert_eq!(a.texts.is_some(), b.texts.is_some(), "{what}: {}", a.name);
    if let (Some(x), Some(y)) = (&a.texts, &b.texts) {
        assert_eq!((x.len(), x.distinct()), (y.len(), y.distinct()), "{what}");
        for i in 0..x.len() {
            assert_eq!(x.get(i), y.get(i), "{what}: text {i} of {}", a.name);
        }
    }
    assert_eq!(a.kind(), b.kind(), "{what}: kind of {}", a.name);
}

/// The serial read against reads in 2, 3, 5 and 8 parts.
fn check(bytes: &[u8], what: &str) {
    let serial = Table::from_bytes_in_parts(bytes, 1);
    for parts in [2, 3, 5, 8] {
        let what = format!("{what}, {parts} parts");
        match (&serial, Table::from_bytes_in_parts(bytes, parts)) {
            (Ok(a), Ok(b)) => {
                assert_eq!(
                    (a.n_rows, a.delimiter, &a.lines),
                    (b.n_rows, b.delimiter, &b.lines),
                    "{what}"
                );
                assert_eq!(a.columns.len(), b.columns.len(), "{what}");
                for (x, y) in a.columns.iter().zip(&b.columns) {
                    same_column(x, y, &what);
                }
            }
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{what}"),
            (a, b) => panic!("{what}: serial {:?} vs parts {:?}", a.is_ok(), b.is_ok()),
        }
    }
}

fn files_in(dir: &str) -> Vec<std::path::PathBuf> {
    let dir = format!("{}/tests/{dir}", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv" || x == "bin"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_fixture_and_hostile_file_reads_the_same_in_parts() {
    let mut n = 0;
    for path in files_in("fixtures").into_iter().chain(files_in("hostile")) {
        check(&std::fs::read(&path).unwrap(), &path.display().to_string());
        n += 1;
    }
    assert!(n >= 40, "only {n} files");
}

/// `rows` lines of `row(i)` under `header`, joined with `eol`.
fn file(header: &str, rows: usize, eol: &str, row: impl Fn(usize) -> String) -> Vec<u8> {
    let mut s = String::from(header);
    s.push_str(eol);
    for i in 0..rows {
        s.push_str(&row(i));
        s.push_str(eol);
    }
    s.into_bytes()
}

#[test]
fn crlf_bom_blank_lines_and_missing_values() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(file("id,x,g,y", 500, "\r\n", |i| {
        let x = if i % 7 == 0 {
            "NA".to_string()
        } else {
            format!("{}.{:02}", i % 13, i % 100)
        };
        let blank = if i % 50 == 49 { "\r\n" } else { "" };
        format!("u{i}, {x} ,{},{}{blank}", ["a", "b", "c"][i % 3], i % 2)
    }));
    check(&bytes, "crlf + bom");
    let t = Table::from_bytes_in_parts(&bytes, 3).unwrap();
    // Row 50 (after one blank line at row 49's end) starts on line 2 + 50 + 1.
    assert_eq!((t.n_rows, t.line(50)), (500, 53));
}

#[test]
fn a_bad_row_in_a_later_part_has_the_serial_message_and_line() {
    let bytes = file("a,b", 1000, "\n", |i| {
        if i == 900 {
            "1".into()
        } else {
            format!("{i},{}", i % 2)
        }
    });
    check(&bytes, "ragged");
    let e = Table::from_bytes_in_parts(&bytes, 4)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("Line 902: expected 2 fields"), "{e}");
    // Two bad rows in different parts: the first one is reported.
    let bytes = file("a,b", 1000, "\n", |i| {
        if i == 300 || i == 900 {
            "1,2,3".into()
        } else {
            format!("{i},0")
        }
    });
    check(&bytes, "two ragged rows");
    let e = Table::from_bytes_in_parts(&bytes, 4)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("Line 302: expected 2 fields like the header, but found 3"),
        "{e}"
    );
}

#[test]
fn columns_that_turn_to_text_in_a_later_part() {
    // x: many numbers, written "1.50"-style, then a text near the end: the serial read rebuilds the earlier
    // values as `{x}` ("1.5"); z: few numbers then text; w: text from the start, "inf" in a later part (a text
    // column keeps it as text, not as a missing number).
    // u: text in its first row only, then numbers with an "inf" in a later part (read on its own, that part
    // would count it as a missing number).
    let bytes = file("x,z,w,u", 2000, "\n", |i| {
        let x = if i == 1800 {
            "oops".to_string()
        } else {
            format!("{}.50", i)
        };
        let z = if i == 1500 {
            "zed".to_string()
        } else {
            format!("{}", i % 3)
        };
        let w = if i == 1900 {
            "inf".to_string()
        } else if i % 2 == 0 {
            "w".into()
        } else {
            "v".into()
        };
        let u = if i == 0 {
            "a".to_string()
        } else if i == 1700 {
            "inf".into()
        } else {
            format!("{}", i % 5)
        };
        format!("{x},{z},{w},{u}")
    });
    check(&bytes, "late text");
    let t = Table::from_bytes_in_parts(&bytes, 4).unwrap();
    assert_eq!(t.column("x").unwrap().text(1).as_deref(), Some("1.5"));
    assert_eq!(
        t.column("x").unwrap().first_text,
        Some((1802, "oops".into()))
    );
    assert_eq!(t.column("w").unwrap().levels, vec!["w", "v", "inf"]);
    let u = t.column("u").unwrap();
    assert_eq!(
        (u.missing, u.non_finite, u.levels.last().map(String::as_str)),
        (0, 0, Some("inf"))
    );
}

#[test]
fn level_limits_reached_only_by_the_parts_together() {
    // n: 40 distinct values in the first half and 40 others in the second (80 > 64 together: no codes);
    // m: 30 + 30 (60: codes kept, second half's levels after the first's).
    let bytes = file("n,m", 4000, "\n", |i| {
        let half = usize::from(i >= 2000);
        format!("{},{}", half * 100 + i % 40, half * 100 + i % 30)
    });
    check(&bytes, "numeric levels");
    let t = Table::from_bytes_in_parts(&bytes, 2).unwrap();
    assert!(t.column("n").unwrap().codes.is_none());
    let m = t.column("m").unwrap();
    // The second half starts at row 2000, where 2000 % 30 = 20: its first new level is 100 + 20.
    assert_eq!((m.levels.len(), m.levels[30].as_str()), (60, "120"));
    // Text: 40,000 distinct values in each half (80,000 > 65,536 together: texts), and 20,000 + 20,000.
    let bytes = file("id,s", 80_000, "\n", |i| {
        format!("u{i},s{}", i % 40_000 / 2 + (i / 40_000) * 20_000)
    });
    check(&bytes, "text levels");
    let t = Table::from_bytes_in_parts(&bytes, 2).unwrap();
    assert!(t.column("id").unwrap().texts.is_some());
    let s = t.column("s").unwrap();
    assert_eq!((s.levels.len(), s.codes.is_some()), (40_000, true));
}

#[test]
fn demo_sized_file_reads_the_same_in_parts() {
    // The demo generator's columns (ids, numbers with missing values, 0/1 columns, a category) at 30,000 rows.
    let csv =
        uplift_simulator::data::generate::demo_csv(&uplift_simulator::data::generate::DemoParams {
            rows: 30_000,
            seed: 3,
        })
        .unwrap();
    check(csv.as_bytes(), "demo 30k");
}
