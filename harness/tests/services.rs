//! Backing services for real: Postgres and Redis containers start, answer, survive fault injection and are
//! removed — also when the runtime that started them is gone — and leftovers of dead runs are cleaned up.
//!
//! These tests need a Docker engine and the images, so they only run with `MCP_HARNESS_TEST_DOCKER=1`;
//! otherwise each prints why it did nothing and passes. On machines without a registry:
//!
//! ```sh
//! scripts/docker-up.sh && scripts/offline-images/build.sh
//! MCP_HARNESS_TEST_DOCKER=1 MCP_HARNESS_POSTGRES_IMAGE=mcp-harness/postgres:15-bookworm \
//!   MCP_HARNESS_REDIS_IMAGE=mcp-harness/redis:7-bookworm cargo test -p mcp-harness --test services
//! ```

use std::io::Write as _;
use std::process::Command;
use std::time::Duration;

use mcp_harness::services::{self, LABEL_MANAGED, LABEL_OWNER, LABEL_SERVICE, Service, ServiceConfig};
use testcontainers::bollard::Docker;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn docker_tests_enabled(test: &str) -> bool {
    if std::env::var("MCP_HARNESS_TEST_DOCKER").as_deref() == Ok("1") {
        return true;
    }
    // Straight to stderr: libtest captures `eprintln!` of passing tests, and this notice must be seen.
    let _ = writeln!(
        std::io::stderr(),
        "services::{test}: NOT RUN (passes without testing anything): set MCP_HARNESS_TEST_DOCKER=1 to start real \
         containers; needs a Docker engine (scripts/docker-up.sh) and the images (official ones through a \
         registry, or scripts/offline-images/build.sh plus MCP_HARNESS_POSTGRES_IMAGE / MCP_HARNESS_REDIS_IMAGE)"
    );
    false
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("tokio runtime")
}

/// `PING` as a raw RESP command; the reply line.
async fn redis_ping(port: u16) -> Result<String, String> {
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.map_err(|e| e.to_string())?;
        stream.write_all(b"*1\r\n$4\r\nPING\r\n").await.map_err(|e| e.to_string())?;
        let mut buf = [0u8; 64];
        let n = stream.read(&mut buf).await.map_err(|e| e.to_string())?;
        Ok(String::from_utf8_lossy(&buf[..n]).into_owned())
    };
    tokio::time::timeout(Duration::from_secs(2), exchange).await.map_err(|_| "no answer within 2 s".to_string())?
}

/// Logs in with the URL and returns `user,database,fsync`.
async fn pg_whoami(url: &str) -> Result<String, String> {
    let query = async {
        let (client, connection) =
            tokio_postgres::connect(url, tokio_postgres::NoTls).await.map_err(|e| e.to_string())?;
        let driver = tokio::spawn(connection);
        let row = client
            .query_one(
                "SELECT current_user::text || ',' || current_database()::text || ',' || current_setting('fsync')",
                &[],
            )
            .await
            .map_err(|e| e.to_string())?;
        drop(client);
        let _ = driver.await;
        row.try_get::<_, String>(0).map_err(|e| e.to_string())
    };
    tokio::time::timeout(Duration::from_secs(5), query).await.map_err(|_| "no answer within 5 s".to_string())?
}

#[test]
fn containers_start_answer_recover_and_are_removed_without_a_runtime() {
    if !docker_tests_enabled("containers_start_answer_recover_and_are_removed_without_a_runtime") {
        return;
    }
    let mut cfg = ServiceConfig::from_env().expect("service config");
    cfg.use_env_urls = false; // Containers even where DATABASE_URL / REDIS_URL are set.

    let rt = runtime();
    let (running, ids) = rt.block_on(async {
        let running = match services::start(&[Service::Postgres, Service::Redis, Service::Postgres], &cfg).await {
            Ok(running) => running,
            Err(e) => panic!("MCP_HARNESS_TEST_DOCKER=1, but the services did not start: {e}"),
        };
        eprintln!("{running:?}\nnotes: {:#?}", running.notes);
        let keys: Vec<&str> = running.env.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["DATABASE_URL", "REDIS_URL"]);
        let pg_url = running.url(Service::Postgres).expect("DATABASE_URL").to_string();
        assert!(pg_url.contains("@127.0.0.1:"), "{pg_url}");
        let redis_port = running.host_port(Service::Redis).expect("redis port");
        assert_eq!(running.url(Service::Redis), Some(format!("redis://127.0.0.1:{redis_port}").as_str()));

        assert_eq!(pg_whoami(&pg_url).await.as_deref(), Ok("mcp,mcp_harness,off"));
        assert_eq!(redis_ping(redis_port).await.as_deref(), Ok("+PONG\r\n"));

        // Fault injection: a paused Redis hangs, an unpaused one answers again.
        running.pause(Service::Redis).await.expect("pause");
        assert!(redis_ping(redis_port).await.is_err(), "paused redis answered");
        running.unpause(Service::Redis).await.expect("unpause");
        assert_eq!(redis_ping(redis_port).await.as_deref(), Ok("+PONG\r\n"));

        // A stopped Postgres refuses; started again it answers on the same URL, data directory kept.
        running.stop(Service::Postgres).await.expect("stop");
        assert!(pg_whoami(&pg_url).await.is_err(), "stopped postgres answered");
        running.start_again(Service::Postgres).await.expect("start again");
        assert_eq!(pg_whoami(&pg_url).await.as_deref(), Ok("mcp,mcp_harness,off"));

        // Faults left behind (a check cut off mid-outage) are repaired by `restore`, once.
        assert_eq!(running.restore().await.expect("nothing to restore"), Vec::<String>::new());
        running.pause(Service::Redis).await.expect("pause");
        running.stop(Service::Postgres).await.expect("stop");
        let repaired = running.restore().await.expect("restore");
        assert_eq!(repaired, [format!("{} unpaused", Service::Redis), format!("{} started again", Service::Postgres)]);
        assert_eq!(redis_ping(redis_port).await.as_deref(), Ok("+PONG\r\n"));
        assert_eq!(pg_whoami(&pg_url).await.as_deref(), Ok("mcp,mcp_harness,off"));
        assert_eq!(running.restore().await.expect("restored already"), Vec::<String>::new());

        let ids: Vec<String> =
            Service::ALL.iter().filter_map(|s| running.container_id(*s)).map(str::to_string).collect();
        assert_eq!(ids.len(), 2);
        (running, ids)
    });

    // The runtime that started them is gone; dropping must still remove the containers.
    drop(rt);
    drop(running);

    runtime().block_on(async {
        let docker = Docker::connect_with_defaults().expect("docker client");
        for id in &ids {
            match docker.inspect_container(id, None).await {
                Err(testcontainers::bollard::errors::Error::DockerResponseServerError { status_code: 404, .. }) => {}
                other => panic!("container {id} still exists after drop: {other:?}"),
            }
        }
    });
}

#[test]
fn leftovers_of_dead_processes_are_removed_and_live_ones_kept() {
    if !docker_tests_enabled("leftovers_of_dead_processes_are_removed_and_live_ones_kept") {
        return;
    }
    let cfg = ServiceConfig::from_env().expect("service config");
    let image = cfg.redis_image.to_string();

    // A pid that certainly belonged to a process that has exited.
    let mut child = Command::new("true").spawn().expect("spawn true");
    let dead_pid = child.id();
    child.wait().expect("wait");
    let mine = services::owner_label();
    let (prefix, _) = mine.rsplit_once('/').expect("owner label");
    let dead_owner = format!("{prefix}/{dead_pid}");

    let create = |owner: &str| {
        let out = Command::new("docker")
            .args(["create", "--label", &format!("{LABEL_MANAGED}=true"), "--label", &format!("{LABEL_SERVICE}=redis")])
            .args(["--label", &format!("{LABEL_OWNER}={owner}"), &image])
            .output()
            .expect("docker create");
        assert!(out.status.success(), "docker create: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let dead = create(&dead_owner);
    let live = create(mine);

    let removed = runtime().block_on(services::remove_leftovers()).expect("remove leftovers");
    assert!(removed >= 1, "removed {removed}");

    let exists = |id: &str| Command::new("docker").args(["inspect", id]).output().is_ok_and(|o| o.status.success());
    let (dead_exists, live_exists) = (exists(&dead), exists(&live));
    let _ = Command::new("docker").args(["rm", "-f", &live, &dead]).output();
    assert!(!dead_exists, "the dead process's container was kept");
    assert!(live_exists, "this (live) process's container was removed");
}

/// The child half of [`containers_are_removed_when_the_process_gets_sigterm`]: starts Redis, reports, waits to be
/// killed. Does nothing unless that test runs it.
#[test]
fn signal_child() {
    if std::env::var("MCP_HARNESS_SERVICES_SIGNAL_CHILD").as_deref() != Ok("1") {
        return;
    }
    let cfg = ServiceConfig { use_env_urls: false, ..ServiceConfig::from_env().expect("service config") };
    runtime().block_on(async {
        let running = services::start(&[Service::Redis], &cfg).await.expect("start redis");
        let mut out = std::io::stdout();
        let _ = writeln!(out, "READY {}", services::owner_label());
        let _ = out.flush();
        tokio::time::sleep(Duration::from_secs(60)).await;
        drop(running);
    });
}

#[test]
fn containers_are_removed_when_the_process_gets_sigterm() {
    use std::io::BufRead as _;
    use std::os::unix::process::ExitStatusExt as _;

    if !docker_tests_enabled("containers_are_removed_when_the_process_gets_sigterm") {
        return;
    }
    let exe = std::env::current_exe().expect("test binary");
    let mut child = Command::new(exe)
        .args(["--exact", "signal_child", "--nocapture", "--test-threads=1"])
        .env("MCP_HARNESS_SERVICES_SIGNAL_CHILD", "1")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn child");
    let stdout = child.stdout.take().expect("child stdout");
    let owner = std::io::BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        // libtest may have printed "test signal_child ... " on the same line.
        .find_map(|line| line.split_once("READY ").map(|(_, owner)| owner.trim().to_string()));
    let Some(owner) = owner else {
        let _ = child.kill();
        panic!("the child never reported its containers: {:?}", child.wait());
    };
    let listed = |owner: &str| {
        let out = Command::new("docker")
            .args(["ps", "-aq", "--filter", &format!("label={LABEL_OWNER}={owner}")])
            .output()
            .expect("docker ps");
        String::from_utf8_lossy(&out.stdout).split_whitespace().count()
    };
    assert_eq!(listed(&owner), 1, "the child's container is not there");

    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    assert!(killed.success());
    let status = child.wait().expect("wait for child");
    assert_eq!(status.signal(), Some(15), "the child should die by SIGTERM, got {status:?}");
    assert_eq!(listed(&owner), 0, "the child's container survived SIGTERM");
}
