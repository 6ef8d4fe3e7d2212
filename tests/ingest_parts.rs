//! Reading a file in parts (natively in parallel) must give exactly the table — or the error — of the serial
//! read: same numbers (bit for bit), codes and levels in first-seen order, texts, counts, first text and row
//! lines; same message with the same line. Run over every fixture and hostile file and over cases built to sit
//! on the joins' edges (a column that turns to text in a later part, level limits crossed only together, CRLF,
//! BOM, blank lines, bad rows in a later part). The reference is the `csv` crate's reader
//! (`Table::from_bytes_by_csv_reader`): a file without quotes is cut into records by our own loop, in one part too.

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

/// The `csv` crate's serial read against the fast reads in 1 (serial), 2, 3, 5 and 8 parts.
fn check(bytes: &[u8], what: &str) {
    let serial = Table::from_bytes_by_csv_reader(bytes);
    for parts in [1, 2, 3, 5, 8] {
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

#[test]
fn line_ends_the_reader_accepts_in_every_form() {
    // Old Mac line ends (\r alone), mixed with \n and \r\n, blank and blank-looking lines, blank lines before the
    // header, no line end after the last row.
    let mut s = String::from("\n\r\n x ,y,g\r");
    for i in 0..400 {
        let eol = ["\n", "\r\n", "\r", "\n\n", "\r\r\n"][i % 5];
        s.push_str(&format!(
            "{}.{},{},{}{eol}",
            i % 17,
            i % 10,
            i % 2,
            ["a", " b ", ""][i % 3]
        ));
        if i % 97 == 0 {
            s.push_str("  \n");
        }
    }
    s.push_str("1,0,z");
    let bytes = s.into_bytes();
    let e = Table::from_bytes_by_csv_reader(&bytes)
        .unwrap_err()
        .to_string();
    // The line of blanks after row 0 is a record of one field: the same message, the same line, in every read.
    // Lines are counted by \n, as the csv crate counts them: the header and row 0 are both on line 3 (the
    // header ends with \r alone), the blanks on line 4.
    assert!(e.starts_with("Line 4: expected 3 fields"), "{e}");
    check(&bytes, "line ends with blanks");
    let without_blanks: Vec<u8> = String::from_utf8(bytes)
        .unwrap()
        .replace("  \n", "")
        .into_bytes();
    check(&without_blanks, "line ends");
    let t = Table::from_bytes_in_parts(&without_blanks, 3).unwrap();
    assert_eq!(t.n_rows, 401);
    assert_eq!(t.columns[0].name, "x");
    // Row 0 is on line 3 (the header's line, after \n and \r\n; the header ends with \r alone), row 1 on 4.
    assert_eq!((t.line(0), t.line(1)), (3, 4));
}

#[test]
fn semicolons_tabs_and_decimal_commas_in_parts() {
    let semi = file("id;x;y", 3000, "\r\n", |i| {
        format!("u{i};{},{};{}", i % 50, i % 7, i % 2)
    });
    check(&semi, "semicolons");
    let t = Table::from_bytes_in_parts(&semi, 4).unwrap();
    assert_eq!(
        (
            t.delimiter,
            t.column("x").unwrap().numbers.as_ref().unwrap()[3]
        ),
        (b';', 3.3)
    );
    let tab = file("id\tx\ty", 3000, "\n", |i| {
        format!("u{i}\t{}\t{}", i % 50, i % 2)
    });
    check(&tab, "tabs");
    assert_eq!(
        Table::from_bytes_in_parts(&tab, 4).unwrap().delimiter,
        b'\t'
    );
    // With a BOM and a ragged row in the last quarter.
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(file("a;b", 2000, "\r\n", |i| {
        if i == 1700 {
            "1;2;3".into()
        } else {
            format!("{i};{}", i % 3)
        }
    }));
    check(&bom, "bom + semicolons + ragged");
    let e = Table::from_bytes_in_parts(&bom, 4).unwrap_err().to_string();
    assert!(e.starts_with("Line 1702: expected 2 fields"), "{e}");
}

#[test]
fn quoted_line_breaks_are_read_serially_with_their_lines() {
    // A quote anywhere: the whole file goes through the csv crate; a quoted value spans two lines every 10 rows.
    let bytes = file("id,note,y", 3000, "\n", |i| {
        if i % 10 == 0 {
            format!("u{i},\"two\nlines, {i}\",{}", i % 2)
        } else {
            format!("u{i},n{},{}", i % 4, i % 2)
        }
    });
    check(&bytes, "quoted line breaks");
    let t = Table::from_bytes(&bytes).unwrap();
    // Rows 0..=10 take lines 2, 4, 5, …, 12, then row 10 (2 lines) starts on line 13 and row 11 on 15.
    assert_eq!((t.line(1), t.line(10), t.line(11)), (4, 13, 15));
    assert_eq!(
        t.column("note").unwrap().text(10).as_deref(),
        Some("two\nlines, 10")
    );
}

#[test]
fn a_bad_outcome_in_a_later_part_gives_the_serial_error_and_line() {
    use uplift_simulator::data::prepare::prepare;
    use uplift_simulator::data::roles::detect_roles;
    // "maybe" on row 3500 of 4000 (line 3502): the outcome column turns to text only in the last part.
    let bytes = file("user_id,f0,treatment,conversion", 4000, "\n", |i| {
        let y = if i == 3500 {
            "maybe".to_string()
        } else {
            format!("{}", (i / 3) % 2)
        };
        format!("u{i},{}.5,{},{y}", i % 100, i % 2)
    });
    check(&bytes, "bad outcome");
    let msg = |t: Table| {
        let mut roles = detect_roles(&t);
        roles.outcome = "conversion".into();
        prepare(&t, &roles).unwrap_err().to_string()
    };
    let serial = msg(Table::from_bytes_by_csv_reader(&bytes).unwrap());
    assert!(serial.contains("3502"), "{serial}");
    for parts in [1, 2, 4] {
        assert_eq!(
            msg(Table::from_bytes_in_parts(&bytes, parts).unwrap()),
            serial
        );
    }
}
