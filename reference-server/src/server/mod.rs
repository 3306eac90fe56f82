//! The MCP handler: capabilities, lifecycle rules and dispatch to tools,
//! resources, prompts and completions.

#![allow(deprecated)] // logging/setLevel, resources/subscribe: legacy-era features we still serve.

mod era;
pub(crate) mod hub;
mod in_flight;
mod pagination;
mod session;

use std::{
    borrow::Cow,
    sync::{Arc, atomic::AtomicBool},
    time::{Duration, Instant},
};

use rand::RngCore as _;
use rmcp::{
    ErrorData, RoleServer, ServerHandler,
    model::{
        CacheScope, CallToolRequestParams, CallToolResponse, CallToolResult, CancelTaskParams, CompleteRequestParams,
        CompleteResult, ContentBlock, CustomRequest, CustomResult, ErrorCode, GetPromptRequestParams,
        GetPromptResponse, GetTaskParams, GetTaskResult, Implementation, InitializeRequestParams, InitializeResult,
        ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult, ListToolsResult, PaginatedRequestParams,
        ProtocolVersion, ReadResourceRequestParams, ReadResourceResponse, RequestStateCodec, ServerCapabilities,
        ServerConfig, SetLevelRequestParams, SubscribeRequestParams, SubscriptionFilter, Tool,
        UnsubscribeRequestParams, UpdateTaskParams,
    },
    service::{RequestContext, SubscriptionContext},
    task_manager::TaskManager,
};
use tokio::sync::Semaphore;

pub(crate) use era::Era;
pub(crate) use hub::{Change, Hub};
pub(crate) use in_flight::{InFlight, duplicate_id_error};
pub(crate) use pagination::paginate;
pub(crate) use session::{Session, severity};

use crate::{
    cache::{Cache, RedisCache, RedisConfig, TieredCache},
    cli::Cli,
    error::StartupError,
    limits::Limiter,
    metrics::Metrics,
    resilience::{BreakerConfig, RetryPolicy},
    sealing::FieldSealer,
    store::{MemoryStore, PostgresConfig, PostgresStore, Store},
    tools::{self, Catalog},
};

/// How long clients may cache list and read results (SEP-2549 `ttlMs`).
pub(crate) const LIST_TTL_MS: u64 = 10_000;

/// Protocol revisions this server implements, oldest first.
pub(crate) const SUPPORTED_VERSIONS: &[ProtocolVersion] = &[
    ProtocolVersion::V_2025_03_26,
    ProtocolVersion::V_2025_06_18,
    ProtocolVersion::V_2025_11_25,
    ProtocolVersion::V_2026_07_28,
];

/// Process-wide state shared by every session and request.
pub(crate) struct Shared {
    /// Items per page of every list method.
    pub page_size: usize,
    /// Lifetime of result-cache entries.
    pub cache_ttl: Duration,
    /// Seals and opens MRTR `requestState` (HMAC-SHA256).
    pub request_state: RequestStateCodec,
    /// All tools, in listing order.
    pub catalog: Catalog,
    /// Record store behind the data tools.
    pub store: Arc<dyn Store>,
    /// Encrypts the records' sensitive fields before they reach the store or a cache.
    pub sealer: FieldSealer,
    /// Tool-result cache: in-process LRU, optionally in front of Redis.
    pub cache: TieredCache,
    /// Admission control for tool calls.
    pub limiter: Limiter,
    /// Bounds CPU-heavy work on the blocking pool.
    pub cpu_slots: Arc<Semaphore>,
    /// Counters for `/metrics`.
    pub metrics: Arc<Metrics>,
    /// Notification fan-out.
    pub hub: Arc<Hub>,
    /// Whether the runtime-toggled `dynamic-tool` is listed.
    pub dynamic_tool: AtomicBool,
    /// Background tasks of the tasks extension (SEP-2663).
    pub tasks: TaskManager,
    /// Process start, for uptime.
    pub started: Instant,
    /// How long shutdown waits for in-flight tool calls.
    pub shutdown_grace: Duration,
}

impl Shared {
    /// Builds the shared state from the command line, connecting the configured backends
    /// (Postgres when `--database-url` is set, Redis when `--redis-url` is set).
    pub(crate) async fn new(cli: &Cli) -> Result<Arc<Self>, StartupError> {
        let metrics = Arc::new(Metrics::default());
        let key = match &cli.request_state_key {
            Some(key) if key.len() >= RequestStateCodec::MIN_KEY_LENGTH => key.as_bytes().to_vec(),
            Some(_) => {
                return Err(StartupError::Config(format!(
                    "--request-state-key must be at least {} bytes",
                    RequestStateCodec::MIN_KEY_LENGTH
                )));
            }
            None => {
                let mut key = vec![0u8; 32];
                rand::rng().fill_bytes(&mut key);
                key
            }
        };
        let sealer = FieldSealer::from_config(cli.data_key.as_deref())?;
        let breaker = BreakerConfig {
            failure_threshold: cli.breaker_failures,
            open_for: Duration::from_millis(cli.breaker_open_ms),
        };
        let bulkhead_wait = Duration::from_millis(cli.bulkhead_wait_ms);
        let store: Arc<dyn Store> = match cli.database_url.as_deref().filter(|u| !u.is_empty()) {
            None => Arc::new(MemoryStore::default()),
            Some(url) => {
                let store = PostgresStore::connect(&PostgresConfig {
                    url: url.to_owned(),
                    pool_size: cli.db_pool_size as usize,
                    timeout: Duration::from_millis(cli.db_timeout_ms),
                    bulkhead_wait,
                    breaker,
                    retry: RetryPolicy {
                        max_attempts: cli.retry_attempts,
                        base_delay: Duration::from_millis(cli.retry_base_ms),
                        max_delay: Duration::from_millis(cli.retry_max_delay_ms),
                    },
                })
                .await?;
                metrics.register_backend(store.backend());
                Arc::new(store)
            }
        };
        let l2: Option<Arc<dyn Cache>> = match cli.redis_url.as_deref().filter(|u| !u.is_empty()) {
            None => None,
            Some(url) => {
                let redis = RedisCache::new(&redis_config(cli, url))?;
                metrics.register_backend(redis.backend());
                Some(Arc::new(redis))
            }
        };
        Ok(Arc::new(Self {
            page_size: cli.page_size as usize,
            cache_ttl: Duration::from_millis(cli.cache_ttl_ms),
            request_state: RequestStateCodec::new(key),
            catalog: tools::catalog(),
            store,
            sealer,
            cache: TieredCache::new(cli.cache_capacity, l2, metrics.clone()),
            limiter: Limiter::new(
                cli.max_concurrency,
                cli.max_queue,
                Duration::from_millis(cli.request_timeout_ms),
                metrics.clone(),
            ),
            cpu_slots: Arc::new(Semaphore::new(cli.cpu_threads as usize)),
            metrics,
            hub: Arc::default(),
            dynamic_tool: AtomicBool::new(false),
            tasks: TaskManager::new(),
            started: Instant::now(),
            shutdown_grace: Duration::from_secs(cli.shutdown_grace_secs),
        }))
    }
}

/// The Redis settings of the command line for `url` (the cache and the token denylist share them).
pub(crate) fn redis_config(cli: &Cli, url: &str) -> RedisConfig {
    RedisConfig {
        url: url.to_owned(),
        timeout: Duration::from_millis(cli.redis_timeout_ms),
        max_concurrency: (cli.max_concurrency as usize).max(1),
        bulkhead_wait: Duration::from_millis(cli.bulkhead_wait_ms),
        breaker: BreakerConfig {
            failure_threshold: cli.breaker_failures,
            open_for: Duration::from_millis(cli.breaker_open_ms),
        },
    }
}

/// The MCP handler. Cheap to clone; one instance (and one [`Session`]) per connection.
#[derive(Clone)]
pub(crate) struct ReferenceServer {
    pub(crate) shared: Arc<Shared>,
    pub(crate) session: Arc<Session>,
}

impl ReferenceServer {
    /// A handler with a fresh session over `shared`.
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        let session = Arc::new(Session::new(shared.hub.clone()));
        Self { shared, session }
    }

    fn capabilities() -> ServerCapabilities {
        ServerCapabilities::builder()
            .enable_tools()
            .enable_tool_list_changed()
            .enable_prompts()
            .enable_prompts_list_changed()
            .enable_resources()
            .enable_resources_subscribe()
            .enable_resources_list_changed()
            .enable_logging()
            .enable_completions()
            .enable_tasks()
            .build()
    }
}

/// The server's identity as sent in `initialize`, `server/discover` and result `_meta`.
pub(crate) fn implementation() -> Implementation {
    Implementation::new("mcp-reference-server", env!("CARGO_PKG_VERSION"))
        .with_title("mcp-harness reference server")
        .with_description("Known-good MCP server covering both protocol eras, bundled with mcp-harness")
        .with_icons(crate::content::icons())
}

const INSTRUCTIONS: &str = "Reference MCP server of mcp-harness. Tools named test_* are the official \
conformance fixtures; echo/get-sum/… mirror the 'everything' server; create_data/get_data/update_data/\
delete_data/data_query/cpu_intensive_analysis/health are domain tools backed by a record store (in memory, or \
Postgres) and a result cache (in-process LRU, optionally in front of Redis).";

impl ServerHandler for ReferenceServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(Self::capabilities()).with_server_info(implementation()).with_instructions(INSTRUCTIONS)
    }

    fn supported_protocol_versions(&self) -> Cow<'static, [ProtocolVersion]> {
        Cow::Borrowed(SUPPORTED_VERSIONS)
    }

    async fn initialize(
        &self,
        request: InitializeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<InitializeResult, ErrorData> {
        if !self.session.mark_initialized() {
            return Err(ErrorData::invalid_request("session is already initialized", None));
        }
        context.peer.set_peer_info(request.clone());
        self.shared.hub.add_session(self.session.id(), context.peer.clone(), self.session.subscriptions().clone());
        let mut result = self.negotiate_initialize(&request)?;
        // `extensions` (the 2026 tasks extension) is not part of the legacy schemas.
        result.capabilities.extensions = None;
        Ok(result)
    }

    async fn ping(&self, _context: RequestContext<RoleServer>) -> Result<(), ErrorData> {
        Ok(())
    }

    async fn set_level(
        &self,
        request: SetLevelRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.session.set_log_level(request.level);
        Ok(())
    }

    async fn list_tools(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let era = Era::of(&context);
        let tools: Vec<Tool> = self.shared.catalog.visible(era, &self.shared).map(|spec| spec.tool.clone()).collect();
        let cursor = request.as_ref().and_then(|r| r.cursor.as_deref());
        let (page, next) = paginate(&tools, "tools", cursor, self.shared.page_size)?;
        let mut result =
            ListToolsResult::with_all_items(page).with_ttl_ms(LIST_TTL_MS).with_cache_scope(CacheScope::Public);
        result.next_cursor = next;
        Ok(result)
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.shared.catalog.get(name).map(|spec| spec.tool.clone())
    }

    async fn call_tool(
        &self,
        mut request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let era = Era::of(&context);
        let Some(spec) = self.shared.catalog.get(&request.name).filter(|spec| spec.is_visible(era, &self.shared))
        else {
            return Err(ErrorData::invalid_params(
                format!("unknown tool: {}", request.name),
                Some(serde_json::json!({ "name": request.name })),
            ));
        };
        // Validated in place: the arguments move into a `Value` and back, never cloned.
        let arguments = serde_json::Value::Object(request.arguments.take().unwrap_or_default());
        let invalid = spec.invalid_arguments(&arguments);
        if let serde_json::Value::Object(arguments) = arguments {
            request.arguments = Some(arguments);
        }
        if let Some(why) = invalid {
            // An input validation error is a tool execution error (reported in the result, so the model can
            // correct its call), not a protocol error.
            let message = format!("invalid arguments for `{}`: {why}", request.name);
            return Ok(CallToolResult::error(vec![ContentBlock::text(message)]).into());
        }
        let invocation = tools::Invocation::new(self.clone(), request, context);
        let name = spec.tool.name.clone();
        match self.shared.limiter.run(&name, (spec.run)(invocation)).await {
            Ok(result) => result,
            Err(limit) => Ok(CallToolResult::error(vec![ContentBlock::text(limit.to_string())]).into()),
        }
    }

    async fn list_prompts(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        let cursor = request.as_ref().and_then(|r| r.cursor.as_deref());
        crate::prompts::list(Era::of(&context), cursor, self.shared.page_size)
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        crate::prompts::get(request, &context)
    }

    async fn list_resources(
        &self,
        request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let cursor = request.as_ref().and_then(|r| r.cursor.as_deref());
        crate::resources::list(cursor, self.shared.page_size)
    }

    async fn list_resource_templates(
        &self,
        request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        let cursor = request.as_ref().and_then(|r| r.cursor.as_deref());
        crate::resources::list_templates(cursor, self.shared.page_size)
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        crate::resources::read(&self.shared, &request.uri).await.map(Into::into)
    }

    async fn subscribe(
        &self,
        request: SubscribeRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        crate::resources::ensure_exists(&self.shared, &request.uri).await?;
        self.session.subscriptions().lock().unwrap_or_else(|e| e.into_inner()).insert(request.uri);
        Ok(())
    }

    async fn unsubscribe(
        &self,
        request: UnsubscribeRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.session.subscriptions().lock().unwrap_or_else(|e| e.into_inner()).remove(&request.uri);
        Ok(())
    }

    async fn complete(
        &self,
        request: CompleteRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, ErrorData> {
        crate::completion::complete(&request)
    }

    async fn on_custom_request(
        &self,
        request: CustomRequest,
        _context: RequestContext<RoleServer>,
    ) -> Result<CustomResult, ErrorData> {
        Err(ErrorData::new(
            ErrorCode::METHOD_NOT_FOUND,
            format!("Method not found: {}", request.method),
            Some(serde_json::json!({ "method": request.method })),
        ))
    }

    async fn get_task(
        &self,
        request: GetTaskParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetTaskResult, ErrorData> {
        Ok(GetTaskResult::new(self.shared.tasks.get_task(&request.task_id)?))
    }

    async fn update_task(
        &self,
        request: UpdateTaskParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.shared.tasks.update_task(&request.task_id, request.input_responses)
    }

    async fn cancel_task(
        &self,
        request: CancelTaskParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.shared.tasks.cancel_task(&request.task_id)
    }

    fn accepted_subscription_filter(&self, requested: &SubscriptionFilter) -> Option<SubscriptionFilter> {
        Some(requested.supported_by(&Self::capabilities()))
    }

    async fn listen(&self, context: SubscriptionContext) -> Result<(), ErrorData> {
        let id = self.shared.hub.add_listener(context.sink().clone());
        context.cancelled().await;
        self.shared.hub.remove_listener(id);
        Ok(())
    }
}
