//! `doku sim` starts the simulator and announces its address like `doku-sim` does.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

#[test]
fn sim_prints_its_address_and_answers_http() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_doku"))
        .args([
            "sim",
            "--listen",
            "127.0.0.1:0",
            "--credential",
            "BRN-CLI-1=SK-cli",
        ])
        .env_remove("DOKU_CLIENT_ID")
        .env_remove("DOKU_SECRET_KEY")
        .env_remove("DOKU_SIM_LISTEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn doku sim");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read line");
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    // An unsigned request must be refused with a DOKU-shaped JSON error, proving the simulator is up.
    let mut stream = TcpStream::connect(&addr).expect("connect");
    write!(
        stream,
        "POST /adv-core-api/partner/v1.0/token HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"
    )
    .expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    child.kill().expect("kill");
    let _ = child.wait();
    assert!(response.starts_with("HTTP/1.1 4"), "{response}");
    assert!(
        response.contains("Client-Id") || response.contains("client"),
        "{response}"
    );
}
