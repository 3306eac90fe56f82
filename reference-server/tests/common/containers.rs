//! Postgres and Redis containers for the tests that run with `MCP_HARNESS_TEST_DOCKER=1`, through testcontainers:
//! the images `MCP_HARNESS_POSTGRES_IMAGE` / `MCP_HARNESS_REDIS_IMAGE` (defaults `postgres:16`, `redis:7`), the
//! service port published on 127.0.0.1 only; removed when the returned container is dropped.

use std::collections::HashMap;

use testcontainers::{
    ContainerAsync, ContainerRequest, Image, ImageExt as _, bollard::models::PortBinding, core::IntoContainerPort as _,
    runners::AsyncRunner as _,
};
use testcontainers_modules::{postgres::Postgres, redis::Redis};

/// Whether the Docker-backed tests are on.
pub fn docker_enabled() -> bool {
    std::env::var("MCP_HARNESS_TEST_DOCKER").as_deref() == Ok("1")
}

fn image(variable: &str, default: &str) -> (String, String) {
    let image = std::env::var(variable).ok().filter(|i| !i.is_empty()).unwrap_or_else(|| default.to_owned());
    match image.rsplit_once(':').filter(|(_, tag)| !tag.contains('/')) {
        Some((name, tag)) => (name.to_owned(), tag.to_owned()),
        None => (image, "latest".to_owned()),
    }
}

fn loopback_only<I: Image>(request: ContainerRequest<I>, container_port: u16) -> (ContainerRequest<I>, u16) {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
        listener.local_addr().expect("address").port()
    };
    let request = request.with_mapped_port(port, container_port.tcp()).with_host_config_modifier(move |host| {
        host.publish_all_ports = Some(false);
        host.port_bindings = Some(HashMap::from([(
            format!("{container_port}/tcp"),
            Some(vec![PortBinding { host_ip: Some("127.0.0.1".into()), host_port: Some(port.to_string()) }]),
        )]));
    });
    (request, port)
}

/// A Redis container and its URL.
pub async fn redis() -> (ContainerAsync<Redis>, String) {
    let (name, tag) = image("MCP_HARNESS_REDIS_IMAGE", "redis:7");
    let request =
        Redis::default().with_name(name).with_tag(tag).with_cmd(["redis-server", "--save", "", "--appendonly", "no"]);
    let (request, port) = loopback_only(request, 6379);
    let container = request.start().await.expect("MCP_HARNESS_TEST_DOCKER=1, but the Redis container did not start");
    (container, format!("redis://127.0.0.1:{port}"))
}

/// A Postgres container and its URL (user, password and database `postgres`).
pub async fn postgres() -> (ContainerAsync<Postgres>, String) {
    let (name, tag) = image("MCP_HARNESS_POSTGRES_IMAGE", "postgres:16");
    let request = Postgres::default().with_name(name).with_tag(tag);
    let (request, port) = loopback_only(request, 5432);
    let container = request.start().await.expect("MCP_HARNESS_TEST_DOCKER=1, but the Postgres container did not start");
    (container, format!("postgres://postgres:postgres@127.0.0.1:{port}/postgres"))
}
