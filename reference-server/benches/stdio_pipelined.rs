//! Throughput of pipelined `tools/call` to `echo` over the real binary's stdin/stdout, and the server's CPU per
//! call (user + system time of the child from `/proc/<pid>/stat`). Informational: nothing asserts on timing.
//!
//! The client keeps `k` requests in flight: it sends `k`, then one more for every answer it reads, writing the
//! requests that replace one buffered batch of answers with one `write`. Run with
//!
//! ```text
//! cargo bench -p mcp-reference-server --bench stdio_pipelined -- [--k 1,16,64] [--calls 100000] [--runs 3]
//!     [--server-cpu 1] [--bin PATH]
//! ```
//!
//! `--server-cpu N` starts the server under `taskset -c N` (pin this process itself with `taskset` too);
//! `--bin` measures another build of the server (the default is this package's binary). Prints one table row per
//! run and the median per `k`.

use std::{
    io::{BufRead, BufReader, Write},
    process::{Child, ChildStdin, ChildStdout, Command, Stdio},
    time::Instant,
};

const DEFAULT_BIN: &str = env!("CARGO_BIN_EXE_mcp-reference-server");
const WARMUP_CALLS: u64 = 2_000;

struct Options {
    ks: Vec<usize>,
    calls: u64,
    runs: usize,
    server_cpu: Option<String>,
    bin: String,
}

fn options() -> Options {
    let mut options =
        Options { ks: vec![1, 16, 64], calls: 100_000, runs: 3, server_cpu: None, bin: DEFAULT_BIN.to_owned() };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--k" => options.ks = value().split(',').map(|k| k.parse().expect("--k: integers")).collect(),
            "--calls" => options.calls = value().parse().expect("--calls: an integer"),
            "--runs" => options.runs = value().parse().expect("--runs: an integer"),
            "--server-cpu" => options.server_cpu = Some(value()),
            "--bin" => options.bin = value(),
            // `cargo bench` passes `--bench`; other flags belong to other harnesses.
            _ => {}
        }
    }
    options
}

/// The server child, killed on drop.
struct Server {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn spawn(options: &Options) -> Self {
        let mut command = match &options.server_cpu {
            Some(cpu) => {
                let mut command = Command::new("taskset");
                command.args(["-c", cpu, &options.bin]);
                command
            }
            None => Command::new(&options.bin),
        };
        let mut child = command
            .args(["--log-level", "error"])
            .env_remove("DATABASE_URL")
            .env_remove("REDIS_URL")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn the server");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = BufReader::with_capacity(64 * 1024, child.stdout.take().expect("stdout"));
        let mut server = Self { child, stdin, stdout };
        server.send_line(
            br#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"stdio_pipelined","version":"0"}}}"#,
        );
        let mut line = String::new();
        server.stdout.read_line(&mut line).expect("initialize answer");
        assert!(line.contains("\"result\""), "initialize failed: {line}");
        server.send_line(br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#);
        server
    }

    fn send_line(&mut self, line: &[u8]) {
        self.stdin.write_all(line).expect("write");
        self.stdin.write_all(b"\n").expect("write");
        self.stdin.flush().expect("flush");
    }

    /// User + system CPU time of the server so far, in microseconds.
    fn cpu_micros(&self) -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).expect("read /proc stat");
        // Fields after the parenthesised command name; utime and stime are fields 14 and 15 (1-based).
        let rest = &stat[stat.rfind(')').expect("stat format") + 2..];
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
        // SAFETY: sysconf has no preconditions.
        let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as u64;
        ticks * 1_000_000 / per_second
    }

    /// Runs `calls` echo calls with `k` in flight; returns the number of answers that were not results.
    fn pipeline(&mut self, k: usize, calls: u64, first_id: u64) -> u64 {
        let request = |id: u64, out: &mut Vec<u8>| {
            out.extend_from_slice(br#"{"jsonrpc":"2.0","id":"#);
            out.extend_from_slice(id.to_string().as_bytes());
            out.extend_from_slice(
                br#","method":"tools/call","params":{"name":"echo","arguments":{"message":"hello world"}}}"#,
            );
            out.push(b'\n');
        };
        let mut out = Vec::with_capacity(64 * 1024);
        let mut next = first_id;
        let end = first_id + calls;
        for _ in 0..(k as u64).min(calls) {
            request(next, &mut out);
            next += 1;
        }
        self.stdin.write_all(&out).expect("write");
        out.clear();
        let mut bad = 0;
        let mut line = String::new();
        for _ in 0..calls {
            line.clear();
            self.stdout.read_line(&mut line).expect("read an answer");
            if !line.contains("\"result\"") {
                bad += 1;
            }
            if next < end {
                request(next, &mut out);
                next += 1;
            }
            // Nothing more buffered: send what replaces the answers read so far.
            if self.stdout.buffer().is_empty() && !out.is_empty() {
                self.stdin.write_all(&out).expect("write");
                out.clear();
            }
        }
        bad
    }
}

fn own_cpu_micros() -> u64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes into the provided struct.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr());
        usage.assume_init()
    };
    let micros = |t: libc::timeval| t.tv_sec as u64 * 1_000_000 + t.tv_usec as u64;
    micros(usage.ru_utime) + micros(usage.ru_stime)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let options = options();
    println!("# stdio pipelined echo: {} calls per run, server {}", options.calls, options.bin);
    println!(
        "{:>4} {:>4} {:>12} {:>16} {:>16} {:>6}",
        "k", "run", "calls/s", "server µs/call", "client µs/call", "bad"
    );
    let mut summary = vec![];
    for &k in &options.ks {
        let (mut rates, mut server_cpu) = (vec![], vec![]);
        for run in 1..=options.runs {
            let mut server = Server::spawn(&options);
            server.pipeline(k, WARMUP_CALLS, 1);
            let (server_before, client_before) = (server.cpu_micros(), own_cpu_micros());
            let started = Instant::now();
            let bad = server.pipeline(k, options.calls, 1 + WARMUP_CALLS);
            let elapsed = started.elapsed().as_secs_f64();
            let server_used = (server.cpu_micros() - server_before) as f64 / options.calls as f64;
            let client_used = (own_cpu_micros() - client_before) as f64 / options.calls as f64;
            let rate = options.calls as f64 / elapsed;
            println!("{k:>4} {run:>4} {rate:>12.0} {server_used:>16.2} {client_used:>16.2} {bad:>6}");
            rates.push(rate);
            server_cpu.push(server_used);
        }
        summary.push((k, median(&mut rates), median(&mut server_cpu)));
    }
    println!("# medians");
    for (k, rate, cpu) in summary {
        println!("k={k:<3} {rate:>10.0} calls/s {cpu:>8.2} server µs/call");
    }
}
