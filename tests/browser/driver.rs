//! chromedriver as a child process and a headless Chromium session on it.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder};

/// Environment variable that turns the browser tests on.
pub const ENABLE_VARIABLE: &str = "SLOTCHAT_BROWSER_TESTS";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);

/// Lets one browser run at a time: test binaries run tests in parallel, and
/// several Chromium instances on a small machine make step timeouts flaky.
static ONE_BROWSER_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Whether the browser tests should run. When they should not, writes a
/// line naming the skipped test straight to stderr, which the test harness
/// does not capture, so the skip is visible in `cargo test` output.
pub fn browser_tests_enabled(test_name: &str) -> bool {
    if std::env::var(ENABLE_VARIABLE).as_deref() == Ok("1") {
        return true;
    }
    let mut stderr = std::io::stderr();
    let _ = writeln!(
        stderr,
        "skipped browser test {test_name}: set {ENABLE_VARIABLE}=1 to run it \
         (needs {CHROMEDRIVER} and {CHROMIUM})"
    );
    false
}

/// A headless Chromium session on its own chromedriver. Dropping it shuts
/// chromedriver down, which ends Chromium, and removes the profile folder.
pub struct Browser {
    pub client: Client,
    _chromedriver: ChromeDriver,
    _turn: MutexGuard<'static, ()>,
}

impl Browser {
    /// Starts chromedriver on a free loopback port and opens a session with
    /// a fresh profile.
    pub async fn start() -> Browser {
        // A test that panicked with the lock held leaves it poisoned, which
        // must not fail the tests after it.
        let turn = ONE_BROWSER_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let chromedriver = ChromeDriver::spawn();
        chromedriver.wait_until_ready().await;
        let client = ClientBuilder::native()
            .capabilities(chromium_capabilities(&chromedriver.profile_dir))
            .connect(&chromedriver.url())
            .await
            .expect("open a Chromium session through chromedriver");
        Browser { client, _chromedriver: chromedriver, _turn: turn }
    }

    /// Ends the session, so Chromium exits before chromedriver is stopped.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

fn chromium_capabilities(profile_dir: &std::path::Path) -> Capabilities {
    let arguments = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-quic",
        "--no-first-run",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
    ]
    .into_iter()
    .map(String::from)
    .chain([format!("--user-data-dir={}", profile_dir.display())])
    .collect::<Vec<_>>();
    let options = serde_json::json!({ "binary": CHROMIUM, "args": arguments });
    let mut capabilities = Capabilities::new();
    capabilities.insert("goog:chromeOptions".into(), options);
    capabilities
}

/// The chromedriver child process and the profile folder of its browser.
struct ChromeDriver {
    process: Child,
    port: u16,
    profile_dir: PathBuf,
}

impl ChromeDriver {
    fn spawn() -> ChromeDriver {
        let port = free_port();
        let process = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| panic!("failed to start {CHROMEDRIVER}: {error}"));
        let profile_dir = std::env::temp_dir()
            .join(format!("slotchat-chromium-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&profile_dir).expect("create the Chromium profile folder");
        ChromeDriver { process, port, profile_dir }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    async fn wait_until_ready(&self) {
        let status_url = format!("{}/status", self.url());
        let client = reqwest::Client::new();
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(response) = client.get(&status_url).send().await {
                if response.status().is_success() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chromedriver did not answer on {status_url} within {STARTUP_TIMEOUT:?}");
    }

    /// Asks chromedriver to quit, which also closes the browsers it started.
    fn request_shutdown(&self) {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let request = format!(
            "GET /shutdown HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            self.port
        );
        if stream.write_all(request.as_bytes()).is_ok() {
            let mut response = Vec::new();
            let _ = stream.read_to_end(&mut response);
        }
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        self.request_shutdown();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.process.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.process.kill();
        let _ = self.process.wait();
        let _ = std::fs::remove_dir_all(&self.profile_dir);
    }
}

/// Finds a loopback port that is free at this moment. Another process could
/// take it before chromedriver binds it, which would fail the test loudly.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free loopback port");
    listener.local_addr().expect("read the bound address").port()
}
